"""Standalone Agent Servers: a stack without `controlPlane` serves its static deployments,
with the `langgraph-cloud` chart's objects (KEDA for the queue, tracing settings in Secrets,
the Mongo checkpointer), and asks no control plane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.config import ConfigError, parse_stack_config
from components.planning.plan import image_revision, served_deployments
from components.resources.langgraph_server import PENDING_RUNS_QUERY
from components.resources.mongo import initiate_command
from devtools.registrations import REPO, _environment, fake_control_plane, stack_config
from tests.unit.harness import Run, mocked_main, run_program

EXAMPLE = REPO / "stacks" / "Pulumi.standalone-example.yaml"
SECRETS = ["apiKey", "licenseKey", "deployments", "externalMongoUris"]
DIGEST = "sha256:" + "ab12" * 16


def standalone(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "licenseKey": "lic-test",
        "deployments": {"agent": {"static": {"image": "registry.example.com/agent:1.2.3"}}},
    }
    raw.update(overrides)
    return raw


def problems(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(raw, SECRETS)
    return "\n".join(info.value.problems)


def run_stack(path: Path, *, preview: bool = False) -> Run:
    config, secret_keys = stack_config(path)
    with _environment(), fake_control_plane(config):
        return run_program(mocked_main, config=config, secret_keys=secret_keys, preview=preview)


# --- The config ---


def test_a_stack_without_control_plane_is_standalone_and_needs_no_api_key() -> None:
    config = parse_stack_config(standalone(), SECRETS)
    assert config.standalone and config.api_key is None
    (served,) = served_deployments(config, discovery=_nothing(), syncs={})
    # Unset identity: the deployment's name, the image's tag, the first namespace.
    assert served.namespace == "langgraph"
    assert served.revision.deployment_id == "agent"
    assert served.revision.revision_id == "1.2.3"


def test_revision_of_a_static_image_follows_the_image() -> None:
    assert image_revision("registry.example.com/a:2.0.0-rc.1") == "2.0.0-rc.1"
    assert image_revision(f"registry.example.com/a@{DIGEST}") == "sha256-ab12ab12ab12"
    # With a tag and a digest, the digest decides: the tag may stay while the image moves.
    assert image_revision(f"registry.example.com/a:1.0@{DIGEST}") == "sha256-ab12ab12ab12"
    assert image_revision("r.example.com/a:" + "x" * 100) == "x" * 63


def test_standalone_mistakes_are_named_with_their_fix() -> None:
    text = problems(standalone(reconciler="listener", deployments={"synced": {}}))
    assert "dataplane:reconciler: `listener` needs a control plane" in text
    assert "dataplane:deployments.synced: a standalone stack (no `controlPlane`)" in text
    assert "deployments.synced.static" in text
    assert "there are none" in problems(standalone(deployments={}))


def test_a_synced_stack_still_needs_its_api_key() -> None:
    raw = standalone(controlPlane={"region": "us", "listenerComputeId": "c"})
    assert "dataplane:apiKey: required with `controlPlane`" in problems(raw)


def test_the_endpoint_is_set_in_one_place() -> None:
    raw = standalone(
        apiKey="lsv2_k",
        controlPlane={"region": "eu", "listenerComputeId": "c", "langsmithEndpoint": "https://a"},
        langsmithEndpoint="https://b",
    )
    assert "dataplane:langsmithEndpoint: is set twice" in problems(raw)


def test_deployment_env_takes_no_platform_name_no_credential_and_no_duplicate() -> None:
    env = [
        {"name": "DATABASE_URI", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        {"name": "LS_DEFAULT_CHECKPOINTER_BACKEND", "value": "mongo"},
        {"name": "OPENAI_API_KEY", "value": "sk-abc"},
        {"name": "SHARED", "value": "1"},
    ]
    deployments = {"agent": {"env": env, "static": {"image": "r.example.com/a:1"}}}
    workloads = {"queue": {"extraEnv": [{"name": "SHARED", "value": "2"}]}}
    text = problems(standalone(deployments=deployments, workloads=workloads))
    assert "['DATABASE_URI', 'LS_DEFAULT_CHECKPOINTER_BACKEND'] are set by the data plane" in text
    assert "OPENAI_API_KEY looks like a credential" in text
    assert "sk-abc" not in text
    assert "['SHARED'] are also set by `workloads.api` or `workloads.queue`" in text


def test_an_external_mongo_needs_its_uri() -> None:
    text = problems(standalone(mongo={"mode": "external"}))
    assert "dataplane:externalMongoUris.agent: missing" in text
    bad = standalone(mongo={"mode": "external"}, externalMongoUris={"agent": "http://m:1"})
    assert "externalMongoUris.agent: must start with mongodb://" in problems(bad)


# --- The example stack, through the whole program ---


def test_the_example_asks_no_control_plane_and_declares_no_listener() -> None:
    # `fake_control_plane` fails any control-plane call of a stack without `controlPlane`.
    run = run_stack(EXAMPLE)
    types = {r.typ for r in run.resources}
    assert "pulumi-python:dynamic:Resource" not in types  # no registration, no revision sync
    assert "langgraph:dataplane:Listener" not in types
    assert run.value is None or run.value == {}  # main exports through pulumi.export
    assert run.count("langgraph:dataplane:LangGraphServer") == 2


def test_the_example_serves_the_chart_objects() -> None:
    run = run_stack(EXAMPLE)
    api = run.named("dataplane-support-agent-api").get("spec.template.spec.containers.0")
    env = {e["name"]: e for e in api["env"]}
    # Tracing settings, keys and stores: from the server's Secret, never literal.
    for name in ("LANGSMITH_API_KEY", "LANGSMITH_ENDPOINT", "LANGGRAPH_CLOUD_LICENSE_KEY"):
        assert env[name]["valueFrom"]["secretKeyRef"]["key"] == name
    assert env["LOG_LEVEL"] == {"name": "LOG_LEVEL", "value": "info"}  # the deployment's env
    assert env["N_JOBS_PER_WORKER"]["value"] == "0"
    queue = run.named("dataplane-support-agent-queue").get("spec.template.spec.containers.0")
    assert {"name": "LOG_LEVEL", "value": "info"} in queue["env"]

    # KEDA for the queue workers, instead of their HPA; the API keeps its HPA and PDB.
    names = {r.name for r in run.resources}
    assert "dataplane-support-agent-queue-hpa" not in names
    assert "dataplane-support-agent-api-hpa" in names and "dataplane-support-agent-api-pdb" in names
    scaled = run.named("dataplane-support-agent-queue-scaledobject")
    assert scaled.typ == "kubernetes:keda.sh/v1alpha1:ScaledObject"
    spec = scaled.inputs["spec"]
    assert spec["scaleTargetRef"] == {"name": "support-agent-queue"}
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (1, 10)
    assert (spec["pollingInterval"], spec["cooldownPeriod"]) == (30, 300)
    postgres_trigger = spec["triggers"][1]["metadata"]
    assert postgres_trigger == {
        "connectionFromEnv": "DATABASE_URI",
        "query": PENDING_RUNS_QUERY,
        "targetQueryValue": "10",
        "activationTargetQueryValue": "10",
    }

    # The Mongo checkpointer, for research-agent only.
    research = run.named("dataplane-research-agent-api").get("spec.template.spec.containers.0")
    renv = {e["name"]: e for e in research["env"]}
    assert renv["LS_DEFAULT_CHECKPOINTER_BACKEND"]["value"] == "mongo"
    assert renv["LS_MONGODB_URI"]["valueFrom"]["secretKeyRef"]["key"] == "LS_MONGODB_URI"
    assert "LS_MONGODB_URI" not in env
    secret = run.named("dataplane-research-agent-platform-env").inputs["stringData"]
    assert secret["LS_MONGODB_URI"] == (
        "mongodb://research-agent-mongo.agents.svc.cluster.local:27017/langgraph?replicaSet=rs0"
    )
    mongo = run.named("dataplane-research-agent-mongo-statefulset")
    container = mongo.get("spec.template.spec.containers.0")
    assert container["command"][:3] == ["mongod", "--replSet", "rs0"]
    assert mongo.get("spec.template.spec.securityContext.runAsNonRoot") is True
    assert run.named("dataplane-research-agent-mongo-service").get("spec.clusterIP") == "None"
    # The data volume is guarded like Postgres's.
    data = run.named("dataplane-research-agent-mongo-data")
    assert data.protect and data.retain_on_delete
    # The revision follows the image's digest.
    labels = run.named("dataplane-research-agent-api").get("spec.template.metadata.labels")
    assert labels["langgraph.ai/revision-id"].startswith("sha256-")
    assert labels["langgraph.ai/deployment-id"] == "research-agent"


def test_without_api_key_the_servers_get_no_langsmith_key() -> None:
    config = parse_stack_config(standalone(), SECRETS)
    from components.planning.plan import plan_dataplane

    plan = plan_dataplane(config, served_deployments(config, _nothing(), {}), listener_id=None)
    assert plan.listener is None and plan.listener_redis is None
    (served,) = plan.deployments
    assert served.server.api_key is None and served.mongo is None


def test_the_replica_set_is_initiated_once_with_its_own_name() -> None:
    shell, flag, loop = initiate_command("m.ns.svc.cluster.local:27017")
    assert (shell, flag) == ("/bin/sh", "-c")
    assert "rs.status()" in loop and "host: 'm.ns.svc.cluster.local:27017'" in loop
    assert "$(seq 1 60)" in loop and loop.endswith("exit 1")


def _nothing() -> Any:
    from components.planning.discovery import Discovery

    return Discovery(None, [])
