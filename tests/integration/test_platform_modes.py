"""Today's platform modes through the real engine, rendering manifests (no cluster):

- the standalone example (no control plane) renders the `langgraph-cloud` chart's objects;
- a listener stack renders LangChain's operator and its CRD from the local official chart;
- a synced stack moves to standalone with its databases kept: the preview replaces or
  deletes no PVC, StatefulSet, password Secret or password, and `up` goes through.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

from components.controlplane import ControlPlaneClient
from components.program import main
from components.spec.args import OPERATOR_CHART, OPERATOR_CHART_VERSION
from components.spec.revision import Sizing
from local_controlplane.seed import DEFAULT_API_KEY, DEPLOYMENTS
from local_controlplane.testing import run_server
from tests.integration.dataplane_project import DataplaneProject, manifests

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CHART = REPO.parent / "shared" / "charts" / f"{OPERATOR_CHART}-{OPERATOR_CHART_VERSION}.tgz"
EXAMPLE = "standalone-example"
EXAMPLE_PASSPHRASE = "standalone-example-passphrase"  # documented in the stack file
# The example's secrets, as encrypted in its stack file.
EXAMPLE_SECRETS = [
    "lsv2_pt_example_0000000000000000000000_00000000",
    "lgp-example-licence-key",
    "sk-example-not-a-real-key",
]
DATA_KINDS = {"PersistentVolumeClaim", "StatefulSet"}
NEVER_REPLACED = ("replace", "create-replacement", "delete-replaced", "delete")


@pytest.fixture
def controlplane(tmp_path: Path) -> Iterator[str]:
    with run_server(tmp_path / "controlplane.json") as url:
        yield url


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{len(found)} {kind} {name}"
    return found[0]


def test_the_standalone_example_renders_the_chart_objects(tmp_path: Path) -> None:
    root = tmp_path / "project"
    project = DataplaneProject.create(root, "http://127.0.0.1:9")  # never asked: no controlPlane
    stack_file = yaml.safe_load((REPO / "stacks" / f"Pulumi.{EXAMPLE}.yaml").read_text())
    stack_file["config"]["dataplane:renderDir"] = str(project.manifests)
    (root / "stacks" / f"Pulumi.{EXAMPLE}.yaml").write_text(yaml.safe_dump(stack_file))
    stack = project.engine.stack(
        root, root / "state", main, name=EXAMPLE, passphrase=EXAMPLE_PASSPHRASE
    )
    up = stack.up(on_output=project.record, color="never")
    assert up.summary.result == "succeeded", "\n".join(project.output[-40:])
    assert "listener_id" not in up.outputs  # None: the engine keeps no empty output
    assert set(up.outputs["revisions"].value) == {"support-agent", "research-agent"}
    types = [r["type"] for r in project.state(stack)["resources"]]
    assert "pulumi-python:dynamic:Resource" not in types  # no registration, no revision sync

    docs = manifests(project.manifests)
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for name in ("support-agent", "research-agent"):
        assert {
            ("Deployment", f"{name}-api"),
            ("Deployment", f"{name}-queue"),
            ("Service", name),
            ("HorizontalPodAutoscaler", f"{name}-api"),
            ("ScaledObject", f"{name}-queue"),
            ("PodDisruptionBudget", f"{name}-api"),
            ("StatefulSet", f"{name}-postgres"),
            ("ConfigMap", f"{name}-postgres-init"),
            ("Deployment", f"{name}-redis"),
        } <= kinds
        assert ("HorizontalPodAutoscaler", f"{name}-queue") not in kinds
    assert ("StatefulSet", "research-agent-mongo") in kinds
    assert ("StatefulSet", "support-agent-mongo") not in kinds
    scaled = named(docs, "ScaledObject", "support-agent-queue")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    trigger = scaled["spec"]["triggers"][1]
    assert trigger["type"] == "postgresql"
    assert trigger["metadata"]["targetQueryValue"] == "10"
    api = named(docs, "Deployment", "support-agent-api")["spec"]["template"]["spec"]
    env = {e["name"]: e for e in api["containers"][0]["env"]}
    assert env["LANGSMITH_ENDPOINT"]["valueFrom"]["secretKeyRef"]["name"] == (
        "support-agent-platform-env"
    )

    # A second run has nothing to do; no secret is in the state or the CLI's output.
    again = stack.preview(on_output=project.record, color="never")
    assert {k: v for k, v in again.change_summary.items() if k != "same" and v} == {}
    for where, text in (
        ("stored state", project.stored_state_text()),
        ("CLI output", "\n".join(project.output)),
    ):
        leaked = [s for s in EXAMPLE_SECRETS if s in text]
        assert not leaked, f"{len(leaked)} secret values in plain text in the {where}"


def test_a_listener_stack_renders_the_operator_and_its_crd_from_the_local_chart(
    tmp_path: Path, controlplane: str
) -> None:
    project = DataplaneProject.create(
        tmp_path / "project",
        controlplane,
        config={
            "dataplane:reconciler": "listener",
            "dataplane:namespaces": {"names": ["langgraph", "langgraph-batch"]},
            "dataplane:operator": {"chart": {"path": str(CHART)}},
        },
    )
    stack = project.stack(main)
    up = stack.up(on_output=project.record, color="never")
    assert up.summary.result == "succeeded", "\n".join(project.output[-40:])
    docs = manifests(project.manifests)
    kinds = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs}
    assert ("CustomResourceDefinition", None, "lgps.apps.langchain.ai") in kinds
    operator = named(docs, "Deployment", "langgraph-dataplane-operator")
    pod = operator["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == "docker.io/langchain/langgraph-operator:0.1.36"
    assert pod["securityContext"]["runAsNonRoot"] is True
    watch = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
    assert watch["WATCH_NAMESPACE"] == "langgraph,langgraph-batch"
    for ns in ("langgraph", "langgraph-batch"):
        assert ("Role", ns, "langgraph-dataplane-operator") in kinds
        assert ("RoleBinding", ns, "langgraph-dataplane-operator") in kinds
    assert ("ConfigMap", "langgraph", "langgraph-dataplane-config") in kinds
    # Only the operator's part of the chart: our own listener, not the chart's, nor its Redis.
    assert ("Deployment", "langgraph", "dataplane-listener") in kinds
    chart_names = {n for _, _, n in kinds if n.startswith("langgraph-dataplane-")}
    assert not {n for n in chart_names if "listener" in n or "redis" in n or "secrets" in n}
    # The CRD outlives the stack: deleting it would take every LGP with it.
    state = project.state(stack)["resources"]
    (crd,) = [r for r in state if r["type"].endswith("CustomResourceDefinition")]
    assert crd.get("retainOnDelete") is True


def test_a_synced_stack_moves_to_standalone_with_its_databases(
    tmp_path: Path, controlplane: str
) -> None:
    project = DataplaneProject.create(
        tmp_path / "project",
        controlplane,
        config={"dataplane:postgres": {"deletionProtection": True}},
    )
    stack = project.stack(main)
    up = stack.up(on_output=project.record, color="never")
    assert up.summary.result == "succeeded", "\n".join(project.output[-40:])
    before = project.state(stack)["resources"]
    revisions = up.outputs["revisions"].value
    pvc_before = {
        d["metadata"]["name"]: d
        for d in manifests(project.manifests)
        if d["kind"] == "PersistentVolumeClaim"
    }

    # The documented path: each served deployment becomes a `static` entry with what it runs
    # now (image, sizing, secrets, ids), and `controlPlane` goes.
    static = {}
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as client:
        for dep in [d for d in client.list_deployments() if d.name in revisions]:
            found = dep.resource_spec
            spec = found.model_dump(exclude_none=True, mode="json") if found else {}
            spec = {k: v for k, v in spec.items() if k in Sizing.__dataclass_fields__}
            static[dep.name] = {
                "static": {
                    "deploymentId": dep.id,
                    "revisionId": revisions[dep.name]["revision"],
                    "image": revisions[dep.name]["image"],
                    "resourceSpec": spec,
                    "secrets": {s.name: s.value for s in dep.secrets},
                }
            }
    path = project.root / "stacks" / "Pulumi.dev.yaml"
    stack_file = yaml.safe_load(path.read_text())
    del stack_file["config"]["dataplane:controlPlane"]
    stack_file["config"]["dataplane:deployments"] = {
        name: {"static": {k: v for k, v in entry["static"].items() if k != "secrets"}}
        for name, entry in static.items()
    }
    path.write_text(yaml.safe_dump(stack_file))
    for name, entry in static.items():
        for key, value in entry["static"]["secrets"].items():
            stack.set_config(
                f"dataplane:deployments.{name}.static.secrets.{key}",
                auto.ConfigValue(value, secret=True),
                path=True,
            )

    # The preview: nothing of the data is replaced or deleted.
    steps = project.preview_json(stack)["steps"]
    guarded = [
        s
        for s in steps
        if s["op"] in NEVER_REPLACED
        and (
            s["urn"].split("::")[-2].rsplit(":", 1)[-1] in DATA_KINDS
            or s["urn"].endswith(("-postgres-secret", "-postgres-password"))
        )
    ]
    assert not guarded, [(s["op"], s["urn"]) for s in guarded]
    deleted = sorted(s["urn"].split("::")[-1] for s in steps if s["op"] == "delete")
    # What goes: the control-plane resources, and the listener component that had no workload.
    assert deleted == sorted(
        ["dataplane-listener", "listener-registration", *(f"revision-{n}" for n in static)]
    ), deleted

    done = stack.up(on_output=project.record, color="never")
    assert done.summary.result == "succeeded", "\n".join(project.output[-40:])
    after = {r["urn"]: r for r in project.state(stack)["resources"]}
    for resource in before:
        kind = resource["type"].rsplit(":", 1)[-1]
        if kind in DATA_KINDS or resource["urn"].endswith(
            ("-postgres-secret", "-postgres-password")
        ):
            kept = after[resource["urn"]]
            assert kept["id"] == resource["id"], resource["urn"]
            # The volume, its password and Secret stay guarded (the StatefulSet is not).
            assert bool(kept.get("protect")) is (kind != "StatefulSet"), resource["urn"]
    pvc_after = {
        d["metadata"]["name"]: d
        for d in manifests(project.manifests)
        if d["kind"] == "PersistentVolumeClaim"
    }
    assert pvc_after == pvc_before
    assert set(done.outputs["revisions"].value) == set(revisions)
    assert "listener_id" not in done.outputs
    secrets = [s["value"] for d in DEPLOYMENTS for s in d["secrets"]] + [DEFAULT_API_KEY]
    leaked = [s for s in secrets if s in "\n".join(project.output)]
    assert not leaked, f"{len(leaked)} secret values in the CLI output"
    shutil.rmtree(project.manifests, ignore_errors=True)
