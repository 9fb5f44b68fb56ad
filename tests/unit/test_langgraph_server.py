"""LangGraphServer: workloads, env wiring, revision secrets and reserved names."""

from __future__ import annotations

import pulumi
import pytest

from components.resources.langgraph_server import LangGraphServer, LangGraphServerArgs
from components.spec.revision import RevisionSpec, Sizing
from tests.unit.harness import run_program

IMAGE = "registry.example.com/agents/support:2.3.1"
SECRET_VALUES = {"OPENAI_API_KEY": "sk-test-abcdef", "TAVILY_KEY": "tv-test-123456"}
PLATFORM_SECRETS = {
    "DATABASE_URI": "postgres://postgres:pg-password-xyz@db:5432/postgres",
    "REDIS_URI": "redis://:redis-password-xyz@redis:6379/0",
    "LANGSMITH_API_KEY": "lsv2_pt_apikey_value",
    "LANGGRAPH_CLOUD_LICENSE_KEY": "licence-value-123",
}


def build(secrets: dict[str, str] | None = None, **kwargs: object) -> dict[str, object]:
    rev = RevisionSpec(
        deployment_id="dep-123",
        deployment_name="support-agent",
        revision_id="rev-456",
        image=IMAGE,
        resource_spec=Sizing(
            min_scale=2, max_scale=5, cpu=1, memory_mb=2048, queue_min_scale=1, queue_max_scale=3
        ),
        secret_values=pulumi.Output.secret(secrets if secrets is not None else SECRET_VALUES),
    )
    server = LangGraphServer(
        "support-agent",
        LangGraphServerArgs(
            namespace="agents",
            revision=rev,
            database_uri=pulumi.Output.secret(PLATFORM_SECRETS["DATABASE_URI"]),
            redis_uri=pulumi.Output.secret(PLATFORM_SECRETS["REDIS_URI"]),
            api_key=pulumi.Output.secret(PLATFORM_SECRETS["LANGSMITH_API_KEY"]),
            license_key=pulumi.Output.secret(PLATFORM_SECRETS["LANGGRAPH_CLOUD_LICENSE_KEY"]),
            **kwargs,  # type: ignore[arg-type]
        ),
    )
    return {"url": server.url}


def test_resource_counts() -> None:
    run = run_program(build)
    assert run.count("kubernetes:apps/v1:Deployment") == 2
    assert run.count("kubernetes:core/v1:Service") == 1
    assert run.count("kubernetes:autoscaling/v2:HorizontalPodAutoscaler") == 2
    assert run.count("kubernetes:policy/v1:PodDisruptionBudget") == 1
    assert run.count("kubernetes:core/v1:Secret") == 2
    assert run.value["url"] == "http://support-agent.agents.svc.cluster.local:8000"


def test_api_pods() -> None:
    run = run_program(lambda: build(langsmith_endpoint="https://smith.acme.internal/api/v1"))
    api = run.named("support-agent-api")
    assert api.get("metadata.name") == "support-agent-api"
    assert "replicas" not in api.inputs["spec"]  # the HPA owns the count
    container = api.get("spec.template.spec.containers.0")
    assert container["name"] == "api-server"
    assert container["image"] == IMAGE
    assert container["ports"] == [{"name": "api-server", "containerPort": 8000}]
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/ok", "port": 8000}
    env = {e["name"]: e for e in container["env"]}
    assert sorted(env) == sorted(
        [*PLATFORM_SECRETS, "PORT", "N_JOBS_PER_WORKER", "LANGSMITH_ENDPOINT"]
    )
    # The tracing settings are in the Secret too, as the keys and store URIs are.
    for name in [*PLATFORM_SECRETS, "LANGSMITH_ENDPOINT"]:
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": "support-agent-platform-env", "key": name}
        assert "value" not in env[name]
    assert env["N_JOBS_PER_WORKER"]["value"] == "0"  # the queue runs the jobs
    secret = run.named("support-agent-platform-env").inputs["stringData"]
    assert secret["LANGSMITH_ENDPOINT"] == "https://smith.acme.internal/api/v1"
    assert container["envFrom"] == [{"secretRef": {"name": "support-agent-revision-secrets"}}]
    labels = api.get("spec.template.metadata.labels")
    assert labels["langgraph.ai/deployment-id"] == "dep-123"
    assert labels["langgraph.ai/revision-id"] == "rev-456"
    # Revision ids change on every rollout: they never enter the immutable selector.
    assert "langgraph.ai/revision-id" not in api.get("spec.selector.matchLabels")


