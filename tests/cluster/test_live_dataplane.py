"""The data plane's whole life against the live local cluster (issue 11).

Each test runs the dev stack through the real CLI and the language host, with a local
control plane of its own, on the session's local cluster (scripts/cluster.sh: a real
kube-apiserver with Pod Security admission, controller manager, scheduler, etcd and KWOK's
fake nodes), in a namespace of its own. What the cluster holds is read with the Kubernetes
Python client, not from the stack's outputs.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from pulumi import automation as auto

from components.controlplane import ControlPlaneClient
from devtools.engine import PROJECT
from devtools.leftovers import kill_session
from local_controlplane.seed import ALPHA_ID, DEFAULT_API_KEY
from tests.cluster.live import SERVERS, DeploymentWatch, LiveStack, changes, rolled_out

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

OLD_IMAGE = "docker.io/langchain/langgraph-api:0.4.20-py3.11"
NEW_IMAGE = "registry.example.com/agents/alpha:2.0.0"
PVC_TYPE = "kubernetes:core/v1:PersistentVolumeClaim"
ROOT_STACK = "urn:pulumi:dev::langgraph-dataplane::pulumi:pulumi:Stack"

# What the stack declares, by Kubernetes kind (the type token's last part).
KINDS = {
    "Namespace",
    "Deployment",
    "StatefulSet",
    "Service",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Secret",
    "PersistentVolumeClaim",
}


def declared(stack: LiveStack) -> set[tuple[str, str, str]]:
    """(kind, namespace, name) of every Kubernetes object in the stack's state."""
    found = set()
    for r in stack.resources():
        if r["type"].startswith("kubernetes:") and not r["type"].startswith("pulumi:providers"):
            meta = r.get("outputs", {}).get("metadata", {})
            if r.get("outputs", {}).get("kind"):
                found.add((r["outputs"]["kind"], meta.get("namespace", ""), meta["name"]))
    return found


LISTED = KINDS | {"ConfigMap"}
"""The kinds `live_objects` lists: a kind the stack starts to declare must be added there."""


def made_by_the_cluster(stack: LiveStack) -> set[tuple[str, str, str]]:
    """What the cluster puts in every namespace by itself."""
    return {("ConfigMap", stack.namespace, "kube-root-ca.crt")}


def live_objects(stack: LiveStack) -> set[tuple[str, str, str]]:
    """(kind, namespace, name) of the objects of those kinds that the cluster holds in the
    test's namespace (every object there, not only the stack's)."""
    api, ns = stack.api, stack.namespace
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    listings: dict[str, Any] = {
        "Deployment": apps.list_namespaced_deployment(ns),
        "StatefulSet": apps.list_namespaced_stateful_set(ns),
        "Service": core.list_namespaced_service(ns),
        "HorizontalPodAutoscaler": client.AutoscalingV2Api(
            api
        ).list_namespaced_horizontal_pod_autoscaler(ns),
        "PodDisruptionBudget": client.PolicyV1Api(api).list_namespaced_pod_disruption_budget(ns),
        "NetworkPolicy": client.NetworkingV1Api(api).list_namespaced_network_policy(ns),
        # Only the stack's Secrets: service-account tokens are not the point.
        "Secret": core.list_namespaced_secret(ns),
        "PersistentVolumeClaim": core.list_namespaced_persistent_volume_claim(ns),
        "ConfigMap": core.list_namespaced_config_map(ns),
    }
    found = {(kind, ns, o.metadata.name) for kind, items in listings.items() for o in items.items}
    found |= {
        ("Namespace", "", n.metadata.name)
        for n in core.list_namespace().items
        if n.metadata.name == ns
    }
    return found


