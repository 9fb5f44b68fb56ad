"""The plan: stack config, discovery and sync outputs in, every component's arguments out.

Pure: no mocks and no engine. Plain inputs give plain results; an Output input (what a
RevisionSync gives) gives an Output, resolved here on an event loop of the test's own.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.config import (
    ConfigError,
    ExposureConfig,
    GatewayRouteConfig,
    StackConfig,
    parse_stack_config,
)
from components.core.kube import CLUSTER_DOMAIN
from components.planning.discovery import DiscoveredDeployment, Discovery
from components.planning.plan import (
    ServedDeployment,
    plan_dataplane,
    plan_sync,
    served_deployments,
)
from components.spec.args import (
    LISTENER_IMAGE,
    POSTGRES_IMAGE,
    REDIS_IMAGE,
    SMITH_URL,
    LangGraphServerArgs,
    ListenerArgs,
    PostgresArgs,
    RedisArgs,
)
from components.spec.revision import RevisionSpec, Sizing

REPO = Path(__file__).resolve().parents[2]
SECRETS = ["apiKey", "licenseKey", "externalPostgresUris", "externalRedisUris", "deployments"]
MIRROR = "registry.acme.internal/mirror"


def config(**overrides: Any) -> StackConfig:
    raw: dict[str, Any] = {
        "controlPlane": {"url": "http://127.0.0.1:8765", "listenerComputeId": "dev-cluster"},
        "apiKey": "lsv2_test_key",
        "licenseKey": "lic-test",
        "namespaces": {"names": ["langgraph", "batch"]},
    }
    raw.update(overrides)
    return parse_stack_config(raw, SECRETS)


def found(name: str, namespace: str = "langgraph") -> DiscoveredDeployment:
    return DiscoveredDeployment(
        id=f"id-{name}",
        name=name,
        namespace=namespace,
        active_revision_id=f"rev-{name}",
        latest_revision_id=f"rev-{name}-next",
        resource_spec={"min_scale": 1, "max_scale": 3, "cpu": 1},
        secrets={"OPENAI_API_KEY": "sk-x"},
    )


@dataclass
class Synced:
    """A RevisionSync's outputs, as plain values."""

    revision_id: Any
    image: Any
    resource_spec: Any
    secrets: Any
    secrets_digest: Any


def synced(name: str, image: Any = None) -> Synced:
    return Synced(
        revision_id=f"rev-{name}",
        image=image or f"registry.example.com/{name}:1.0.0",
        resource_spec={"min_scale": 1, "max_scale": 3},
        secrets={"OPENAI_API_KEY": "sk-x"},
        secrets_digest="0123456789abcdef",
    )


def served(name: str, namespace: str = "langgraph") -> ServedDeployment:
    return ServedDeployment(
        namespace,
        RevisionSpec(
            deployment_id=f"id-{name}",
            deployment_name=name,
            revision_id=f"rev-{name}",
            image=f"registry.example.com/{name}:1.0.0",
            resource_spec=Sizing(min_scale=1, max_scale=3),
        ),
    )


