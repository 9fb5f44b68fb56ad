"""A stack aimed at a self-hosted control plane, in the real engine: the local control plane
served under `/api-host`, as a self-hosted LangSmith serves it.

The program is test_sync_engine.py's (config, discovery, listener registration, one
RevisionSync per served deployment); the dynamic providers run in the engine's provider
host and rebuild their client from what state holds. The server counts every request
outside its prefix: none may reach it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from components.controlplane import ControlPlaneClient
from local_controlplane.seed import (
    ALPHA_ID,
    DEFAULT_API_KEY,
    DEFAULT_ORG_API_KEY,
    DEFAULT_TENANT_ID,
    DEV_LISTENER_ID,
)
from local_controlplane.testing import AdminClient, run_server
from tests.integration.dataplane_project import DataplaneProject
from tests.integration.test_sync_engine import changes, steps_by_name, sync_program

pytestmark = pytest.mark.integration

OLD_IMAGE = "docker.io/langchain/langgraph-api:0.4.20-py3.11"
NEW_IMAGE = "registry.example.com/agents/alpha:3.0.0"
WORKSPACE_FIX = "pulumi config set --path dataplane:controlPlane.workspaceId <workspace id>"


@pytest.fixture
def selfhosted(tmp_path: Path) -> Iterator[str]:
    with run_server(tmp_path / "controlplane.json", path_prefix="/api-host") as url:
        assert url.endswith("/api-host")
        yield url


def run(project: DataplaneProject, step: str, stack: auto.Stack, **options: Any) -> Any:
    return getattr(stack, step)(on_output=project.record, color="never", **options)


def test_a_stack_on_a_self_hosted_control_plane_registers_and_syncs(
    tmp_path: Path, selfhosted: str
) -> None:
    # A listener of its own (registered by this stack), serving two named deployments; the
    # URL written with a trailing slash, as it is often pasted.
    project = DataplaneProject.create(
        tmp_path / "project",
        selfhosted,
        config={
            "dataplane:controlPlane": {
                "url": selfhosted + "/",
                "listenerComputeId": "selfhosted-cluster",
                "timeoutSeconds": 10,
            },
            "dataplane:deployments": {"agent-alpha": {}, "agent-beta": {}},
        },
    )
    stack = project.stack(sync_program)
    with AdminClient(selfhosted) as admin:
        preview = run(project, "preview", stack)
        assert changes(preview.change_summary) == {"create": 4}  # stack, listener, 2 syncs

        up = run(project, "up", stack)
        assert up.summary.result == "succeeded", "\n".join(project.output)
        listener_id = up.outputs["listener_id"].value
        assert listener_id != DEV_LISTENER_ID
        assert admin.stats()["by_route"]["POST /v2/listeners"] == 1
        with ControlPlaneClient(DEFAULT_API_KEY, base_url=selfhosted) as client:
            active = {
                d.name: d.image_uri for d in client.list_deployments() if d.name != "agent-gamma"
            }
            revisions = up.outputs["revisions"].value
            assert {name: r["image"] for name, r in revisions.items()} == active
            assert active["agent-alpha"] == OLD_IMAGE
            registered = client.get_listener(listener_id)
            assert registered.compute_id == "selfhosted-cluster"
            assert registered.k8s_namespaces == ["langgraph"]
            new_rev = client.create_revision(
                ALPHA_ID, {"source_revision_config": {"image_uri": NEW_IMAGE}}
            ).id

        # State holds the root in one spelling, with its prefix: later runs rebuild from it.
        stored = {
            r["urn"].split("::")[-1]: r["inputs"]["control_plane_url"]
            for r in project.state(stack)["resources"]
            if "control_plane_url" in r.get("inputs", {})
        }
        assert stored and set(stored.values()) == {selfhosted}, stored

        # A new revision: the preview knows its image, the up rolls it, nothing else moves.
        step = steps_by_name(project.preview_json(stack))["revision-agent-alpha"]
        assert step["op"] == "update"
        assert step["newState"]["inputs"]["image"] == NEW_IMAGE
        up = run(project, "up", stack)
        assert up.outputs["revisions"].value["agent-alpha"] == {
            "revision": new_rev,
            "image": NEW_IMAGE,
        }
        assert changes(run(project, "refresh", stack).summary.resource_changes) == {}
        assert changes(run(project, "preview", stack).change_summary) == {}

        destroy = run(project, "destroy", stack)
        assert destroy.summary.result == "succeeded"
        with ControlPlaneClient(DEFAULT_API_KEY, base_url=selfhosted) as client:
            assert "selfhosted-cluster" not in [x.compute_id for x in client.list_listeners()]
        stats = admin.stats()
        assert stats["outside_prefix"] == 0, stats
        assert stats["total"] > 10


def test_an_org_key_without_a_workspace_stops_the_preview_with_the_fix(
    tmp_path: Path, selfhosted: str
) -> None:
    # The project's own program, through the language host: what `pulumi preview` prints.
    project = DataplaneProject.create(tmp_path / "project", selfhosted)
    stack = project.stack()
    stack.set_config("dataplane:apiKey", auto.ConfigValue(DEFAULT_ORG_API_KEY, secret=True))

    with pytest.raises(auto.CommandError) as info:
        run(project, "preview", stack)
    message = str(info.value)
    assert "organisation-scoped" in message and "requires workspace specification" in message
    assert WORKSPACE_FIX in message, message[-2000:]
    diagnostics = message.split("Diagnostics:")[1]  # the CLI also echoes it as it goes
    assert diagnostics.count(WORKSPACE_FIX) == 1, message[-2000:]  # one error, said once
    assert "Traceback" not in message
    assert DEFAULT_ORG_API_KEY not in message and DEFAULT_ORG_API_KEY not in "".join(project.output)
    assert project.state(stack).get("resources") in (None, [])

    # The documented fix, as the message words it.
    stack.set_config(
        "dataplane:controlPlane.workspaceId", auto.ConfigValue(DEFAULT_TENANT_ID), path=True
    )
    assert json.loads(stack.get_config("dataplane:controlPlane").value)["url"] == selfhosted
    up = run(project, "up", stack)
    assert up.summary.result == "succeeded", "\n".join(project.output)
    assert set(up.outputs["server_urls"].value) == {"agent-alpha", "agent-beta"}
    listener = [
        r["outputs"]
        for r in project.state(stack)["resources"]
        if r["urn"].endswith("::listener-registration")
    ]
    # The workspace's own listener, adopted; its URL kept with the prefix.
    assert [(o["listener_id"], o["control_plane_url"]) for o in listener] == [
        (DEV_LISTENER_ID, selfhosted)
    ]
    with AdminClient(selfhosted) as admin:
        assert admin.stats()["outside_prefix"] == 0