def assert_serving(stack: LiveStack, image_of: dict[str, str] | None = None) -> None:
    """Every server Deployment, Redis and Postgres is rolled out with its pods Running."""
    apps = stack.apps
    for server in SERVERS:
        for name in (f"{server}-api", f"{server}-queue", f"{server}-redis"):
            stack.wait_for(f"{name} rolled out", lambda n=name: rolled_out(stack.deployment(n)))
            d = stack.deployment(name)
            pods = stack.pods_of(d)
            assert len(pods) == d.spec.replicas, (name, [p.metadata.name for p in pods])
            assert {p.status.phase for p in pods} == {"Running"}, name
        pg = f"{server}-postgres"
        stack.wait_for(
            f"{pg} rolled out",
            lambda n=pg: rolled_out(apps.read_namespaced_stateful_set(n, stack.namespace)),
        )
        sts = apps.read_namespaced_stateful_set(pg, stack.namespace)
        assert [p.status.phase for p in stack.pods_of(sts)] == ["Running"], pg
        if image_of and server in image_of:
            for role in ("api", "queue"):
                containers = stack.deployment(f"{server}-{role}").spec.template.spec.containers
                assert containers[0].image == image_of[server]


def privileged_pod(namespace: str) -> client.V1Pod:
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name="not-restricted", namespace=namespace),
        spec=client.V1PodSpec(
            containers=[
                client.V1Container(
                    name="main",
                    image="docker.io/library/busybox:1.36",
                    security_context=client.V1SecurityContext(privileged=True),
                )
            ]
        ),
    )


def claim_of(stack: LiveStack, server: str) -> client.V1PersistentVolumeClaim:
    return stack.core.read_namespaced_persistent_volume_claim(
        f"{server}-postgres-data", stack.namespace
    )


# --- 1. deploy ----------------------------------------------------------------------------


def test_deploy(live: LiveStack) -> None:
    up = live.up()
    created = changes(up.summary.resource_changes)
    assert set(created) == {"create"} and created["create"] > 30, created

    assert_serving(live, image_of={"agent-alpha": OLD_IMAGE})

    # Every Kubernetes object of the stack exists in the cluster, and nothing else of
    # these kinds is in the namespace but what the cluster makes by itself.
    want = declared(live)
    assert KINDS <= {k for k, _, _ in want} <= LISTED, sorted(want)
    have = live_objects(live)
    assert want <= have, sorted(want - have)
    extra = {o for o in have - want if o not in made_by_the_cluster(live)}
    assert not extra, sorted(extra)
    for server in SERVERS:
        hpas = {
            h.metadata.name: h
            for h in client.AutoscalingV2Api(live.api)
            .list_namespaced_horizontal_pod_autoscaler(live.namespace)
            .items
        }
        for role in ("api", "queue"):
            hpa = hpas[f"{server}-{role}"]
            assert hpa.spec.scale_target_ref.name == f"{server}-{role}"
            assert hpa.spec.min_replicas >= 1

    # The volumes bound: each database claim is Bound to a pre-created volume.
    for server in SERVERS:
        pvc = claim_of(live, server)
        assert pvc.status.phase == "Bound", pvc.status
        pv = live.core.read_persistent_volume(pvc.spec.volume_name)
        assert pv.spec.claim_ref.uid == pvc.metadata.uid

    # Pod Security: the namespace enforces `restricted`, every pod of the stack was
    # admitted (no workload reports a refused pod), and a pod below the level is refused.
    ns = live.core.read_namespace(live.namespace)
    assert ns.metadata.labels["pod-security.kubernetes.io/enforce"] == "restricted"
    refused = [
        e.message
        for e in live.core.list_namespaced_event(live.namespace).items
        if e.reason == "FailedCreate"
    ]
    assert not refused, refused
    with pytest.raises(ApiException) as denied:
        live.core.create_namespaced_pod(
            live.namespace, privileged_pod(live.namespace), dry_run="All"
        )
    assert denied.value.status == 403
    message = json.loads(denied.value.body)["message"]
    assert 'violates PodSecurity "restricted:latest"' in message, message


# --- 2. new revision -------------------------------------------------------------------------


