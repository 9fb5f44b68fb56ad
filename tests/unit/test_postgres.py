"""Postgres: in-cluster objects, the data guard, and secret handling."""

from __future__ import annotations

import pulumi

from components.resources.postgres import Postgres, PostgresArgs
from components.spec.revision import Sizing
from tests.unit.harness import MOCK_PASSWORD, run_program, secret_flag

CLIENTS = {"langgraph.ai/deployment-id": "dep-1"}


def build(**kwargs: object) -> dict[str, object]:
    args = PostgresArgs(namespace="ns", instance="agent", client_selector=CLIENTS, **kwargs)  # type: ignore[arg-type]
    pg = Postgres("agent-postgres", args)
    return {"uri": pg.uri, "uri_secret": secret_flag(pg.uri)}


def test_in_cluster_objects() -> None:
    spec = Sizing(db_storage_gi=25, db_max_connections=250, db_cpu=2, db_memory_mb=4096)
    run = run_program(lambda: build(resource_spec=spec))
    assert run.count("kubernetes:apps/v1:StatefulSet") == 1
    assert run.count("kubernetes:core/v1:PersistentVolumeClaim") == 1
    assert run.count("kubernetes:core/v1:Service") == 1
    assert run.count("kubernetes:core/v1:Secret") == 1
    assert run.count("kubernetes:networking.k8s.io/v1:NetworkPolicy") == 1
    assert run.count("random:index/randomPassword:RandomPassword") == 1

    sts = run.named("agent-postgres-statefulset")
    pod = sts.get("spec.template.spec")
    container = pod["containers"][0]
    assert container["image"] == "docker.io/pgvector/pgvector:0.8.0-pg15"
    assert container["ports"] == [{"name": "postgres", "containerPort": 5432}]
    assert container["args"] == ["-c", "max_connections=250"]
    assert container["readinessProbe"]["exec"]["command"][0] == "pg_isready"
    assert container["resources"] == {
        "requests": {"cpu": "2000m", "memory": "4096Mi"},
        "limits": {"cpu": "4000m", "memory": "8192Mi"},
    }
    assert run.named("agent-postgres-data").get("spec.resources.requests.storage") == "25Gi"
    # The password reaches the container only through the Secret.
    env = {e["name"]: e for e in container["env"]}
    assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "POSTGRES_PASSWORD"
    assert "value" not in env["POSTGRES_PASSWORD"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "agent-postgres-data"

    policy = run.named("agent-postgres-ingress")
    assert policy.get("spec.ingress.0.from.0.podSelector.matchLabels") == CLIENTS
    assert policy.get("spec.ingress.0.ports.0.port") == 5432


def test_data_is_guarded_by_default() -> None:
    run = run_program(build)
    for name in ("agent-postgres-data", "agent-postgres-secret"):
        r = run.named(name)
        assert (r.protect, r.retain_on_delete) == (True, True), name
    assert run.named("agent-postgres-password").protect is True
    # Workloads carry no data: they stay replaceable.
    assert run.named("agent-postgres-statefulset").protect is False


def test_only_the_explicit_flag_removes_the_guard() -> None:
    run = run_program(lambda: build(deletion_protection=False))
    for r in run.resources:
        assert not r.protect and not r.retain_on_delete, r.name


def test_password_and_uri_are_secret() -> None:
    run = run_program(build)
    assert run.value["uri_secret"] is True
    assert MOCK_PASSWORD in run.value["uri"]
    assert run.named("agent-postgres-secret").secret_paths == ["stringData"]
    for r in run.resources:
        if r.name != "agent-postgres-secret" and r.typ.startswith("kubernetes:"):
            assert MOCK_PASSWORD not in str(r.inputs), r.name


def test_external_creates_nothing_in_cluster() -> None:
    dsn = pulumi.Output.secret("postgresql://u:p@db.example.com:5432/app")
    run = run_program(lambda: build(external_uri=dsn))
    assert [r.typ for r in run.resources if r.custom] == []
    assert run.value["uri_secret"] is True
