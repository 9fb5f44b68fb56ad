"""The dev stack as users run it: `pulumi up --stack dev` on the project folder.

A copy of the project runs as a local program: the real CLI starts the
`pulumi-language-python` host, which runs `__main__.py` in the project's virtualenv, the
dynamic providers run in the engine's provider host, and the Kubernetes provider renders
every manifest. Checked: up, a no-change preview, the stored and exported state and every
line the CLI printed free of secrets, and destroy.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto

from local_controlplane.seed import DEFAULT_API_KEY, DEPLOYMENTS
from local_controlplane.testing import run_server
from tests.integration.dataplane_project import DataplaneProject

pytestmark = pytest.mark.integration

LICENCE = "lgp-local-dev-fake-licence-key"


@pytest.fixture
def controlplane(tmp_path: Path) -> Iterator[str]:
    with run_server(tmp_path / "controlplane.json") as url:
        yield url


def changes(summary: dict[str, int] | None) -> dict[str, int]:
    return {op: n for op, n in (summary or {}).items() if op != "same" and n}


def test_dev_stack_through_the_language_host(tmp_path: Path, controlplane: str) -> None:
    project = DataplaneProject.create(tmp_path / "project", controlplane)
    stack = project.stack()  # no inline program: the language host runs __main__.py
    log = project.record
    assert isinstance(stack.workspace, auto.LocalWorkspace)
    assert stack.workspace.program is None

    up = stack.up(on_output=log, color="never")
    assert up.summary.result == "succeeded", "\n".join(project.output)
    created = changes(up.summary.resource_changes)
    assert set(created) == {"create"} and created["create"] > 30, created
    kinds = {
        doc["kind"]
        for path in project.manifests.rglob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    }
    assert {"Deployment", "StatefulSet", "Service", "Secret", "Namespace"} <= kinds, kinds
    assert set(up.outputs["server_urls"].value) == {"agent-alpha", "agent-beta"}

    # A second run has nothing to do.
    again = stack.preview(on_output=log, color="never")
    assert changes(again.change_summary) == {}, again.change_summary

    # Secrets: the state as stored, the state as `pulumi stack export` prints it, and
    # everything the CLI printed.
    exported = subprocess.run(
        [str(project.engine.folder / "bin" / "pulumi"), "stack", "export", "--stack", "dev"],
        cwd=project.root,
        env=stack.workspace.env_vars,  # the toolchain's, the file:// backend, the passphrase
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    passwords = project.rendered_passwords()
    assert len(passwords) >= 8, passwords  # Postgres and Redis per deployment, two forms each
    secrets = [DEFAULT_API_KEY, LICENCE, *passwords]
    secrets += [s["value"] for d in DEPLOYMENTS for s in d["secrets"]]
    for where, text in (
        ("stored state", project.stored_state_text()),
        ("`pulumi stack export`", exported),
        ("CLI output", "\n".join(project.output)),
    ):
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} secret values in plain text in the {where}"

    # The dev stack opts out of deletion protection: destroy removes everything.
    down = stack.destroy(on_output=log, color="never")
    assert down.summary.result == "succeeded"
    assert stack.export_stack().deployment.get("resources", []) == []