@pytest.mark.live_config(**{"dataplane:servers": {"minReplicas": 2}})
def test_new_revision_rolls_without_downtime(live: LiveStack, controlplane: str) -> None:
    live.up()
    rolled = ("agent-alpha-api", "agent-alpha-queue")
    # The HPAs bring each server to its floor of 2 (no metrics server: the floor holds).
    for name in rolled:
        live.wait_for(
            f"{name} at 2 ready replicas",
            lambda n=name: rolled_out(d := live.deployment(n)) and d.spec.replicas == 2,
        )
        strategy = live.deployment(name).spec.strategy
        assert strategy.type == "RollingUpdate"
        assert strategy.rolling_update.max_unavailable == 0

    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as cp:
        cp.create_revision(ALPHA_ID, {"source_revision_config": {"image_uri": NEW_IMAGE}})

    with DeploymentWatch(live.api, live.namespace) as watched:
        up = live.up()
        assert set(changes(up.summary.resource_changes)) == {"update"}, up.summary
        for name in rolled:
            live.wait_for(f"{name} rolled out", lambda n=name: rolled_out(live.deployment(n)))

    for name in rolled:
        d = live.deployment(name)
        assert d.spec.template.spec.containers[0].image == NEW_IMAGE
        # The rollout happened (the watch saw pods of the new template come up) and the
        # ready replicas never dropped below the floor of 2 while it did.
        samples = [s for s in watched.of(name) if s.generation == d.metadata.generation]
        assert any(s.updated < s.replicas or s.replicas > 2 for s in samples), samples
        assert min(s.ready for s in samples) >= 2, samples
        assert min(s.available for s in samples) >= 2, samples
        # The old ReplicaSet is scaled to zero; the new one runs every pod.
        sets = [
            rs
            for rs in live.apps.list_namespaced_replica_set(live.namespace).items
            if any(o.name == name for o in rs.metadata.owner_references or [])
        ]
        images = {rs.spec.template.spec.containers[0].image: rs for rs in sets}
        assert set(images) == {OLD_IMAGE, NEW_IMAGE}, list(images)
        assert images[OLD_IMAGE].spec.replicas == 0
        assert (images[OLD_IMAGE].status.replicas or 0) == 0
        assert images[NEW_IMAGE].status.ready_replicas == d.spec.replicas == 2
        pods = live.pods_of(d)
        assert {p.spec.containers[0].image for p in pods} == {NEW_IMAGE}
        assert {p.status.phase for p in pods} == {"Running"}
    # agent-beta did not move.
    beta = live.deployment("agent-beta-api")
    assert beta.spec.template.spec.containers[0].image != NEW_IMAGE


# --- 3. new resource spec ---------------------------------------------------------------


def test_new_resource_spec(live: LiveStack, controlplane: str) -> None:
    live.up()
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as cp:
        spec = cp.get_deployment(ALPHA_ID).resource_spec
        assert spec is not None
        # A new resource_spec is a new revision; it replaces the whole object.
        cp.patch_deployment(
            ALPHA_ID,
            {
                "source_config": {
                    "resource_spec": {
                        **spec.model_dump(mode="json", exclude_none=True),
                        "min_scale": 2,
                        "max_scale": 5,
                        "cpu": 2,
                        "cpu_limit": 3,
                        "memory_mb": 3072,
                        "memory_limit_mb": 6144,
                    }
                }
            },
        )
    live.up()
    hpas = client.AutoscalingV2Api(live.api)
    for role in ("api", "queue"):
        name = f"agent-alpha-{role}"
        hpa = hpas.read_namespaced_horizontal_pod_autoscaler(name, live.namespace)
        assert (hpa.spec.min_replicas, hpa.spec.max_replicas) == (2, 5), hpa.spec
        live.wait_for(
            f"{name} rolled out at 2 replicas",
            lambda n=name: rolled_out(d := live.deployment(n)) and d.spec.replicas == 2,
        )
        d = live.deployment(name)
        resources = d.spec.template.spec.containers[0].resources
        assert resources.requests == {"cpu": "2", "memory": "3Gi"}, resources
        # The limits in the spec are the API's; the queue's CPU limit defaults to twice its
        # request (its own `queue_cpu_limit` is not set).
        want = {"cpu": "3" if role == "api" else "4", "memory": "6Gi"}
        assert resources.limits == want, resources
        for pod in live.pods_of(d):
            assert pod.spec.containers[0].resources.requests == resources.requests
            assert pod.status.phase == "Running"
    beta = hpas.read_namespaced_horizontal_pod_autoscaler("agent-beta-api", live.namespace)
    assert beta.spec.max_replicas != 5


