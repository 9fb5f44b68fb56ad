"""The revision sync inside the real engine: the project's dynamic providers, real HTTP.

The program is the control-plane half of the real one (config, discovery, listener
registration, one RevisionSync per served deployment), so it runs with the CLI alone;
tests/integration/test_lifecycle.py runs the whole data plane where the Kubernetes and
random plugins exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pulumi
import pytest
from pulumi import automation as auto

from components.controlplane import ControlPlaneClient
from components.controlplane_resources import build_sync
from components.program import load_and_discover
from local_controlplane.seed import (
    ALPHA_ID,
    BETA_ID,
    DEFAULT_API_KEY,
    DEPLOYMENTS,
    DEV_LISTENER_ID,
)
from local_controlplane.testing import AdminClient, run_server
from tests.integration.dataplane_project import DataplaneProject

pytestmark = pytest.mark.integration

OLD_IMAGE = "docker.io/langchain/langgraph-api:0.4.20-py3.11"
NEW_IMAGE = "registry.example.com/agents/alpha:2.0.0"
LICENCE = "lgp-local-dev-fake-licence-key"


def sync_program() -> None:
    config, discovery = load_and_discover()
    sync = build_sync(config, discovery)
    pulumi.export("listener_id", sync.registration.listener_id)
    pulumi.export(
        "revisions",
        {n: {"revision": s.revision_id, "image": s.image} for n, s in sync.syncs.items()},
    )
    pulumi.export("secrets", {n: s.secrets for n, s in sync.syncs.items()})


@pytest.fixture
def controlplane(tmp_path: Path) -> Iterator[str]:
    with run_server(tmp_path / "controlplane.json") as url:
        yield url


@pytest.fixture
def project(tmp_path: Path, controlplane: str) -> DataplaneProject:
    return DataplaneProject.create(tmp_path / "project", controlplane)


def changes(summary: dict[str, int] | None) -> dict[str, int]:
    return {op: n for op, n in (summary or {}).items() if op != "same" and n}


def steps_by_name(preview: dict) -> dict[str, dict]:
    return {s["urn"].split("::")[-1]: s for s in preview.get("steps", [])}


def test_sync_lifecycle(project: DataplaneProject, controlplane: str) -> None:
    stack = project.stack(sync_program)
    log = project.record

    first = stack.preview(on_output=log, color="never")
    assert changes(first.change_summary) == {"create": 4}  # stack, listener, 2 syncs

    up = stack.up(on_output=log, color="never")
    assert up.summary.result == "succeeded"
    # The seeded listener with this compute_id was adopted, not duplicated.
    assert up.outputs["listener_id"].value == DEV_LISTENER_ID
    assert up.outputs["revisions"].value["agent-alpha"]["image"] == OLD_IMAGE
    # Each deployment's secrets stay secret through the provider and into the outputs.
    assert re.search(r"agent-alpha\s*: \[secret\]", "\n".join(project.output))

    assert changes(stack.preview(on_output=log, color="never").change_summary) == {}

    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as client:
        new_rev = client.create_revision(
            ALPHA_ID, {"source_revision_config": {"image_uri": NEW_IMAGE}}
        ).id

    # The preview knows the concrete new image: check resolved it.
    diff = stack.preview(diff=True, on_output=log, color="never")
    assert changes(diff.change_summary) == {"update": 1}
    assert NEW_IMAGE in diff.stdout and OLD_IMAGE in diff.stdout
    step = steps_by_name(project.preview_json(stack))["revision-agent-alpha"]
    assert step["op"] == "update"
    assert step["newState"]["inputs"]["image"] == NEW_IMAGE
    assert step["newState"]["inputs"]["revision_id"] == new_rev
    assert step["oldState"]["outputs"]["image"] == OLD_IMAGE

    up = stack.up(on_output=log, color="never")
    assert up.outputs["revisions"].value["agent-alpha"] == {
        "revision": new_rev,
        "image": NEW_IMAGE,
    }
    assert changes(stack.refresh(on_output=log, color="never").summary.resource_changes) == {}
    assert changes(stack.preview(on_output=log, color="never").change_summary) == {}

    # No secret in plain text in state, outputs, or anything the CLI printed.
    secrets = [DEFAULT_API_KEY, LICENCE, *(s["value"] for d in DEPLOYMENTS for s in d["secrets"])]
    for where, text in (
        ("stored state", project.stored_state_text()),
        ("CLI output", "\n".join(project.output)),
    ):
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} secret values in plain text in the {where}"

    # A deployment deleted in the control plane: refresh reports its sync gone.
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as client:
        client.delete_deployment(BETA_ID)
        client.wait_until_deleted(BETA_ID)
    stack.refresh(on_output=log, color="never")
    names = [r["urn"].split("::")[-1] for r in project.state(stack)["resources"]]
    assert "revision-agent-beta" not in names and "revision-agent-alpha" in names

    destroy = stack.destroy(on_output=log, color="never")
    assert destroy.summary.result == "succeeded"
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as client:
        assert "dev-cluster" not in [x.compute_id for x in client.list_listeners()]


def test_a_failed_pinned_revision_stops_the_preview(
    project: DataplaneProject, controlplane: str
) -> None:
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as client:
        bad = client.create_revision(
            ALPHA_ID, {"source_revision_config": {"image_uri": "registry.example.com/bad:1"}}
        ).id
    with AdminClient(controlplane) as admin:
        admin.set_revision_status(ALPHA_ID, bad, "BUILD_FAILED")
    stack = project.stack(sync_program)
    stack.set_config(
        "dataplane:deployments", auto.ConfigValue(json.dumps({"agent-alpha": {"revision": bad}}))
    )
    with pytest.raises(auto.CommandError) as info:
        stack.preview(on_output=project.record, color="never")
    assert f"revision {bad} is BUILD_FAILED and is never rolled out" in str(info.value)


def test_broken_control_plane_fails_clearly_and_changes_nothing(
    project: DataplaneProject, controlplane: str
) -> None:
    stack = project.stack(sync_program)
    stack.up(on_output=project.record, color="never")
    before = project.state(stack)["resources"]

    with AdminClient(controlplane) as admin:
        admin.set_api_keys([{"key": "lsv2_some_other_key"}])
        with pytest.raises(auto.CommandError) as info:
            stack.preview(on_output=project.record, color="never")
        admin.set_api_keys([{"key": DEFAULT_API_KEY}])
    message = str(info.value)
    assert "401" in message and "dataplane:apiKey" in message, message[-1500:]
    assert "Traceback" not in message
    assert DEFAULT_API_KEY not in message

    stack.set_config(
        "dataplane:controlPlane",
        auto.ConfigValue(
            json.dumps(
                {
                    "url": "http://127.0.0.1:9",
                    "listenerComputeId": "dev-cluster",
                    "timeoutSeconds": 2,
                }
            )
        ),
    )
    with pytest.raises(auto.CommandError) as info:
        stack.up(on_output=project.record, color="never")
    assert re.search(r"unavailable after \d+ tries", str(info.value)), str(info.value)[-1500:]
    assert project.state(stack)["resources"] == before


def test_each_run_asks_the_control_plane_at_most_n_plus_2_times(
    project: DataplaneProject, controlplane: str
) -> None:
    # Two served deployments (the dev listener's), in a workspace of one page: N+2 = 4, in
    # the program's discovery; the checks and the listener's create ask nothing more.
    stack = project.stack(sync_program)
    with AdminClient(controlplane) as admin:
        counts = {}
        for name, run in (
            ("preview", lambda: stack.preview(on_output=project.record, color="never")),
            ("first up", lambda: stack.up(on_output=project.record, color="never")),
            ("no-op preview", lambda: stack.preview(on_output=project.record, color="never")),
        ):
            admin.reset_stats()
            run()
            counts[name] = admin.stats()["by_route"]
    for name, by_route in counts.items():
        assert sum(by_route.values()) <= 2 + 2, (name, by_route)
        assert "POST /v2/listeners" not in by_route, name
    # What discovery resolved was used by the checks, and is kept nowhere in state.
    resources = project.state(stack)["resources"]
    syncs = [r for r in resources if r["urn"].split("::")[-1].startswith("revision-")]
    assert len(syncs) == 2
    for r in syncs:
        assert (
            "prefetched_revision" not in r["inputs"] and "prefetched_revision" not in r["outputs"]
        )
        assert r["outputs"]["image"].startswith("docker.io/langchain/langgraph-api:")
