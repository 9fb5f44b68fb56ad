"""What the pack knows of the stack being previewed, and of the project's other stacks.

The stack's own settings come from its config as the engine runs it (the language host
hands the pack the stack's config in `PULUMI_CONFIG`, as it does a program): the very keys
the program reads, so the pack and the program cannot disagree about, say, the registry
prefix or the Postgres opt-out. The other stacks are known only from their files in the
project's `stackConfigDir`: that is the limit of what one stack can know of the fleet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

# The program's own defaults: the namespaces, the region, and the LangSmith cloud API hosts
# whose `controlPlane.langsmithUrl` names that region's control plane (any other host is a
# self-hosted LangSmith, whose control plane is `<origin>/api-host`).
from components.core.defaults import CLOUD_API_REGIONS, DEFAULT_NAMESPACES, DEFAULT_REGION

CONFIG_NAMESPACE = "dataplane"


@dataclass(frozen=True)
class StackSettings:
    """One stack's `dataplane:` settings that the rules need."""

    project: str
    stack: str
    values: Mapping[str, Any]
    """Config key (`dataplane:images`) to its value; objects as dicts, lists as lists."""
    kubeconfig_override: str | None = None
    """`DATAPLANE_KUBECONFIG` of the running stack: the program applies with it instead."""
    control_plane_url: str | None = None
    """`LANGSMITH_CONTROL_PLANE_URL` of the running stack: the program's control plane when
    `controlPlane` names neither `url` nor `region`."""

    @classmethod
    def from_engine(
        cls,
        project: str,
        stack: str,
        config: Mapping[str, str],
        kubeconfig_override: str | None = None,
        control_plane_url: str | None = None,
    ) -> StackSettings:
        """From the engine's config map, where every value is a string (objects as JSON)."""
        values = {key: _decoded(value) for key, value in config.items()}
        return cls(project, stack, values, kubeconfig_override or None, control_plane_url or None)

    @classmethod
    def from_file(cls, project: str, path: Path) -> StackSettings:
        """From a stack file `Pulumi.<stack>.yaml`."""
        doc = yaml.safe_load(path.read_text()) or {}
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        return cls(project, stack, dict(doc.get("config") or {}))

    def section(self, key: str) -> dict[str, Any]:
        """The object at `dataplane:<key>`, or {} when unset or not an object."""
        value = self.values.get(f"{CONFIG_NAMESPACE}:{key}")
        return value if isinstance(value, dict) else {}

    def value(self, key: str) -> Any:
        return self.values.get(f"{CONFIG_NAMESPACE}:{key}")

    @property
    def registry(self) -> str | None:
        """`dataplane:images.registry`: the prefix every image must use, when set."""
        registry = self.section("images").get("registry")
        return registry if isinstance(registry, str) and registry else None

    @property
    def postgres_opted_out(self) -> bool:
        """True only when the stack says `dataplane:postgres.deletionProtection: false`."""
        flag = self.section("postgres").get("deletionProtection")
        return flag is False or (isinstance(flag, str) and flag.strip().lower() == "false")

    @property
    def namespaces(self) -> list[str]:
        """The watched namespaces (`dataplane:namespaces.names`, or the program's default)."""
        names = self.section("namespaces").get("names")
        if isinstance(names, list) and names:
            return [str(n) for n in names]
        return list(DEFAULT_NAMESPACES)

    @property
    def adopts_namespaces(self) -> bool:
        """`dataplane:namespaces.create: false`: the namespaces exist already."""
        create = self.section("namespaces").get("create")
        return create is False or (isinstance(create, str) and create.strip().lower() == "false")

    @property
    def kubeconfig(self) -> str | None:
        """The kubeconfig the program applies with (`DATAPLANE_KUBECONFIG`, else
        `dataplane:kubeconfig` as written); None renders manifests instead."""
        value = self.kubeconfig_override or self.value("kubeconfig")
        return value if isinstance(value, str) and value else None

    @property
    def listener(self) -> tuple[str, str | None, str | None]:
        """The listener's identity in the control plane: endpoint, workspace, compute id.

        The endpoint in the program's order: `url`, `region`, the environment's URL, the one
        `langsmithUrl` derives (a cloud one as its region), the default region."""
        cp = self.section("controlPlane")
        return self._endpoint(cp), cp.get("workspaceId"), cp.get("listenerComputeId")

    def _endpoint(self, cp: Mapping[str, Any]) -> str:
        url, region, langsmith_url = cp.get("url"), cp.get("region"), cp.get("langsmithUrl")
        if isinstance(url, str) and url:
            return url.rstrip("/")
        if isinstance(region, str) and region:
            return f"region {region}"
        if self.control_plane_url:
            return self.control_plane_url.rstrip("/")
        if isinstance(langsmith_url, str) and langsmith_url:
            parts = urlsplit(langsmith_url.strip())
            cloud = CLOUD_API_REGIONS.get((parts.hostname or "").lower())
            return f"region {cloud}" if cloud else f"{parts.scheme}://{parts.netloc}/api-host"
        return f"region {DEFAULT_REGION}"


def other_stacks(project_dir: Path, current: StackSettings) -> list[StackSettings] | None:
    """The settings of the project's other stacks, from their files.

    None when `project_dir` holds no `Pulumi.yaml` of the current stack's project: then the
    pack knows no other stack of it.
    """
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        return None
    project = yaml.safe_load(project_file.read_text()) or {}
    if project.get("name") != current.project:
        return None
    stacks_dir = project_dir / str(project.get("stackConfigDir") or ".")
    return [
        StackSettings.from_file(current.project, path)
        for path in sorted(stacks_dir.glob("Pulumi.*.yaml"))
        if path.name != f"Pulumi.{current.stack}.yaml"
    ]


def _decoded(value: str) -> Any:
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