# --- 4. database safety ------------------------------------------------------------------


def test_database_survives_destroy(live: LiveStack) -> None:
    live.up()
    before = {s: claim_of(live, s) for s in SERVERS}
    volumes = {s: pvc.spec.volume_name for s, pvc in before.items()}

    # `destroy --exclude-protected` with the default config keeps the claims: the same
    # objects, the same UIDs, bound to the same volumes.
    down = live.stack().destroy(exclude_protected=True, on_output=live.record, color="never")
    assert down.summary.result == "succeeded"
    live.wait_for(
        "the servers to be deleted",
        lambda: not live.apps.list_namespaced_deployment(live.namespace).items,
    )
    for server in SERVERS:
        pvc = claim_of(live, server)
        assert pvc.metadata.uid == before[server].metadata.uid
        assert pvc.status.phase == "Bound" and pvc.spec.volume_name == volumes[server]
        assert live.core.read_persistent_volume(volumes[server]).status.phase == "Bound"
    assert len(live.resources(PVC_TYPE)) == 2

    # The next `up` re-attaches them instead of creating empty ones.
    live.up()
    for server in SERVERS:
        pvc = claim_of(live, server)
        assert pvc.metadata.uid == before[server].metadata.uid
        assert pvc.spec.volume_name == volumes[server]
        sts = live.apps.read_namespaced_stateful_set(f"{server}-postgres", live.namespace)
        claims = [
            v.persistent_volume_claim.claim_name
            for v in sts.spec.template.spec.volumes
            if v.persistent_volume_claim
        ]
        assert claims == [pvc.metadata.name]
    assert_serving(live)

    # Only the explicit opt-out deletes the volume, and a preview says so first.
    stack = live.stack()
    stack.set_config("dataplane:postgres", auto.ConfigValue('{"deletionProtection": false}'))
    live.up()
    guarded = live.resources(PVC_TYPE)
    assert [r.get("protect", False) for r in guarded] == [False, False], guarded
    for server in SERVERS:
        assert claim_of(live, server).metadata.uid == before[server].metadata.uid

    deletes: list[str] = []

    def planned(event: auto.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is not None and pre.metadata.op == auto.OpType.DELETE:
            deletes.append(pre.metadata.urn.split("::")[-1])

    stack.preview_destroy(on_event=planned, on_output=live.record, color="never")
    for server in SERVERS:
        assert f"dataplane-{server}-postgres-data" in deletes, deletes
        # The preview deleted nothing.
        assert claim_of(live, server).metadata.uid == before[server].metadata.uid
    stack.destroy(on_output=live.record, color="never")
    live.wait_for(
        "the database claims to be deleted",
        lambda: not live.core.list_namespaced_persistent_volume_claim(live.namespace).items,
    )
    assert live.resources() == []


# --- 5. interrupted up -------------------------------------------------------------------


def test_interrupted_up_converges(live: LiveStack) -> None:
    stack = live.stack()
    cli = [
        str(live.project.engine.folder / "bin" / "pulumi"),
        *("up", "--yes", "--skip-preview", "--non-interactive", "--stack", "dev"),
        *("--color", "never"),
    ]
    log = live.project.root / "killed-up.log"
    with log.open("w") as out:
        # Its own session: SIGKILL reaches the CLI and the plugins it started, as when the
        # machine running `pulumi up` dies. The plugins run in process groups of their own
        # (the CLI `setpgid`s them), so the whole session is killed, not the CLI's group.
        running = subprocess.Popen(
            cli,
            cwd=live.project.root,
            env=stack.workspace.env_vars,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # Mid-create: the first Deployment is in the cluster, and Pulumi is waiting
            # for it to become ready.
            live.wait_for(
                "the first Deployment to be created",
                lambda: (
                    (running.poll() is None and bool(_deployments_in(live)))
                    or running.poll() is not None
                ),
                timeout=180,
            )
            assert running.poll() is None, log.read_text()[-3000:]
        finally:
            kill_session(running.pid)  # the CLI and every plugin, at once
            running.wait()
    cut_checkpoint_metadata_removed(live)
    pending = live.state().get("pending_operations") or []
    assert pending, "the kill came too late: nothing was pending"
    assert {p["type"] for p in pending} == {"creating"}, pending

    # The killed run still holds the stack's lock: the engine says what to run.
    with pytest.raises(auto.CommandError) as locked:
        stack.up(on_output=live.record, color="never")
    assert "pulumi cancel" in str(locked.value), str(locked.value)[-2000:]
    stack.cancel()

    # The next `up` creates what is missing and adopts what the killed run created but could
    # not record; the engine names the interrupted operations and what clears them.
    live.up()
    told = live.output()
    assert "interrupted while creating" in told, told[-3000:]
    assert "pulumi refresh" in told, told[-3000:]
    assert live.state().get("pending_operations"), "the pending operations vanished unasked"
    # What the engine asks for, non-interactively: a refresh that clears pending creates.
    refreshed = stack.refresh(clear_pending_creates=True, on_output=live.record, color="never")
    assert changes(refreshed.summary.resource_changes) == {}, refreshed.summary
    assert not live.state().get("pending_operations")

    # Converged: every object once in the state and in the cluster, none left over.
    urns = [r["urn"] for r in live.resources()]
    assert len(urns) == len(set(urns)), "a resource is in the state twice"
    want, have = declared(live), live_objects(live)
    assert want <= have, sorted(want - have)
    orphans = {o for o in have - want if o not in made_by_the_cluster(live)}
    assert not orphans, sorted(orphans)
    assert_serving(live)
    for d in live.apps.list_namespaced_deployment(live.namespace).items:
        owned = [
            rs
            for rs in live.apps.list_namespaced_replica_set(live.namespace).items
            if any(o.uid == d.metadata.uid for o in rs.metadata.owner_references or [])
        ]
        assert len(owned) == 1, (d.metadata.name, [rs.metadata.name for rs in owned])
    again = stack.preview(on_output=live.record, color="never")
    assert changes(again.change_summary) == {}, again.change_summary


def cut_checkpoint_metadata_removed(live: LiveStack) -> None:
    """docs/errors.md's fix for `failed to load checkpoint: EOF`: a kill that lands while the
    file backend rewrites the checkpoint's metadata file (`<stack>.json.attrs`, written in
    place) leaves it empty, and the CLI cannot read the stack; the checkpoint itself is
    whole (it is written aside and renamed). Without the metadata file, it reads."""
    attrs = live.project.root / "state" / ".pulumi" / "stacks" / PROJECT / "dev.json.attrs"
    if not attrs.exists() or attrs.stat().st_size > 0:
        return
    with pytest.raises(auto.CommandError) as cut:
        live.state()
    assert "failed to load checkpoint: EOF" in str(cut.value), str(cut.value)
    attrs.unlink()


def _deployments_in(live: LiveStack) -> list[Any]:
    with contextlib.suppress(ApiException):
        return live.apps.list_namespaced_deployment(live.namespace).items
    return []


# --- 6. drift ----------------------------------------------------------------------------


def test_drift_is_shown_and_corrected(live: LiveStack) -> None:
    live.up()
    stack = live.stack()
    # Behind Pulumi's back: Redis scaled by hand, a label of the API Service edited.
    live.apps.patch_namespaced_deployment_scale(
        "agent-alpha-redis", live.namespace, {"spec": {"replicas": 3}}
    )
    live.core.patch_namespaced_service(
        "agent-alpha",
        live.namespace,
        {"metadata": {"labels": {"app.kubernetes.io/managed-by": "someone-else"}}},
    )
    live.wait_for(
        "the hand-scaled Redis",
        lambda: (live.deployment("agent-alpha-redis").status.replicas or 0) == 3,
    )

    # `preview --refresh` shows both, as updates back to the declared values.
    steps: dict[str, str] = {}

    def planned(event: auto.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is not None and pre.metadata.op == auto.OpType.UPDATE:
            steps[pre.metadata.urn.split("::")[-1]] = "update"

    preview = stack.preview(
        refresh=True, diff=True, on_event=planned, on_output=live.record, color="never"
    )
    assert set(steps) == {
        "dataplane-agent-alpha-redis-deployment",
        "dataplane-agent-alpha-service",
    }, steps
    assert re.search(r"replicas\s*:\s*3 => 1", preview.stdout), preview.stdout[-3000:]
    assert re.search(r'managed-by\s*:\s*"someone-else" => "pulumi"', preview.stdout), (
        preview.stdout[-3000:]
    )

    # `up --refresh` puts them back; the next preview is clean.
    live.up(refresh=True)
    live.wait_for(
        "Redis back at 1 replica",
        lambda: rolled_out(d := live.deployment("agent-alpha-redis")) and d.spec.replicas == 1,
    )
    labels = live.core.read_namespaced_service("agent-alpha", live.namespace).metadata.labels
    assert labels["app.kubernetes.io/managed-by"] == "pulumi"
    clean = stack.preview(refresh=True, on_output=live.record, color="never")
    assert changes(clean.change_summary) == {}, clean.change_summary


# --- 7. bad cluster input ------------------------------------------------------------------


def snapshot(stack: LiveStack) -> list[tuple[str, ...]]:
    """The state's resources, as comparable text (URN, inputs, outputs)."""
    return sorted(
        (
            r["urn"],
            json.dumps(r.get("inputs"), sort_keys=True),
            json.dumps(r.get("outputs"), sort_keys=True),
        )
        for r in stack.resources()
    )


def refused(stack: LiveStack, *expected: str) -> None:
    """A preview and an up each fail with one clear error holding `expected`, and no trace."""
    for attempt in (stack.stack().preview, stack.stack().up):
        with pytest.raises(auto.CommandError) as failed:
            attempt(on_output=stack.record, color="never")
        text = str(failed.value)
        for part in expected:
            assert part in text, text[-3000:]
        diagnostics = text.split("Diagnostics:", 1)[-1]
        assert diagnostics.count("the stack config has 1 problem") == 1, text[-3000:]
        assert "Traceback" not in text, text[-3000:]


def test_bad_cluster_input(live: LiveStack, kubeconfig: Path, tmp_path: Path) -> None:
    stack = live.stack()
    ns = live.namespace

    # A namespace that is missing while `namespaces.create` is false.
    adopt = {"names": [ns], "create": False}
    stack.set_config("dataplane:namespaces", auto.ConfigValue(json.dumps(adopt)))
    refused(live, f"namespace {ns} does not exist", "Fix: create it first")
    # Nothing but the engine's own root Stack (it records it before running the program).
    assert [u for u, *_ in snapshot(live)] in ([], [f"{ROOT_STACK}::langgraph-dataplane-dev"])
    assert ns not in {n.metadata.name for n in live.core.list_namespace().items}
    # The fix it names works.
    labels = {"pod-security.kubernetes.io/enforce": "restricted"}
    live.core.create_namespace(
        client.V1Namespace(metadata=client.V1ObjectMeta(name=ns, labels=labels))
    )
    live.up()
    assert_serving(live)
    deployed = snapshot(live)

    # A kubeconfig whose API server is unreachable, and one whose current context does
    # not exist: one clear error each, and the state (and the cluster) unchanged.
    doc = yaml.safe_load(kubeconfig.read_text())
    unreachable = json.loads(json.dumps(doc))
    unreachable["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    wrong_context = json.loads(json.dumps(doc))
    wrong_context["current-context"] = "no-such-context"
    cases = {
        "unreachable": (
            unreachable,
            ["cannot reach the Kubernetes API server https://127.0.0.1:1", "Fix: start"],
        ),
        "wrong-context": (
            wrong_context,
            ["current context 'no-such-context'", "is not one of its contexts", "Fix: set"],
        ),
    }
    for name, (content, expected) in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(content))
        stack.set_config("dataplane:kubeconfig", auto.ConfigValue(str(path)))
        refused(live, *expected)
        assert snapshot(live) == deployed, name
    stack.set_config("dataplane:kubeconfig", auto.ConfigValue(str(kubeconfig)))
    after = stack.preview(on_output=live.record, color="never")
    assert changes(after.change_summary) == {}, after.change_summary
    assert_serving(live)
