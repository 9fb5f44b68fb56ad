"""API keys of the local control plane and the ``X-Api-Key`` / ``X-Tenant-Id`` rules.

Like the hosted control plane:

* a missing or unknown ``X-Api-Key`` gets 401;
* a workspace-scoped key works in its own workspace; ``X-Tenant-Id`` may be omitted, and a
  different workspace id gets 403;
* an organisation-scoped key must name a workspace in ``X-Tenant-Id``: without it the
  answer is 403 "... requires workspace specification ..."; a workspace outside the
  organisation gets 403.

The default keys (see :mod:`.seed`) are local development keys, not secrets.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from . import seed
from .errors import StoreError

REQUIRES_WORKSPACE = (
    "This API key is org-scoped and requires workspace specification. "
    "Please provide 'X-Tenant-Id' header."
)


@dataclass
class ApiKey:
    key: str
    tenant_id: str = seed.DEFAULT_TENANT_ID
    org_scoped: bool = False
    # For org-scoped keys: workspaces of the organisation (None: any workspace).
    workspaces: list[str] | None = field(default=None)

    def hint(self) -> str:
        return f"...{self.key[-4:]}" if len(self.key) >= 12 else "<hidden>"


def default_keys(
    api_key: str = seed.DEFAULT_API_KEY,
    org_api_key: str | None = seed.DEFAULT_ORG_API_KEY,
) -> list[ApiKey]:
    keys = [ApiKey(key=api_key)]
    if org_api_key:
        keys.append(
            ApiKey(
                key=org_api_key,
                org_scoped=True,
                workspaces=[seed.DEFAULT_TENANT_ID, seed.SECOND_TENANT_ID],
            )
        )
    return keys


class KeyRing:
    """The accepted keys; replaceable at runtime through the admin API."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self._lock = threading.Lock()
        self._keys = {k.key: k for k in keys}

    def replace(self, keys: list[ApiKey]) -> None:
        with self._lock:
            self._keys = {k.key: k for k in keys}

    def describe(self) -> list[dict[str, object]]:
        with self._lock:
            return [
                {
                    "key": k.hint(),
                    "tenant_id": k.tenant_id,
                    "org_scoped": k.org_scoped,
                    "workspaces": k.workspaces,
                }
                for k in self._keys.values()
            ]

    def tenant_for(self, api_key: str | None, tenant_header: str | None) -> str:
        """The workspace a request acts in, or a StoreError (401/403)."""
        with self._lock:
            entry = self._keys.get(api_key or "")
        if entry is None:
            raise StoreError(401, "Invalid API key: missing or unknown X-Api-Key header.")
        tenant = (tenant_header or "").strip() or None
        if entry.org_scoped:
            if tenant is None:
                raise StoreError(403, REQUIRES_WORKSPACE)
            if entry.workspaces is not None and tenant not in entry.workspaces:
                raise StoreError(403, f"API key does not have access to workspace '{tenant}'.")
            return tenant
        if tenant is not None and tenant != entry.tenant_id:
            raise StoreError(403, f"API key does not have access to workspace '{tenant}'.")
        return entry.tenant_id
