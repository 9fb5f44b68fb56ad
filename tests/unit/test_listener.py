"""Listener: chart parity when enabled, nothing in-cluster when Pulumi reconciles."""

from __future__ import annotations

import pulumi

from components.resources.listener import Listener, ListenerArgs
from tests.unit.harness import run_program

API_KEY = "lsv2_pt_listener_key_value"


def build(enabled: bool = True) -> dict[str, object]:
    listener = Listener(
        "dataplane-listener",
        ListenerArgs(
            namespace="langgraph",
            listener_id="listener-789",
            control_plane_url="https://api.host.langchain.com",
            api_key=pulumi.Output.secret(API_KEY),
            redis_uri=pulumi.Output.secret("redis://:pw@queue:6379/0"),
            watched_namespaces=["langgraph", "team-b"],
            workspace_id="ws-1",
            enabled=enabled,
        ),
    )
    return {"id": listener.listener_id}


def test_enabled_listener_has_chart_parity() -> None:
    run = run_program(build)
    assert run.count("kubernetes:core/v1:ServiceAccount") == 1
    assert run.count("kubernetes:rbac.authorization.k8s.io/v1:Role") == 2
    assert run.count("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding") == 2
    assert run.count("kubernetes:core/v1:Secret") == 1
    assert run.count("kubernetes:apps/v1:Deployment") == 1
    roles = {
        r.get("metadata.namespace")
        for r in run.of_type("kubernetes:rbac.authorization.k8s.io/v1:Role")
    }
    assert roles == {"langgraph", "team-b"}
    binding = run.named("dataplane-listener-rolebinding-team-b")
    assert binding.get("subjects.0") == {
        "kind": "ServiceAccount",
        "name": "dataplane-listener",
        "namespace": "langgraph",
    }
    # Least privilege: namespaced Roles only, no wildcard verbs or resources.
    for role in run.of_type("kubernetes:rbac.authorization.k8s.io/v1:Role"):
        for rule in role.get("rules"):
            assert "*" not in rule["verbs"] and "*" not in rule["resources"]

    pod = run.named("dataplane-listener-deployment").get("spec.template.spec")
    container = pod["containers"][0]
    assert container["image"] == "docker.io/langchain/langsmith-backend:0.16.36"
    assert container["command"] == ["host_backend_entrypoint.sh", "./listener_entrypoint.sh"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/health", "port": 8080}
    assert container["resources"] == {
        "requests": {"cpu": "1000m", "memory": "2Gi"},
        "limits": {"cpu": "2000m", "memory": "4Gi"},
    }
    env = {e["name"]: e for e in container["env"]}
    assert env["HOST_WORKER_LISTENER_ID"]["value"] == "listener-789"
    assert env["HOST_BACKEND_ENDPOINT"]["value"] == "https://api.host.langchain.com"
    assert env["HOST_WORKER_TENANT_ID"]["value"] == "ws-1"
    assert env["HOST_QUEUE"]["value"] == "host"
    for name in ("HOST_WORKER_LANGSMITH_API_KEY", "REDIS_DATABASE_URI"):
        assert "secretKeyRef" in env[name]["valueFrom"] and "value" not in env[name]
    assert pod["serviceAccountName"] == "dataplane-listener"
    assert pod["automountServiceAccountToken"] is True  # it talks to the Kubernetes API
    assert API_KEY not in str(run.named("dataplane-listener-deployment").inputs)
    assert run.named("dataplane-listener-secret").secret_paths == ["stringData"]


def test_disabled_listener_deploys_nothing() -> None:
    run = run_program(lambda: build(enabled=False))
    assert [r for r in run.resources if r.custom] == []
    assert run.value["id"] == "listener-789"
