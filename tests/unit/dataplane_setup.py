"""What the DataPlane tests build from: a stack config made in code, served deployments, and
the plan between them (`components/planning/plan.py`), as the program makes it."""

from __future__ import annotations

from typing import Any

import pulumi

from components.config import ControlPlaneConfig, NamespacesConfig, StackConfig
from components.planning.plan import ServedDeployment, plan_dataplane
from components.resources.dataplane import DataPlane
from components.spec.args import DataPlaneArgs
from components.spec.revision import RevisionSpec, Sizing

NAMESPACES = ["langgraph", "batch"]


def stack_config(**settings: Any) -> StackConfig:
    """Two namespaces and made-up keys; `settings` are other `StackConfig` fields."""
    values: dict[str, Any] = {
        "controlPlane": ControlPlaneConfig(
            url="http://127.0.0.1:8765", listener_compute_id="dev-cluster"
        ),
        "api_key": "lsv2_key",
        "license_key": "licence",
        "namespaces": NamespacesConfig(names=NAMESPACES),
    }
    if "create_namespaces" in settings:
        values["namespaces"] = NamespacesConfig(
            names=NAMESPACES, create=settings.pop("create_namespaces")
        )
    return StackConfig.model_validate({**values, **settings})


def served(
    name: str,
    namespace: str = "langgraph",
    *,
    secrets: dict[str, str] | None = None,
    resource_spec: Sizing | None = None,
) -> ServedDeployment:
    """A deployment at one revision, with its image under registry.example.com."""
    return ServedDeployment(
        namespace=namespace,
        revision=RevisionSpec(
            deployment_id=f"id-{name}",
            deployment_name=name,
            revision_id=f"rev-{name}",
            image=f"registry.example.com/{name}:1.0.0",
            resource_spec=resource_spec or Sizing(),
            secret_values=pulumi.Output.secret(secrets if secrets is not None else {}),
        ),
    )


def plan(to_serve: list[ServedDeployment], **settings: Any) -> DataPlaneArgs:
    """The plan of a data plane serving `to_serve`, from `stack_config(**settings)`."""
    return plan_dataplane(stack_config(**settings), to_serve, listener_id="listener-1")


def dataplane(to_serve: list[ServedDeployment], **settings: Any) -> DataPlane:
    """The DataPlane `dataplane` serving `to_serve`, planned from `stack_config(**settings)`."""
    return DataPlane("dataplane", plan(to_serve, **settings))
