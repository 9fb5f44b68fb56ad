"""Control-plane deployments whose names Kubernetes would refuse (once made into Service,
Secret, StatefulSet... names) are skipped at discovery, each with the reason and the fix,
instead of failing in the middle of `up`; names that clash once made into Kubernetes names
keep one server."""

from __future__ import annotations

from typing import Any

from components.config import parse_stack_config
from components.controlplane.models import Deployment, Listener
from components.planning.discovery import discover


class FakeClient:
    """The two lists discovery reads, answered from memory."""

    base_url = "http://127.0.0.1:8765"

    def __init__(self, names: list[str]) -> None:
        self.deployments = [
            Deployment.model_validate(
                {"id": f"id-{i}", "name": n, "source_config": {"listener_id": "l1"}}
            )
            for i, n in enumerate(names)
        ]

    def iter_listeners(self) -> Any:
        return iter([Listener(id="l1", compute_id="dev-cluster")])

    def list_deployments(self) -> list[Deployment]:
        return self.deployments


def config(**extra: Any):  # type: ignore[no-untyped-def]
    raw = {
        "controlPlane": {"url": "http://127.0.0.1:8765", "listenerComputeId": "dev-cluster"},
        "apiKey": "lsv2_pt_names_test_key",
        "licenseKey": "lgp-names-test",
        **extra,
    }
    return parse_stack_config(raw, ["apiKey", "licenseKey", "externalPostgresUris"])


def test_names_kubernetes_would_refuse_are_skipped_with_the_fix() -> None:
    long_name = "a" * 44  # its Postgres StatefulSet would be 53 characters
    names = ["agent-alpha", "1agent", "---", long_name, "My Agent"]
    found = discover(FakeClient(names), config())  # type: ignore[arg-type]
    assert [d.name for d in found.deployments] == ["My Agent", "agent-alpha"]
    reasons = {s.split(":")[0]: s for s in found.skipped}
    assert set(reasons) == {"1agent", "---", long_name}
    assert "the Service name '1agent'" in reasons["1agent"]
    assert "no Kubernetes name at all" in reasons["---"]
    assert "StatefulSet" in reasons[long_name] and "52" in reasons[long_name]
    assert all("rename it in the control plane" in s for s in found.skipped)


def test_a_long_name_without_statefulsets_is_still_served() -> None:
    # Served today with an external Postgres: the stricter check must not drop it.
    name = "a" * 44
    external = config(
        postgres={"mode": "external"},
        externalPostgresUris={name: "postgresql://u:p@db.internal:5432/app"},
    )
    found = discover(FakeClient([name]), external)  # type: ignore[arg-type]
    assert [d.name for d in found.deployments] == [name] and not found.skipped


def test_names_that_clash_as_kubernetes_names_keep_one_server() -> None:
    found = discover(FakeClient(["My Agent", "my-agent", "my_agent"]), config())  # type: ignore[arg-type]
    assert [d.name for d in found.deployments] == ["my-agent"]
    assert sorted(s.split(":")[0] for s in found.skipped) == ["My Agent", "my_agent"]
    assert all("'my-agent'" in s for s in found.skipped)


def test_a_static_deployment_keeps_its_name_against_a_discovered_one() -> None:
    static = {"agent": {"static": {"image": "ghcr.io/acme/agent:1.0"}}}
    found = discover(FakeClient(["Agent"]), config(deployments=static))  # type: ignore[arg-type]
    assert found.deployments == [] and "deployment 'agent'" in found.skipped[0]
