"""Redis: in-cluster objects, password handling, and external mode."""

from __future__ import annotations

from components.resources.redis import Redis, RedisArgs
from tests.unit.harness import MOCK_PASSWORD, run_program, secret_flag

CLIENTS = {"langgraph.ai/deployment-id": "dep-1"}


def build(**kwargs: object) -> dict[str, object]:
    redis = Redis(
        "agent-redis",
        RedisArgs(namespace="ns", instance="agent", client_selector=CLIENTS, **kwargs),  # type: ignore[arg-type]
    )
    return {"uri": redis.uri, "uri_secret": secret_flag(redis.uri)}


def test_in_cluster_objects() -> None:
    run = run_program(lambda: build(memory_mb=2048))
    custom = sorted(r.typ for r in run.resources if r.custom)
    assert custom == [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:Secret",
        "kubernetes:core/v1:Service",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "random:index/randomPassword:RandomPassword",
    ]
    container = run.named("agent-redis-deployment").get("spec.template.spec.containers.0")
    assert container["image"] == "docker.io/library/redis:7.4.2"
    assert container["args"][:2] == ["--requirepass", "$(REDIS_PASSWORD)"]
    assert "--maxmemory" in container["args"]
    assert container["readinessProbe"] == {"tcpSocket": {"port": 6379}, "periodSeconds": 5}
    assert container["resources"]["limits"]["memory"] == "2048Mi"
    assert run.named("agent-redis-ingress").get("spec.ingress.0.ports.0.port") == 6379


def test_password_stays_in_the_secret() -> None:
    run = run_program(build)
    assert run.value["uri_secret"] is True
    assert run.value["uri"].startswith(f"redis://:{MOCK_PASSWORD}@agent-redis.ns.svc")
    assert run.named("agent-redis-secret").secret_paths == ["stringData"]
    assert MOCK_PASSWORD not in str(run.named("agent-redis-deployment").inputs)


def test_external_creates_nothing() -> None:
    run = run_program(lambda: build(external_uri="rediss://:pw@cache.example.com:6380/0"))
    assert [r for r in run.resources if r.custom] == []
    assert run.value["uri_secret"] is True
