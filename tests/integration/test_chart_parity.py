"""Both official charts, rendered by pulumi-kubernetes (`helm.v4.Chart`, offline from the
archives in ../shared/charts), against what the components render for the same settings:
the kinds of objects, and the fields that decide what runs. docs/chart-parity.md says
why the differences asserted here are what they are.

One inline program, one `pulumi preview` through the real engine: the `langgraph-cloud`
chart beside a standalone data plane, and the `langgraph-dataplane` chart beside a
listener-mode one (with the operator from the same chart). Each renders in its own
namespace, so every object is told apart by its namespace.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.config import parse_stack_config
from components.planning.discovery import Discovery
from components.planning.plan import plan_dataplane, served_deployments
from components.resources.dataplane import DataPlane
from tests.integration.dataplane_project import engine

pytestmark = pytest.mark.integration

CHARTS = Path(__file__).resolve().parents[3] / "shared" / "charts"
IMAGE_REPO, IMAGE_TAG = "registry.example.com/agents/agent", "1.0.0"
PG, REDIS, MONGO = (
    ("docker.io/pgvector/pgvector", "0.8.0-pg16"),
    ("docker.io/library/redis", "7.4.2"),
    ("docker.io/library/mongo", "7.0.14"),
)
API_KEY, LICENCE = "lsv2_pt_parity_key", "parity-licence"
SMITH, HOST = "https://smith.example.com", "https://langsmith.example.com/api-host"
WORKSPACE, LISTENER_ID = "0b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4", "listener-1"

# The same settings, in each one's words.
CLOUD_VALUES = {
    "images": {
        "apiServerImage": {"repository": IMAGE_REPO, "tag": IMAGE_TAG},
        "postgresImage": {"repository": PG[0], "tag": PG[1]},
        "redisImage": {"repository": REDIS[0], "tag": REDIS[1]},
        "mongoImage": {"repository": MONGO[0], "tag": MONGO[1]},
    },
    "config": {"apiKey": API_KEY, "langGraphCloudLicenseKey": LICENCE, "numberOfJobsPerWorker": 10},
    "apiServer": {
        "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 5},
        "pdb": {"enabled": True},
        "service": {"type": "ClusterIP"},
    },
    "queue": {
        "enabled": True,
        "autoscaling": {
            "enabled": True,
            "minReplicas": 1,
            "maxReplicas": 5,
            "keda": {"enabled": True},
        },
    },
    "mongo": {"enabled": True},
}
STANDALONE = {
    "apiKey": API_KEY,
    "licenseKey": LICENCE,
    "namespaces": {"names": ["agents"]},
    "servers": {"jobsPerWorker": 10, "cpuTargetPercent": 80, "queueKeda": {"enabled": True}},
    "postgres": {"image": f"{PG[0]}:{PG[1]}"},
    "redis": {"image": f"{REDIS[0]}:{REDIS[1]}"},
    "mongo": {"mode": "in-cluster", "image": f"{MONGO[0]}:{MONGO[1]}"},
    "deployments": {
        "agent": {
            "static": {
                "image": f"{IMAGE_REPO}:{IMAGE_TAG}",
                "resourceSpec": {"min_scale": 1, "max_scale": 5},
            }
        }
    },
}
DATAPLANE_VALUES = {
    "config": {
        "langsmithApiKey": API_KEY,
        "hostBackendUrl": HOST,
        "smithBackendUrl": SMITH,
        "langsmithWorkspaceId": WORKSPACE,
        "langgraphListenerId": LISTENER_ID,
        "watchNamespaces": "chart-dp",
    },
    "ingress": {"enabled": False},
    "operator": {"kedaEnabled": False},
}
LISTENER = {
    "controlPlane": {
        "url": HOST,
        "workspaceId": WORKSPACE,
        "listenerComputeId": "c",
        "smithUrl": SMITH,
    },
    "apiKey": API_KEY,
    "licenseKey": LICENCE,
    "reconciler": "listener",
    "namespaces": {"names": ["lg-home"]},
    "operator": {"chart": {"path": str(CHARTS / "langgraph-dataplane-0.2.22.tgz")}},
}
SECRETS = ["apiKey", "licenseKey"]


def program(render_dir: str) -> None:
    provider = k8s.Provider("render", render_yaml_to_directory=render_dir)
    at = pulumi.ResourceOptions(provider=provider)
    k8s.helm.v4.Chart(
        "cloud", chart=str(CHARTS / "langgraph-cloud-0.3.2.tgz"), name="agent",
        namespace="chart-cloud", values=CLOUD_VALUES, opts=at,
    )  # fmt: skip
    k8s.helm.v4.Chart(
        "dataplane-chart", chart=str(CHARTS / "langgraph-dataplane-0.2.22.tgz"), name="lg",
        namespace="chart-dp", values=DATAPLANE_VALUES, opts=at,
    )  # fmt: skip
    ours = pulumi.ResourceOptions(providers=[provider])
    standalone = parse_stack_config(STANDALONE, SECRETS)
    served = served_deployments(standalone, Discovery(None, []), {})
    plan = plan_dataplane(standalone, served, listener_id=None, name="standalone")
    DataPlane("standalone", plan, opts=ours)
    listener = parse_stack_config(LISTENER, SECRETS)
    plan = plan_dataplane(listener, [], listener_id=LISTENER_ID, name="listener")
    DataPlane("listener", plan, opts=ours)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[tuple[str, str], Any]]:
    """Namespace to {(kind, name): object}, from one preview of the program."""
    work = tmp_path_factory.mktemp("parity")
    stack = engine().stack(work, work / "state", lambda: program(str(work / "out")), name="parity")
    preview = stack.preview(json=True)
    objects: dict[str, dict[tuple[str, str], Any]] = {}
    for step in json.loads(preview.stdout)["steps"]:
        state = step.get("newState") or {}
        if not state.get("type", "").startswith("kubernetes:") or "helm.sh" in state["type"]:
            continue
        obj = state["inputs"]
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace", "")
        # Cluster-wide objects may come from both sides under one name: keep each.
        key = (obj["kind"], meta["name"] if namespace else step["urn"])
        objects.setdefault(namespace, {})[key] = obj
    return objects


def container(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]["containers"][0]


def env_of(obj: dict[str, Any], rename: dict[str, str] | None = None) -> dict[str, str]:
    """Env name to its literal value, or `secret` when it comes from a Secret."""
    found = {}
    for e in container(obj).get("env", []):
        source = "secret" if "secretKeyRef" in (e.get("valueFrom") or {}) else e.get("value", "")
        found[(rename or {}).get(e["name"], e["name"])] = str(source)
    return found


def ports(obj: dict[str, Any]) -> list[int]:
    return sorted(p["containerPort"] for p in container(obj).get("ports", []))


# The chart's names for the servers' database URI; the servers read both.
CHART_NAMES = {"POSTGRES_URI": "DATABASE_URI"}


def test_langgraph_cloud_kinds_are_all_rendered(rendered: dict[str, Any]) -> None:
    chart, ours = rendered["chart-cloud"], rendered["agents"]
    chart_kinds = {kind for kind, _ in chart}
    # No ServiceAccount by default here: the servers run without a token (workload identity
    # through `servers.serviceAccount` makes one).
    assert chart_kinds - {"ServiceAccount"} <= {kind for kind, _ in ours}, chart_kinds


@pytest.mark.parametrize(
    ("kind", "chart_role", "our_name"),
    [
        ("Deployment", "api-server", "agent-api"),
        ("Deployment", "queue", "agent-queue"),
        ("StatefulSet", "postgres", "agent-postgres"),
        ("Deployment", "redis", "agent-redis"),
        ("StatefulSet", "mongo", "agent-mongo"),
    ],
)
def test_langgraph_cloud_workloads_run_the_same(
    rendered: dict[str, Any], kind: str, chart_role: str, our_name: str
) -> None:
    theirs = rendered["chart-cloud"][(kind, f"agent-langgraph-cloud-{chart_role}")]
    ours = rendered["agents"][(kind, our_name)]
    assert container(ours)["image"] == container(theirs)["image"]
    assert ports(ours) == ports(theirs)
    if chart_role in ("api-server", "queue"):
        assert env_of(ours) == env_of(theirs, CHART_NAMES)
        assert env_of(ours)["LS_DEFAULT_CHECKPOINTER_BACKEND"] == "mongo"
    if chart_role == "queue":
        # A difference: the chart starts the worker's own entrypoint; here the queue runs the
        # image's default one with N_JOBS_PER_WORKER jobs (the API's is 0), the same command
        # for control-plane and static images.
        assert container(theirs)["command"] == ["/storage/queue_entrypoint.sh"]
        assert "command" not in container(ours)
    if chart_role == "mongo":
        # A single-node replica set `rs0`, initiated with its own Service name, in both.
        assert env_of(theirs)["MONGO_REPLICA_SET_NAME"] == "rs0"
        assert container(ours)["command"][:3] == ["mongod", "--replSet", "rs0"]


def test_langgraph_cloud_autoscaling_and_budget_are_the_same(rendered: dict[str, Any]) -> None:
    chart, ours = rendered["chart-cloud"], rendered["agents"]
    prefix = "agent-langgraph-cloud"
    their_hpa = chart[("HorizontalPodAutoscaler", f"{prefix}-api-server")]["spec"]
    our_hpa = ours[("HorizontalPodAutoscaler", "agent-api")]["spec"]
    for key in ("minReplicas", "maxReplicas", "metrics"):
        assert our_hpa[key] == their_hpa[key], key
    # KEDA: the queue's only autoscaler, in both.
    assert ("HorizontalPodAutoscaler", f"{prefix}-queue") not in chart
    assert ("HorizontalPodAutoscaler", "agent-queue") not in ours
    theirs = chart[("ScaledObject", f"{prefix}-queue")]["spec"]
    mine = ours[("ScaledObject", "agent-queue")]["spec"]
    for key in (
        "minReplicaCount",
        "maxReplicaCount",
        "pollingInterval",
        "cooldownPeriod",
        "advanced",
    ):
        assert mine[key] == theirs[key], key
    renamed = json.loads(json.dumps(theirs["triggers"]).replace("POSTGRES_URI", "DATABASE_URI"))
    assert mine["triggers"] == renamed
    # The budget keeps one API pod in both: the chart as minAvailable, here maxUnavailable.
    their_pdb = chart[("PodDisruptionBudget", f"{prefix}-api-server")]["spec"]
    our_pdb = ours[("PodDisruptionBudget", "agent-api")]["spec"]
    assert (their_pdb.get("minAvailable"), our_pdb.get("maxUnavailable")) == (1, 1)
    api_labels = ours[("Deployment", "agent-api")]["spec"]["template"]["metadata"]["labels"]
    assert our_pdb["selector"]["matchLabels"].items() <= api_labels.items()


def test_the_dataplane_chart_operator_is_the_one_installed(rendered: dict[str, Any]) -> None:
    chart, ours = rendered["chart-dp"], rendered["lg-home"]
    operator_kinds = {"Deployment", "ConfigMap", "Service", "ServiceAccount", "Role", "RoleBinding"}
    their_operator = {
        (k, n.removeprefix("lg-")) for k, n in chart if "operator" in n or n.endswith("-config")
    }
    our_operator = {(k, n) for k, n in ours if n.startswith("langgraph-dataplane-")}
    assert {k for k, _ in our_operator} == operator_kinds
    assert our_operator == their_operator
    theirs = chart[("Deployment", "lg-langgraph-dataplane-operator")]
    mine = ours[("Deployment", "langgraph-dataplane-operator")]
    assert container(mine)["image"] == container(theirs)["image"]
    assert mine["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    # The CRD, cluster-wide, rendered by both.
    crds = [obj for obj in rendered[""].values() if obj["kind"] == "CustomResourceDefinition"]
    assert len(crds) == 2 and crds[0]["spec"] == crds[1]["spec"]


def test_the_dataplane_chart_listener_runs_as_ours(rendered: dict[str, Any]) -> None:
    theirs = rendered["chart-dp"][("Deployment", "lg-langgraph-dataplane-listener")]
    ours = rendered["lg-home"][("Deployment", "listener-listener")]
    for key in ("image", "command"):
        assert container(ours)[key] == container(theirs)[key], key
    assert ports(ours) == ports(theirs) == [8080]
    assert env_of(ours) == env_of(theirs)

    # Least privilege: the listener's Role grants nothing the chart's does not.
    def grants(role: dict[str, Any]) -> set[tuple[str, str, str]]:
        return {
            (group, resource, verb)
            for rule in role["rules"]
            for group in rule["apiGroups"]
            for resource in rule["resources"]
            for verb in rule["verbs"]
        }

    their_role = rendered["chart-dp"][("Role", "lg-langgraph-dataplane-listener")]
    our_role = rendered["lg-home"][("Role", "listener-listener")]
    assert grants(our_role) <= grants(their_role), grants(our_role) - grants(their_role)
