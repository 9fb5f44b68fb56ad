"""The local control plane driven by the official client: LangChain's `langgraph` CLI.

`langgraph-cli` (pinned in requirements-dev.txt) is run as its console script against the
session's server on loopback, as a user runs it against a self-hosted control plane
(`--host-url`); where the CLI has no command (reading one deployment or one revision), its
own Python client (`langgraph_cli.host_backend.HostBackendClient`) is used. What the CLI
asked for is read back from the server's request statistics.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langgraph_cli.host_backend import HostBackendClient, HostBackendError

from local_controlplane import seed
from local_controlplane.testing import AdminClient

LANGGRAPH = Path(sys.executable).with_name("langgraph")
# The CLI insists on digest-pinned images for --image-uri.
FIRST_IMAGE = "registry.example.com/acme/agent@sha256:" + "1" * 64
SECOND_IMAGE = "registry.example.com/acme/agent@sha256:" + "2" * 64
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
# `langgraph deploy` creating `cli-agent` from FIRST_IMAGE (placement flags follow).
CREATE = ("deploy", "--name", "cli-agent", "--image-uri", FIRST_IMAGE, "--no-input")
# Variables that would point the CLI elsewhere (another key, workspace, host or proxy).
FOREIGN_ENV = (
    "LANGGRAPH_HOST_API_KEY",
    "LANGGRAPH_HOST_URL",
    "LANGSMITH_API_KEY",
    "LANGCHAIN_API_KEY",
    "LANGSMITH_ENDPOINT",
    "LANGSMITH_TENANT_ID",
    "LANGSMITH_DEPLOYMENT_NAME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


class Langgraph:
    """Runs `langgraph <args> --host-url <server>` in a project folder."""

    def __init__(self, base_url: str, project: Path) -> None:
        self.base_url = base_url
        self.project = project
        env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
        # No usage reports to LangChain from a test run.
        env["LANGGRAPH_CLI_NO_ANALYTICS"] = "1"
        env["HOME"] = str(project)
        self.env = env

    def __call__(
        self, *args: str, api_key: str = seed.DEFAULT_API_KEY, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(LANGGRAPH), *args, "--host-url", self.base_url, "--api-key", api_key],
            cwd=self.project,
            env={**self.env, **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def ok(self, *args: str, **env: str) -> str:
        result = self(*args, **env)
        assert result.returncode == 0, f"langgraph {args}: {result.stdout}\n{result.stderr}"
        return result.stdout

    def events(self, *args: str) -> list[dict[str, Any]]:
        """`langgraph deploy ... --json`: its JSON-lines events."""
        return [json.loads(line) for line in self.ok(*args, "--json").splitlines() if line]


@pytest.fixture
def langgraph(base_url: str, admin: AdminClient, tmp_path: Path) -> Langgraph:
    (tmp_path / "langgraph.json").write_text(
        json.dumps(
            {
                "dependencies": ["."],
                "graphs": {"agent": "./agent.py:graph"},
                "image_distro": "wolfi",
                "env": {"OPENAI_API_KEY": "sk-local-test"},
            }
        )
    )
    return Langgraph(base_url, tmp_path)


@pytest.fixture
def client(base_url: str) -> HostBackendClient:
    return HostBackendClient(base_url, seed.DEFAULT_API_KEY)


def requested(admin: AdminClient) -> dict[str, int]:
    return admin.stats()["by_path"]  # type: ignore[no-any-return]


def deployed(events: list[dict[str, Any]]) -> str:
    (result,) = [e for e in events if e["event"] == "result"]
    assert result["status"] == "succeeded", events
    return str(result["deployment_id"])


def test_a_deployment_through_its_life(
    langgraph: Langgraph, client: HostBackendClient, admin: AdminClient
) -> None:
    seeded = json.loads(langgraph.ok("deploy", "list", "--json"))
    assert {d["name"] for d in seeded} == {"agent-alpha", "agent-beta", "agent-gamma"}
    listeners = json.loads(langgraph.ok("deploy", "listeners", "list", "--json"))
    assert {lst["id"] for lst in listeners} == {seed.DEV_LISTENER_ID, seed.STAGING_LISTENER_ID}

    # Create through a listener: the CLI checks the listener, creates, then follows the
    # first revision to DEPLOYED and reads the deployment back.
    admin.reset_stats()
    dep_id = deployed(
        langgraph.events(
            *CREATE, "--listener-id", seed.DEV_LISTENER_ID, "--k8s-namespace", seed.DEV_NAMESPACE
        )
    )
    dep = client.get_deployment(dep_id)
    first_revision = dep["latest_revision_id"]
    assert dep["name"] == "cli-agent" and dep["source"] == "external_docker"
    assert dep["status"] == "READY" and dep["active_revision_id"] == first_revision
    assert dep["source_config"]["listener_id"] == seed.DEV_LISTENER_ID
    assert dep["source_config"]["listener_config"] == {"k8s_namespace": seed.DEV_NAMESPACE}
    assert dep["source_revision_config"]["image_uri"] == FIRST_IMAGE
    assert dep["secrets"] == [{"name": "OPENAI_API_KEY", "value": "sk-local-test"}]
    calls = requested(admin)
    for call in (
        f"GET /v2/listeners/{seed.DEV_LISTENER_ID}",
        "POST /v2/deployments",
        f"GET /v2/deployments/{dep_id}/revisions",
        f"GET /v2/deployments/{dep_id}/revisions/{first_revision}",
        f"GET /v2/deployments/{dep_id}",
    ):
        assert calls.get(call, 0) >= 1, (call, calls)

    # Patch the image: a new revision becomes the active one.
    admin.reset_stats()
    assert (
        deployed(
            langgraph.events(
                "deploy", "--deployment-id", dep_id, "--image-uri", SECOND_IMAGE, "--no-input"
            )
        )
        == dep_id
    )
    assert requested(admin).get(f"PATCH /v2/deployments/{dep_id}") == 1
    dep = client.get_deployment(dep_id)
    second_revision = dep["latest_revision_id"]
    assert second_revision != first_revision
    assert dep["active_revision_id"] == second_revision
    assert dep["source_revision_config"]["image_uri"] == SECOND_IMAGE

    # Revisions, newest first; the CLI shows the superseded DEPLOYED one as REPLACED.
    table = langgraph.ok("deploy", "revisions", "list", dep_id).splitlines()
    rows = [line.split()[:2] for line in table[2:]]
    assert rows == [[second_revision, "DEPLOYED"], [first_revision, "REPLACED"]], table
    revisions = client.list_revisions(dep_id, limit=10)
    assert [r["id"] for r in revisions] == [second_revision, first_revision]
    revision = client.get_revision(dep_id, second_revision)
    assert revision["status"] == "DEPLOYED"
    assert revision["source_revision_config"]["image_uri"] == SECOND_IMAGE
    older = client.get_revision(dep_id, first_revision)
    assert older["source_revision_config"]["image_uri"] == FIRST_IMAGE

    assert f"Deleted deployment {dep_id}." in langgraph.ok("deploy", "delete", dep_id, "--force")
    remaining = json.loads(langgraph.ok("deploy", "list", "--json"))
    assert dep_id not in {d["id"] for d in remaining} and len(remaining) == 3
    with pytest.raises(HostBackendError) as gone:
        client.get_deployment(dep_id)
    assert gone.value.status_code == 404
    assert gone.value.detail == f"Deployment ID {dep_id} not found."


def test_a_create_without_a_listener_gets_the_clis_listener_guidance(
    langgraph: Langgraph, admin: AdminClient
) -> None:
    # The CLI recognises the server's own wording and tells the user what to pass.
    result = langgraph(*CREATE)
    assert result.returncode == 2, result.stdout + result.stderr  # click's usage error
    assert "deploys through a listener in your own cluster" in result.stderr
    assert "Re-run with --listener-id and --k8s-namespace." in result.stderr
    assert "'source_config.listener_id' is required" in result.stderr
    assert seed.DEV_LISTENER_ID in result.stderr and seed.STAGING_LISTENER_ID in result.stderr
    assert "POST /v2/deployments failed" not in result.stderr
    assert requested(admin).get("POST /v2/deployments") == 1
    assert "cli-agent" not in {d["name"] for d in admin.state()["deployments"].values()}


def test_unknown_objects(langgraph: Langgraph, client: HostBackendClient) -> None:
    result = langgraph("deploy", "revisions", "list", UNKNOWN_ID)
    assert result.returncode == 1
    assert f"failed with status 404: Deployment ID {UNKNOWN_ID} not found." in result.stderr

    result = langgraph("deploy", "delete", UNKNOWN_ID, "--force")
    assert result.returncode == 1 and "failed with status 404" in result.stderr

    # An unknown listener: the CLI lists the ones there are (it reads 404 as "not here").
    result = langgraph(*CREATE, "--listener-id", UNKNOWN_ID)
    assert result.returncode == 2
    assert f"Listener {UNKNOWN_ID} was not found in this workspace." in result.stderr
    assert seed.DEV_LISTENER_ID in result.stderr

    with pytest.raises(HostBackendError) as missing:
        client.get_revision(seed.ALPHA_ID, UNKNOWN_ID)
    assert missing.value.status_code == 404
    assert missing.value.detail == f"Revision ID {UNKNOWN_ID} not found."


def test_wrong_or_org_key(langgraph: Langgraph) -> None:
    result = langgraph("deploy", "list", api_key="lsv2_pt_not_a_key_of_this_server")
    assert result.returncode == 1
    assert "GET /v2/deployments failed with status 401" in result.stderr

    # An organisation key without a workspace: the CLI's own advice, then it works with one.
    result = langgraph("deploy", "list", "--json", api_key=seed.DEFAULT_ORG_API_KEY)
    assert result.returncode == 1
    assert "org-scoped and requires a workspace ID" in result.stderr
    listed = langgraph(
        "deploy",
        "list",
        "--json",
        api_key=seed.DEFAULT_ORG_API_KEY,
        LANGSMITH_TENANT_ID=seed.DEFAULT_TENANT_ID,
    )
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 3