def test_api_pods_keep_serving_while_the_proxies_drop_them() -> None:
    run = run_program(build)
    api = run.named("support-agent-api").get("spec.template.spec.containers.0")
    # Until every node's proxy has removed a stopping pod, its Service still sends it
    # requests: it sleeps before it is told to stop (tests/cluster/realnode measures it).
    assert api["lifecycle"] == {"preStop": {"sleep": {"seconds": 10}}}
    queue = run.named("support-agent-queue").get("spec.template.spec.containers.0")
    assert "lifecycle" not in queue  # no Service sends the queue requests
    off = run_program(lambda: build(drain_seconds=0))
    assert "lifecycle" not in off.named("support-agent-api").get("spec.template.spec.containers.0")


def test_queue_workers_and_autoscalers() -> None:
    run = run_program(lambda: build(jobs_per_worker=25))
    queue = run.named("support-agent-queue").get("spec.template.spec.containers.0")
    env = {e["name"]: e.get("value") for e in queue["env"]}
    assert env["N_JOBS_PER_WORKER"] == "25"
    assert queue["image"] == IMAGE
    api_hpa = run.named("support-agent-api-hpa")
    assert (api_hpa.get("spec.minReplicas"), api_hpa.get("spec.maxReplicas")) == (2, 5)
    assert api_hpa.get("spec.scaleTargetRef.name") == "support-agent-api"
    queue_hpa = run.named("support-agent-queue-hpa")
    assert (queue_hpa.get("spec.minReplicas"), queue_hpa.get("spec.maxReplicas")) == (1, 3)
    assert run.named("support-agent-api-pdb").get("spec.maxUnavailable") == 1


def test_without_queue_the_api_runs_the_jobs() -> None:
    run = run_program(lambda: build(queue_enabled=False, jobs_per_worker=7))
    assert run.count("kubernetes:apps/v1:Deployment") == 1
    assert run.count("kubernetes:autoscaling/v2:HorizontalPodAutoscaler") == 1
    container = run.named("support-agent-api").get("spec.template.spec.containers.0")
    assert {e["name"]: e.get("value") for e in container["env"]}["N_JOBS_PER_WORKER"] == "7"


def test_no_secret_value_is_a_literal_outside_secrets() -> None:
    run = run_program(build)
    values = [*SECRET_VALUES.values(), *PLATFORM_SECRETS.values()]
    for r in run.resources:
        if r.typ == "kubernetes:core/v1:Secret":
            assert r.secret_paths == ["stringData"], r.name
            continue
        assert not r.secret_paths, f"{r.name} has secret inputs {r.secret_paths}"
        text = str(r.inputs)
        assert not [v for v in values if v in text], r.name
    revision_secret = run.named("support-agent-revision-secrets")
    assert revision_secret.get("stringData") == SECRET_VALUES


def test_secret_changes_restart_pods_through_digests() -> None:
    first = run_program(build).named("support-agent-api").get("spec.template.metadata.annotations")
    changed = {**SECRET_VALUES, "OPENAI_API_KEY": "sk-rotated"}
    second = run_program(lambda: build(changed)).named("support-agent-api")
    annotations = second.get("spec.template.metadata.annotations")
    assert annotations["langgraph.ai/secrets-digest"] != first["langgraph.ai/secrets-digest"]
    assert (
        annotations["langgraph.ai/platform-env-digest"] == first["langgraph.ai/platform-env-digest"]
    )


def test_reserved_names_are_refused() -> None:
    with pytest.raises(Exception, match=r"DATABASE_URI.*set by the data plane \(or reserved"):
        run_program(lambda: build({"DATABASE_URI": "postgres://evil"}))
