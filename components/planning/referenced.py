"""Objects the servers need but the stack does not make: the Secrets that a deployment's
`secret_references` name, and the service account its `resource_spec` names.

A pod whose Secret key or service account is missing never starts (its events say
`CreateContainerConfigError`, or its ReplicaSet cannot create it), so a rollout onto one
would trade running servers for broken ones. `referenced_objects` lists them from the stack
config and discovery, before anything is declared; `cluster_check` reads each one from the
cluster, and a render (no cluster) says which ones it could not check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from ..config import NAMESPACE, StackConfig
from ..spec.revision import SecretRef
from .discovery import Discovery


class Found(Enum):
    """What the cluster holds of a referenced object that is not as the servers need it."""

    MISSING = "missing"
    NO_KEY = "no key"


@dataclass(frozen=True)
class Referenced:
    """One object that must exist in a deployment's namespace before its servers roll out."""

    kind: Literal["Secret", "ServiceAccount"]
    namespace: str
    name: str
    key: str | None
    """The Secret key the servers read (None for a service account)."""
    deployment: str
    origin: str
    """Where the reference comes from, in the user's words."""

    def problem(self, found: Found) -> str:
        """The error line when the cluster has it `found`, with the fix."""
        where = f"namespace {self.namespace!r}"
        if self.kind == "ServiceAccount":
            return (
                f"{self.deployment}: service account {self.name!r}, named by {self.origin}, "
                f"does not exist in {where}. Fix: create it (kubectl -n {self.namespace} create "
                f"serviceaccount {self.name}), have the stack create it "
                f"({NAMESPACE}:servers.serviceAccount with `annotations`), or name another."
            )
        if found is Found.MISSING:
            what = f"Secret {self.name!r} does not exist in {where}"
        else:
            what = f"Secret {self.name!r} in {where} has no key {self.key!r}"
        return (
            f"{self.deployment}: {self.origin}: {what}, so its servers could not start and "
            f"were not rolled out. Fix: create it (kubectl -n {self.namespace} create secret "
            f"generic {self.name} --from-literal={self.key}=...), or correct the reference."
        )

    def unchecked(self) -> str:
        """The warning of a render, which has no cluster to read."""
        what = f"Secret {self.name!r} (key {self.key!r})" if self.key else repr(self.name)
        return (
            f"{self.deployment}: {self.origin} needs {self.kind} {what} in namespace "
            f"{self.namespace!r}; it could not be checked (no cluster: rendering manifests). "
            "Create it before applying them."
        )


def referenced_objects(config: StackConfig, discovery: Discovery) -> list[Referenced]:
    """What the served deployments reference, synced and static (none when the listener
    reconciles: Pulumi rolls out no server then)."""
    if config.reconciler != "pulumi":
        return []
    found: list[Referenced] = []
    for dep in discovery.deployments:
        refs = SecretRef.all_of(dep.secret_references)
        found += _secrets(refs, dep.namespace, dep.name, "secret_references in the control plane")
        account = dep.resource_spec.get("service_account_name")
        ours = config.service_account(dep.name)
        # The stack's own name wins; with annotations the stack creates the account.
        if account and not ours.name and not ours.annotations:
            origin = "resource_spec.service_account_name in the control plane"
            found.append(
                Referenced("ServiceAccount", dep.namespace, account, None, dep.name, origin)
            )
    home = config.namespaces.names[0]
    for name, entry in config.deployments.items():
        if entry.static is not None:
            origin = f"{NAMESPACE}:deployments.{name}.static.secretReferences"
            refs = [r.ref() for r in entry.static.secret_references]
            found += _secrets(refs, entry.static.namespace or home, name, origin)
    return found


def _secrets(
    refs: list[SecretRef], namespace: str, deployment: str, origin: str
) -> list[Referenced]:
    return [
        Referenced(
            "Secret", namespace, r.secret_name, r.secret_key, deployment, f"{origin} ({r.name})"
        )
        for r in refs
    ]