@pytest.fixture(autouse=True)
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """Outputs made during a test resolve on this loop."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    # Outputs the plan made but the test did not read: let them finish before the loop goes.
    loop.run_until_complete(asyncio.gather(*asyncio.all_tasks(loop), return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)


def value(loop: asyncio.AbstractEventLoop, output: Any) -> Any:
    return loop.run_until_complete(pulumi.Output.from_input(output).future())


def secret(loop: asyncio.AbstractEventLoop, output: pulumi.Output[Any]) -> bool:
    return loop.run_until_complete(output.is_secret())


# --- The control-plane side ---


def test_sync_plan_merges_overrides_and_pins(loop: asyncio.AbstractEventLoop) -> None:
    cfg = config(
        controlPlane={
            "url": "http://127.0.0.1:8765",
            "listenerComputeId": "dev-cluster",
            "workspaceId": "ws-1",
            "timeoutSeconds": 5,
        },
        deployments={"a": {"revision": "rev-pinned", "resourceSpec": {"max_scale": 9}}},
    )
    plan = plan_sync(cfg, Discovery("listener-1", [found("a"), found("b", "batch")]))
    assert (plan.endpoint.url, plan.endpoint.workspace_id, plan.endpoint.timeout_seconds) == (
        "http://127.0.0.1:8765",
        "ws-1",
        5,
    )
    assert (plan.compute_id, plan.namespaces) == ("dev-cluster", ["langgraph", "batch"])
    a, b = plan.revisions
    assert a.pinned_revision_id == "rev-pinned" and b.pinned_revision_id is None
    assert a.resource_spec == {"min_scale": 1, "max_scale": 9, "cpu": 1}
    assert b.resource_spec == {"min_scale": 1, "max_scale": 3, "cpu": 1}
    assert (b.namespace, b.active_revision_id, b.latest_revision_id) == (
        "batch",
        "rev-b",
        "rev-b-next",
    )
    assert b.secrets == {"OPENAI_API_KEY": "sk-x"}


def test_sync_plan_declares_no_revision_sync_when_the_listener_reconciles() -> None:
    plan = plan_sync(config(reconciler="listener"), Discovery("listener-1", [found("a")]))
    assert plan.revisions == []


def test_sync_plan_refuses_a_served_deployment_without_its_external_store() -> None:
    cfg = config(redis={"mode": "external"})
    with pytest.raises(ConfigError, match=r"externalRedisUris\.a: missing"):
        plan_sync(cfg, Discovery("listener-1", [found("a")]))


# --- What runs ---


def test_served_deployments_are_the_synced_ones_then_the_static_ones() -> None:
    static = {
        "deploymentId": "d-s",
        "namespace": "batch",
        "revisionId": "r-s",
        "image": "ghcr.io/acme/s:2.0.0",
        "resourceSpec": {"max_scale": 4},
    }
    cfg = config(deployments={"s": {"static": static}})
    discovery = Discovery("listener-1", [found("a"), found("b")])
    # b has no RevisionSync (its check failed, say): it is not served.
    result = served_deployments(cfg, discovery, {"a": synced("a")})
    assert [(s.revision.deployment_name, s.namespace) for s in result] == [
        ("a", "langgraph"),
        ("s", "batch"),
    ]
    a, s = (r.revision for r in result)
    assert (a.deployment_id, a.revision_id, a.image) == (
        "id-a",
        "rev-a",
        "registry.example.com/a:1.0.0",
    )
    assert a.resource_spec == Sizing(min_scale=1, max_scale=3)
    assert a.secrets_digest == "0123456789abcdef"
    assert (s.deployment_id, s.revision_id, s.image) == ("d-s", "r-s", "ghcr.io/acme/s:2.0.0")
    assert s.resource_spec == Sizing(max_scale=4)
    listener = config(reconciler="listener", deployments={"s": {"static": static}})
    assert served_deployments(listener, discovery, {}) == []


# --- The data plane ---


def test_server_arguments(loop: asyncio.AbstractEventLoop) -> None:
    cfg = config(
        controlPlane={
            "url": "http://127.0.0.1:8765",
            "listenerComputeId": "dev-cluster",
            "langsmithEndpoint": "https://smith.acme.internal/api",
        },
        servers={
            "minReplicas": 2,
            "jobsPerWorker": 5,
            "imagePullSecrets": ["agents-registry", "mirror-creds"],
            "serviceAccount": {"name": "platform-sa"},
        },
        images={"registry": MIRROR, "pullSecrets": ["mirror-creds"], "pullPolicy": "Always"},
        postgres={"mode": "external", "storageClass": "fast"},
        deployments={
            "a": {
                "postgres": {"mode": "in-cluster"},
                "serviceAccount": {"annotations": {"iam.gke.io/gcp-service-account": "a@p"}},
            }
        },
        externalPostgresUris={"b": "postgresql://u:p@db:5432/b"},
        workloads={"api": {"priorityClassName": "critical"}},
    )
    plan = plan_dataplane(cfg, [served("a"), served("b", "batch")], listener_id="listener-1")
    a, b = plan.deployments
    server = a.server
    assert server.revision.image == f"{MIRROR}/a:1.0.0"  # the revision image moves too
    spec = server.revision.resource_spec
    assert isinstance(spec, Sizing)
    assert (spec.min_scale, spec.max_scale, spec.queue_min_scale) == (2, 3, 2)
    assert server.image_pull_secrets == ["mirror-creds", "agents-registry"]
    assert server.api_pod.image_pull_secrets == [] and server.queue_pod.image_pull_secrets == []
    assert server.api_pod.priority_class_name == "critical"
    assert server.api_pod.image_pull_policy == "Always"
    assert (server.jobs_per_worker, server.langsmith_endpoint) == (
        5,
        "https://smith.acme.internal/api",
    )
    assert server.service_account_annotations == {"iam.gke.io/gcp-service-account": "a@p"}
    assert server.service_account_name is None
    assert b.server.service_account_name == "platform-sa"
    assert b.server.service_account_annotations is None
    assert server.database_uri is None and server.redis_uri is None  # DataPlane wires them
    assert value(loop, server.api_key) == "lsv2_test_key" and secret(loop, server.api_key)
    assert server.mount_prefix is None and plan.exposure is None and plan.public_urls == {}
    # Stores: a's Postgres in the cluster, b's external (a secret); Redis in the cluster.
    assert a.postgres.external_uri is None
    assert a.postgres.image == f"{MIRROR}/pgvector/pgvector:0.8.0-pg15"
    assert (a.postgres.storage_class, a.postgres.client_selector) == (
        "fast",
        {"langgraph.ai/deployment-id": "id-a"},
    )
    assert a.postgres.resource_spec == spec
    external = b.postgres.external_uri
    assert isinstance(external, pulumi.Output)
    assert value(loop, external) == "postgresql://u:p@db:5432/b" and secret(loop, external)
    assert b.redis.external_uri is None and b.redis.memory_mb == 1024
    assert (b.redis.namespace, b.redis.instance) == ("batch", "b")
    assert b.redis.image == f"{MIRROR}/library/redis:7.4.2"


def test_outputs_of_the_sync_stay_outputs(loop: asyncio.AbstractEventLoop) -> None:
    cfg = config(images={"registry": MIRROR}, servers={"minReplicas": 3})
    image = pulumi.Output.from_input("ghcr.io/acme/agent@sha256:" + "a" * 64)
    result = served_deployments(
        cfg, Discovery("listener-1", [found("a")]), {"a": synced("a", image)}
    )
    (deployment,) = plan_dataplane(cfg, result, listener_id="listener-1").deployments
    revision = deployment.server.revision
    assert value(loop, revision.image) == f"{MIRROR}/acme/agent@sha256:" + "a" * 64
    assert value(loop, revision.resource_spec).min_scale == 3
    assert value(loop, deployment.redis.memory_mb) == 1024


def test_route_sets_mount_prefixes_public_urls_and_the_exposure() -> None:
    gateway = {"enabled": True, "hostname": "agents.example.com", "basePath": "lg"}
    cfg = config(exposure={"gateway": {**gateway, "gatewayName": "public"}})
    plan = plan_dataplane(cfg, [served("a"), served("b", "batch")], listener_id="l")
    assert [d.server.mount_prefix for d in plan.deployments] == ["/lg/a", "/lg/b"]
    assert plan.public_urls == {
        "a": "https://agents.example.com/lg/a",
        "b": "https://agents.example.com/lg/b",
    }
    assert plan.exposure is not None
    assert (plan.exposure.kind, plan.exposure.gateway_name) == ("gateway", "public")
    assert [(s.deployment, s.namespace, s.path) for s in plan.exposure.servers] == [
        ("a", "langgraph", "/lg/a"),
        ("b", "batch", "/lg/b"),
    ]
    # A config made in code gets the loader's check of an incomplete route.
    incomplete = cfg.model_copy(
        update={"exposure": ExposureConfig(gateway=GatewayRouteConfig.model_validate(gateway))}
    )
    with pytest.raises(ConfigError, match=r"exposure\.gateway\.gatewayName: required"):
        plan_dataplane(incomplete, [served("a")], listener_id="l")


def test_listener_mode_runs_the_listener_and_its_queue_and_no_server() -> None:
    cfg = config(
        reconciler="listener",
        images={"registry": MIRROR},
        listener={"replicas": 2, "serviceAccountAnnotations": {"a.example.com/b": "c"}},
        redis={"mode": "external"},
        externalRedisUris={"listener": "redis://:p@queue:6379/0"},
    )
    plan = plan_dataplane(cfg, [], listener_id="listener-1", name="dp")
    assert plan.deployments == [] and plan.exposure is None
    listener = plan.listener
    assert (listener.enabled, listener.namespace, listener.watched_namespaces) == (
        True,
        "langgraph",
        ["langgraph", "batch"],
    )
    assert listener.image == f"{MIRROR}/langchain/langsmith-backend:0.16.36"
    assert (listener.replicas, listener.service_account_annotations) == (
        2,
        {"a.example.com/b": "c"},
    )
    assert listener.redis_uri is None  # DataPlane wires the queue's
    queue = plan.listener_redis
    assert queue is not None
    assert (queue.namespace, queue.instance) == ("langgraph", "dp-listener")
    assert queue.client_selector == {
        "app.kubernetes.io/instance": "dp-listener",
        "app.kubernetes.io/component": "listener",
    }
    assert isinstance(queue.external_uri, pulumi.Output)
    pulumi_mode = plan_dataplane(config(), [], listener_id="listener-1")
    assert pulumi_mode.listener.enabled is False and pulumi_mode.listener_redis is None


def test_a_deployment_is_served_once_and_only_in_a_watched_namespace() -> None:
    with pytest.raises(ValueError, match=r"served twice: \['a'\]"):
        plan_dataplane(config(), [served("a"), served("a", "batch")], listener_id="l")
    with pytest.raises(ValueError, match=r"does not watch: \['a \(elsewhere\)'\]"):
        plan_dataplane(config(), [served("a", "elsewhere")], listener_id="l")


def test_every_shared_default_is_the_same_on_both_sides() -> None:
    cfg = config()
    assert cfg.listener.image == ListenerArgs("ns", "l", "u", "k").image == LISTENER_IMAGE
    assert cfg.postgres.image == PostgresArgs("ns", "i", {}).image == POSTGRES_IMAGE
    assert cfg.redis.image == RedisArgs("ns", "i", {}).image == REDIS_IMAGE
    assert (
        cfg.control_plane.listener_smith_url
        == ListenerArgs("ns", "l", "u", "k").smith_url
        == SMITH_URL
    )
    assert cfg.listener.resources.resources() == ListenerArgs("ns", "l", "u", "k").resources
    assert cfg.cluster_domain == PostgresArgs("ns", "i", {}).cluster_domain == CLUSTER_DOMAIN
    server = LangGraphServerArgs("ns", served("a").revision, "k", "l")
    servers = cfg.servers
    assert (
        servers.queue_enabled,
        servers.jobs_per_worker,
        servers.read_only_root_filesystem,
        servers.cpu_target_percent,
        servers.pdb_max_unavailable,
        servers.service_account.automount_token,
    ) == (
        server.queue_enabled,
        server.jobs_per_worker,
        server.read_only_root_filesystem,
        server.cpu_target_percent,
        server.pdb_max_unavailable,
        server.automount_service_account_token,
    )
    assert cfg.postgres.deletion_protection is PostgresArgs("ns", "i", {}).deletion_protection


# --- Import boundaries ---


def _imported(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    "module",
    [
        "components.planning.plan",
        "components.config",
        "components.spec.args",
        "components.spec.workload",
    ],
)
def test_the_plan_and_what_it_reads_import_no_kubernetes_sdk(module: str) -> None:
    assert not {m for m in _imported(module) if m.startswith("pulumi_kubernetes")}


def test_the_data_plane_component_imports_no_config() -> None:
    assert not {
        m for m in _imported("components.resources.dataplane") if m.startswith("components.config")
    }
