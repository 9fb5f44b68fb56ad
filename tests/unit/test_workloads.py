"""Per-workload knobs (placement, extras, images, identity, metadata) and safe restarts.

Every knob is set for one workload kind at a time and must appear on that kind's pods and on
no other. Kinds are told apart by the `app.kubernetes.io/component` label of the pod template.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from components.config import (
    DeploymentConfig,
    EnvVar,
    ImagesConfig,
    ListenerWorkloadConfig,
    PodConfig,
    ServersConfig,
    ServiceAccountConfig,
)
from components.controlplane import RESERVED_ENV_NAMES
from components.planning.plan import ServedDeployment
from components.resources.dataplane import DataPlane
from components.spec.revision import Sizing, secrets_digest
from components.spec.workload import (
    OWN_CONTAINERS,
    OWN_ENV_NAMES,
    OWN_VOLUMES,
    WORKLOAD_KINDS,
    reserved_env_problem,
)
from tests.unit.dataplane_setup import dataplane, plan
from tests.unit.dataplane_setup import served as served_at
from tests.unit.harness import MOCK_PASSWORD, Registered, Run, run_program

WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")
MIRROR = "registry.acme.internal/mirror"


def served(name: str, namespace: str = "langgraph", max_scale: int = 1) -> ServedDeployment:
    return served_at(
        name,
        namespace,
        secrets={"OPENAI_API_KEY": "sk-x"},
        resource_spec=Sizing(max_scale=max_scale),
    )


def build(to_serve: list[ServedDeployment] | None = None, **settings: Any) -> Any:
    dp = dataplane(
        to_serve if to_serve is not None else [served("alpha"), served("beta", "batch")],
        **settings,
    )
    return {"urls": dp.server_urls, "public": dp.server_public_urls}


def run_both(**kwargs: Any) -> list[Run]:
    """The Pulumi-reconciled data plane (with Mongo checkpointers) and the listener-reconciled
    one: every kind runs."""
    return [
        run_program(lambda: build(mongo={"mode": "in-cluster"}, **kwargs)),
        run_program(lambda: build(reconciler="listener", **kwargs)),
    ]


def workloads(run: Run) -> list[tuple[str, Registered]]:
    found = []
    for typ in WORKLOADS:
        for w in run.of_type(typ):
            kind = w.get("spec.template.metadata.labels")["app.kubernetes.io/component"]
            found.append((kind, w))
    return found


def pod(w: Registered) -> dict[str, Any]:
    return w.get("spec.template.spec")


EVERYTHING = {
    "nodeSelector": {"pool": "agents"},
    "tolerations": [
        {"key": "dedicated", "operator": "Equal", "value": "ml", "effect": "NoSchedule"}
    ],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "arch", "operator": "In", "values": ["amd64"]}]}
                ]
            }
        }
    },
    "topologySpreadConstraints": [
        {
            "maxSkew": 2,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
        }
    ],
    "priorityClassName": "critical-agents",
    "terminationGracePeriodSeconds": 90,
    "dnsPolicy": "ClusterFirst",
    "dnsConfig": {"options": [{"name": "ndots", "value": "2"}]},
    "podLabels": {"team": "ml"},
    "podAnnotations": {"example.com/scrape": "true"},
    "extraEnv": [
        {"name": "EXTRA_FLAG", "value": "1"},
        {"name": "EXTRA_TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "token"}}},
    ],
    "extraVolumes": [{"name": "certs", "secret": {"secretName": "ca-bundle"}}],
    "extraVolumeMounts": [{"name": "certs", "mountPath": "/etc/extra-certs", "readOnly": True}],
    "sidecars": [{"name": "log-shipper", "image": "docker.io/fluent/fluent-bit:3.1.9"}],
}
POD_KEYS = (
    "nodeSelector",
    "tolerations",
    "affinity",
    "topologySpreadConstraints",
    "priorityClassName",
    "terminationGracePeriodSeconds",
    "dnsPolicy",
    "dnsConfig",
)


@pytest.mark.parametrize("kind", WORKLOAD_KINDS)
def test_each_knob_reaches_its_kind_and_no_other(kind: str) -> None:
    config = PodConfig.model_validate(EVERYTHING)
    seen = set()
    for run in run_both(workloads={kind: config}):
        for found, w in workloads(run):
            spec, meta = pod(w), w.get("spec.template.metadata")
            main = spec["containers"][0]
            env = {e["name"]: e for e in main["env"]}
            mounts = [m["mountPath"] for m in main.get("volumeMounts", [])]
            volumes = [v["name"] for v in spec.get("volumes", [])]
            if found != kind:
                assert not set(POD_KEYS) & set(spec), (w.name, set(POD_KEYS) & set(spec))
                assert [c["name"] for c in spec["containers"]] == [OWN_CONTAINERS[found]]
                assert "EXTRA_FLAG" not in env and "certs" not in volumes, w.name
                assert "team" not in meta["labels"], w.name
                assert "example.com/scrape" not in meta.get("annotations", {}), w.name
                continue
            seen.add(w.name)
            assert spec["nodeSelector"] == {"pool": "agents"}
            assert spec["tolerations"] == EVERYTHING["tolerations"]
            assert spec["affinity"] == EVERYTHING["affinity"]
            assert spec["priorityClassName"] == "critical-agents"
            assert spec["terminationGracePeriodSeconds"] == 90
            assert spec["dnsPolicy"] == "ClusterFirst"
            assert spec["dnsConfig"] == {"options": [{"name": "ndots", "value": "2"}]}
            # A constraint without a labelSelector selects this workload's own pods.
            (spread,) = spec["topologySpreadConstraints"]
            assert spread["maxSkew"] == 2
            assert spread["labelSelector"]["matchLabels"] == w.get("spec.selector.matchLabels")
            assert meta["labels"]["team"] == "ml"
            assert meta["annotations"]["example.com/scrape"] == "true"
            assert env["EXTRA_FLAG"] == {"name": "EXTRA_FLAG", "value": "1"}
            assert "value" not in env["EXTRA_TOKEN"]
            assert "/etc/extra-certs" in mounts and "certs" in volumes
            sidecar = spec["containers"][-1]
            assert sidecar["name"] == "log-shipper"
            assert sidecar["image"] == "docker.io/fluent/fluent-bit:3.1.9"
            # The namespaces enforce the restricted Pod Security Standard.
            assert sidecar["securityContext"]["allowPrivilegeEscalation"] is False
            assert sidecar["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert seen, f"no {kind} workload was built"


def test_own_labels_and_annotations_win_over_pod_extras() -> None:
    config = PodConfig(pod_labels={"tier": "x"}, pod_annotations={"a.example.com/b": "c"})
    run = run_program(lambda: build(workloads={"api": config}))
    meta = run.named("dataplane-alpha-api").get("spec.template.metadata")
    assert meta["labels"]["app.kubernetes.io/component"] == "api"
    assert meta["labels"]["langgraph.ai/revision-id"] == "rev-alpha"
    assert "langgraph.ai/secrets-digest" in meta["annotations"]


def test_extra_env_may_not_hide_a_revision_secret() -> None:
    ref = {"secretKeyRef": {"name": "other", "key": "k"}}
    env = [EnvVar(name="OPENAI_API_KEY", value_from=ref)]
    with pytest.raises(Exception, match=r"OPENAI_API_KEY are also set by dataplane:workloads"):
        run_program(lambda: build(workloads={"queue": PodConfig(extra_env=env)}))


# --- Topology spread defaults ---


def spread_of(run: Run, name: str) -> Any:
    return pod(run.named(name)).get("topologySpreadConstraints")


def test_api_pods_spread_over_zones_and_nodes_when_they_can_scale() -> None:
    run = run_program(lambda: build([served("alpha", max_scale=3), served("beta", "batch")]))
    zone, node = spread_of(run, "dataplane-alpha-api")
    selector = run.named("dataplane-alpha-api").get("spec.selector.matchLabels")
    assert zone["topologyKey"] == "topology.kubernetes.io/zone"
    assert zone["whenUnsatisfiable"] == "ScheduleAnyway"
    assert node["topologyKey"] == "kubernetes.io/hostname"
    assert node["whenUnsatisfiable"] == "DoNotSchedule"
    assert node["nodeTaintsPolicy"] == "Honor"
    for c in (zone, node):
        assert c["maxSkew"] == 1
        assert c["labelSelector"] == {"matchLabels": selector}
        assert c["matchLabelKeys"] == ["pod-template-hash"]
    # One replica: nothing to spread. Queue workers and stores: no default.
    assert spread_of(run, "dataplane-beta-api") is None
    for name in (
        "dataplane-alpha-queue",
        "dataplane-alpha-redis-deployment",
        "dataplane-alpha-postgres-statefulset",
    ):
        assert spread_of(run, name) is None, name


def test_min_replicas_floor_turns_spreading_on_and_empty_list_turns_it_off() -> None:
    floor = ServersConfig(min_replicas=2)
    run = run_program(lambda: build(servers=floor))
    assert len(spread_of(run, "dataplane-alpha-api")) == 2
    off = {"api": PodConfig(topology_spread_constraints=[])}
    run = run_program(lambda: build(servers=floor, workloads=off))
    assert spread_of(run, "dataplane-alpha-api") is None


# --- Images ---


def test_registry_rewrites_every_image_and_pull_settings_reach_every_workload() -> None:
    images = ImagesConfig(registry=MIRROR, pull_secrets=["mirror-creds"], pull_policy="Always")
    sidecar = {"api": PodConfig(sidecars=[{"name": "proxy", "image": "envoyproxy/envoy:v1.31.0"}])}
    expected = {
        "api": f"{MIRROR}/alpha:1.0.0",
        "queue": f"{MIRROR}/alpha:1.0.0",
        "postgres": f"{MIRROR}/pgvector/pgvector:0.8.0-pg15",
        "redis": f"{MIRROR}/library/redis:7.4.2",
        "listener": f"{MIRROR}/langchain/langsmith-backend:0.16.36",
        "mongo": f"{MIRROR}/library/mongo:7.0.14",
    }
    servers = ServersConfig(image_pull_secrets=["agents-registry", "mirror-creds"])
    for run in run_both(images=images, workloads=sidecar, servers=servers):
        for kind, w in workloads(run):
            spec = pod(w)
            main = spec["containers"][0]
            if "alpha" in w.name or kind in ("listener", "redis", "postgres", "mongo"):
                assert main["image"] == expected[kind], w.name
            assert all(c["imagePullPolicy"] == "Always" for c in spec["containers"]), w.name
            names = [s["name"] for s in spec["imagePullSecrets"]]
            if kind in ("api", "queue"):
                assert names == ["mirror-creds", "agents-registry"], w.name
            else:
                assert names == ["mirror-creds"], w.name
            if kind == "api":
                assert spec["containers"][1]["image"] == f"{MIRROR}/envoyproxy/envoy:v1.31.0"


def test_without_registry_images_are_untouched_and_no_pull_settings_appear() -> None:
    for run in run_both():
        for kind, w in workloads(run):
            spec = pod(w)
            assert all("imagePullPolicy" not in c for c in spec["containers"]), w.name
            if kind in ("api", "queue"):
                assert spec["imagePullSecrets"] == [], w.name  # as before this change
            else:
                assert "imagePullSecrets" not in spec, w.name
    run = run_program(build)
    api = run.named("dataplane-alpha-api")
    assert api.get("spec.template.spec.containers.0.image") == "registry.example.com/alpha:1.0.0"


# --- Identity ---

IRSA = {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/agents"}


def test_servers_keep_the_default_account_without_a_token_by_default() -> None:
    run = run_program(build)
    assert run.count("kubernetes:core/v1:ServiceAccount") == 0
    for _, w in workloads(run):
        assert "serviceAccountName" not in pod(w), w.name
        assert pod(w)["automountServiceAccountToken"] is False, w.name


def test_annotations_create_a_service_account_per_deployment() -> None:
    servers = ServersConfig(service_account=ServiceAccountConfig(annotations=IRSA))
    own = ServiceAccountConfig(
        name="beta-identity", annotations={"iam.gke.io/gcp-service-account": "b@p"}
    )
    existing = ServiceAccountConfig(name="platform-sa")
    to_serve = [served("alpha"), served("beta", "batch"), served("gamma")]
    overrides = {
        "beta": DeploymentConfig(service_account=own),
        "gamma": DeploymentConfig(service_account=existing),
    }
    run = run_program(lambda: build(to_serve, servers=servers, deployments=overrides))
    accounts = {r.name: r for r in run.of_type("kubernetes:core/v1:ServiceAccount")}
    assert sorted(accounts) == ["dataplane-alpha-serviceaccount", "dataplane-beta-serviceaccount"]
    alpha = accounts["dataplane-alpha-serviceaccount"]
    assert alpha.get("metadata.name") == "alpha"
    assert alpha.get("metadata.namespace") == "langgraph"
    assert alpha.get("metadata.annotations") == IRSA
    assert alpha.get("automountServiceAccountToken") is False
    beta = accounts["dataplane-beta-serviceaccount"]
    assert (beta.get("metadata.name"), beta.get("metadata.namespace")) == ("beta-identity", "batch")
    expected = {"alpha": "alpha", "beta": "beta-identity", "gamma": "platform-sa"}
    for name, account in expected.items():
        for role in ("api", "queue"):
            spec = pod(run.named(f"dataplane-{name}-{role}"))
            assert spec["serviceAccountName"] == account
            assert spec["automountServiceAccountToken"] is False
    # Stores never get the servers' identity.
    for kind, w in workloads(run):
        if kind in ("postgres", "redis"):
            assert "serviceAccountName" not in pod(w), w.name


def test_token_can_be_mounted_when_asked() -> None:
    account = ServiceAccountConfig(annotations=IRSA, automount_token=True)
    run = run_program(lambda: build(servers=ServersConfig(service_account=account)))
    assert pod(run.named("dataplane-alpha-api"))["automountServiceAccountToken"] is True
    assert run.named("dataplane-alpha-serviceaccount").get("automountServiceAccountToken") is True


def test_listener_service_account_annotations() -> None:
    listener = ListenerWorkloadConfig(service_account_annotations=IRSA)
    run = run_program(lambda: build(reconciler="listener", listener=listener))
    account = run.named("dataplane-listener-serviceaccount")
    assert account.get("metadata.annotations") == IRSA
    run = run_program(lambda: build(reconciler="listener"))
    assert "annotations" not in run.named("dataplane-listener-serviceaccount").get("metadata")


# --- Common labels and annotations ---


def test_common_metadata_on_every_object_but_not_on_pod_templates() -> None:
    common = {"common_labels": {"cost-center": "ml"}, "common_annotations": {"owner": "ml-team"}}
    for run in run_both(**common):
        k8s_objects = [r for r in run.resources if r.typ.startswith("kubernetes:")]
        assert len(k8s_objects) > 10
        for r in k8s_objects:
            if r.typ == "kubernetes:helm.sh/v4:Chart":
                # The operator's chart labels its own objects (its values).
                assert r.get("values.commonLabels") == {"cost-center": "ml"}, r.name
                assert r.get("values.commonAnnotations") == {"owner": "ml-team"}, r.name
                continue
            assert r.get("metadata.labels")["cost-center"] == "ml", r.name
            assert r.get("metadata.annotations")["owner"] == "ml-team", r.name
        for _, w in workloads(run):
            meta = w.get("spec.template.metadata")
            assert "cost-center" not in meta["labels"], w.name
            assert "owner" not in meta.get("annotations", {}), w.name
    # The object's own labels win (config refuses such keys; the component holds anyway).
    own = {"app.kubernetes.io/component": "other"}

    def with_own_label() -> Any:
        args = replace(plan([served("alpha"), served("beta", "batch")]), common_labels=own)
        return DataPlane("dataplane", args).server_urls

    run = run_program(with_own_label)
    assert (
        run.named("dataplane-alpha-api").get("metadata.labels")["app.kubernetes.io/component"]
        == "api"
    )


def test_no_common_metadata_by_default() -> None:
    run = run_program(build)
    for r in run.resources:
        if r.typ == "kubernetes:core/v1:Namespace":
            assert set(r.get("metadata.labels")) == {
                "app.kubernetes.io/part-of",
                "pod-security.kubernetes.io/enforce",
            }


# --- Safe restarts ---


def templates(run: Run) -> dict[str, Any]:
    return {w.name: w.get("spec.template") for _, w in workloads(run)}


def test_stores_and_listener_restart_when_their_secrets_change() -> None:
    run = run_program(build)
    redis = run.named("dataplane-alpha-redis-deployment").get("spec.template.metadata.annotations")
    assert redis == {
        "langgraph.ai/secrets-digest": secrets_digest({"REDIS_PASSWORD": MOCK_PASSWORD})
    }
    sts = run.named("dataplane-alpha-postgres-statefulset")
    assert sts.get("spec.template.metadata.annotations") == {
        "langgraph.ai/secrets-digest": secrets_digest({"POSTGRES_PASSWORD": MOCK_PASSWORD})
    }
    first = run_program(lambda: build(reconciler="listener"))
    second = run_program(lambda: build(reconciler="listener", api_key="lsv2_rotated"))
    a = first.named("dataplane-listener-deployment").get("spec.template.metadata.annotations")
    b = second.named("dataplane-listener-deployment").get("spec.template.metadata.annotations")
    assert a["langgraph.ai/secrets-digest"] != b["langgraph.ai/secrets-digest"]
    # The digest says "changed" and nothing more.
    assert MOCK_PASSWORD not in str(templates(run)) and "lsv2_key" not in str(templates(first))


def test_unrelated_changes_restart_nothing() -> None:
    before = templates(run_program(build))
    changes: list[dict[str, Any]] = [
        # Another deployment is added.
        {"to_serve": [served("alpha"), served("beta", "batch"), served("gamma")]},
        # Common labels and annotations change (they stay off pod templates).
        {"common_labels": {"team": "ml"}, "common_annotations": {"owner": "x"}},
    ]
    for change in changes:
        after = templates(run_program(lambda c=change: build(**c)))
        for name, template in before.items():
            assert after[name] == template, (change, name)
    # A label on one workload kind changes that kind only.
    after = templates(
        run_program(lambda: build(workloads={"redis": PodConfig(pod_labels={"x": "y"})}))
    )
    changed = sorted(n for n, t in before.items() if after[n] != t)
    assert changed == ["dataplane-alpha-redis-deployment", "dataplane-beta-redis-deployment"]
    # A different deployment's revision changes that deployment's servers only.
    rolled = served("beta", "batch")
    rolled.revision.image = "registry.example.com/beta:2.0.0"
    after = templates(run_program(lambda: build([served("alpha"), rolled])))
    changed = sorted(n for n, t in before.items() if after[n] != t)
    assert changed == ["dataplane-beta-api", "dataplane-beta-queue"]


# --- The names each workload sets itself are the names config may not take ---


def test_reserved_names_match_what_the_workloads_set() -> None:
    for run in run_both():
        for kind, w in workloads(run):
            spec = pod(w)
            main = spec["containers"][0]
            assert main["name"] == OWN_CONTAINERS[kind], w.name
            env = {e["name"] for e in main["env"]}
            assert env <= OWN_ENV_NAMES[kind] | RESERVED_ENV_NAMES, (w.name, env)
            volumes = {v["name"] for v in spec["volumes"]}
            assert volumes == set(OWN_VOLUMES[kind]), w.name
            mounts = {m["mountPath"] for m in main["volumeMounts"]}
            assert mounts == set(OWN_VOLUMES[kind].values()), w.name


def test_reserved_names_have_one_check_and_one_wording() -> None:
    assert reserved_env_problem(["OPENAI_API_KEY"], "api") is None
    assert reserved_env_problem(["PGDATA"]) is None  # only the postgres workload's own
    wording = "are set by the data plane (or reserved by the platform)"
    assert reserved_env_problem(["PGDATA", "X"], "postgres") == f"['PGDATA'] {wording}"
    assert reserved_env_problem(["PORT", "N_JOBS_PER_WORKER"], "queue") == (
        f"['N_JOBS_PER_WORKER', 'PORT'] {wording}"
    )
