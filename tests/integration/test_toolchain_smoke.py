"""Smoke test of the Pulumi toolchain that scripts/bootstrap-toolchain.sh builds.

Drives the real CLI through the Automation API, with the environment of
scripts/toolchain-env.sh (its own PULUMI_HOME, plugin downloads turned off), a `file://`
backend in a temporary folder, and the project's .venv as the program's virtualenv.
A missing toolchain is a failure, not a skip: CI always bootstraps first.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto
from semver import VersionInfo

from devtools.engine import pins, required_files

REPO = Path(__file__).resolve().parents[2]
PROGRAM = Path(__file__).parent / "programs" / "smoke"
VENV = REPO / ".venv"
PASSPHRASE = "toolchain-smoke-passphrase"
BOOTSTRAP_HINT = (
    "run scripts/bootstrap-toolchain.sh (scripts/test.sh does); docs/toolchain.md says what "
    "it builds and from where"
)

pytestmark = pytest.mark.integration


def toolchain(*needed: str) -> tuple[dict[str, str], Path]:
    """The environment of scripts/toolchain-env.sh and the toolchain folder.

    Fails, with the bootstrap hint, unless every path in `needed` (relative to the
    toolchain folder) exists; with nothing in `needed`, the whole toolchain must be there.
    """
    done = subprocess.run(
        ["bash", "-c", "source scripts/toolchain-env.sh; status=$?; env -0; exit $status"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    env = dict(item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    folder = Path(env.get("LANGGRAPH_TOOLCHAIN_DIR", "/nonexistent"))
    everything = required_files().values()
    missing = [path for path in needed or everything if not (folder / path).exists()]
    if missing or (not needed and done.returncode != 0):
        pytest.fail(
            f"The Pulumi toolchain is not (fully) installed: {BOOTSTRAP_HINT}.\n"
            f"Missing from {folder}: {missing}\n"
            f"scripts/toolchain-env.sh said: {done.stderr.decode().strip() or '(nothing)'}"
        )
    return env, folder


def cli(folder: Path) -> auto.PulumiCommand:
    """The toolchain's CLI (folder/bin/pulumi), which must be exactly the pinned version."""
    pinned = VersionInfo.parse(pins()["PULUMI_VERSION"])
    command = auto.PulumiCommand(root=str(folder), version=pinned)
    assert command.version == pinned, f"{folder}/bin/pulumi is {command.version}, not {pinned}"
    return command


def test_sdk_packages_match_the_toolchain_pins() -> None:
    """Each SDK package asks the engine for its own version of its plugin."""
    pin = pins()
    assert importlib.metadata.version("pulumi") == pin["PULUMI_VERSION"]
    assert importlib.metadata.version("pulumi-kubernetes") == pin["KUBERNETES_VERSION"]
    assert importlib.metadata.version("pulumi-random") == pin["RANDOM_VERSION"]


def test_local_program_with_random_dynamic_provider_and_kubernetes(tmp_path: Path) -> None:
    env, folder = toolchain()
    assert env["PULUMI_HOME"] == str(folder / "pulumi-home")

    work, state = tmp_path / "program", tmp_path / "state"
    rendered, markers = tmp_path / "rendered", tmp_path / "markers"
    shutil.copytree(PROGRAM, work, ignore=shutil.ignore_patterns("__pycache__"))
    state.mkdir()
    env |= {"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE, "PULUMI_BACKEND_URL": f"file://{state}"}
    project = auto.ProjectSettings(
        name="toolchain-smoke",
        runtime=auto.ProjectRuntimeInfo(
            name="python", options={"toolchain": "pip", "virtualenv": str(VENV)}
        ),
        backend=auto.ProjectBackend(url=f"file://{state}"),
    )
    workspace = auto.LocalWorkspace(
        work_dir=str(work),
        pulumi_home=env["PULUMI_HOME"],
        env_vars=env,
        project_settings=project,
        secrets_provider="passphrase",
        pulumi_command=cli(folder),
    )
    assert (work / "Pulumi.yaml").exists()
    stack = auto.Stack.create("smoke", workspace)
    stack.set_all_config(
        {
            "toolchain-smoke:renderDir": auto.ConfigValue(str(rendered)),
            "toolchain-smoke:markerDir": auto.ConfigValue(str(markers)),
        }
    )
    output: list[str] = []
    try:
        up = stack.up(on_output=output.append, color="never")
        assert up.summary.result == "succeeded", "\n".join(output)
        outputs = up.outputs
        assert outputs["password_length"].value == 24
        assert outputs["password"].secret
        assert outputs["greeting"].value == "hello, toolchain"
        assert outputs["config_map_name"].value == "toolchain-smoke"
        assert (markers / "toolchain.created").read_text() == "hello, toolchain"
        config_maps = [p for p in rendered.rglob("*.yaml") if "kind: ConfigMap" in p.read_text()]
        assert len(config_maps) == 1, sorted(rendered.rglob("*"))
        assert "greeting: hello, toolchain" in config_maps[0].read_text()
        assert "download" not in "\n".join(output).lower()

        destroy = stack.destroy(on_output=output.append, color="never")
        assert destroy.summary.result == "succeeded", "\n".join(output)
        assert not (markers / "toolchain.created").exists()
    finally:
        workspace.remove_stack("smoke", force=True)


def test_inline_program_with_dynamic_provider(tmp_path: Path) -> None:
    """Needs only the CLI and the dynamic-provider shim: an inline program runs its
    language runtime inside this process, so no language host or resource plugin is used."""
    env, folder = toolchain("bin/pulumi", "bin/pulumi-resource-pulumi-python")
    state, markers = tmp_path / "state", tmp_path / "markers"
    state.mkdir()
    env |= {
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_BACKEND_URL": f"file://{state}",
        # What the language host tells the shim for a local program; its provider process
        # must also import smoke_dynamic.
        "PULUMI_RUNTIME_VIRTUALENV": str(VENV),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROGRAM), env.get("PYTHONPATH")])),
    }
    greeting = load_greeting_class()

    def program() -> None:
        resource = greeting("greeting", who="inline", marker_dir=str(markers))
        pulumi.export("greeting", resource.message)

    opts = auto.LocalWorkspaceOptions(
        work_dir=str(tmp_path),
        pulumi_home=env["PULUMI_HOME"],
        env_vars=env,
        secrets_provider="passphrase",
        pulumi_command=cli(folder),
        project_settings=auto.ProjectSettings(
            name="toolchain-smoke-inline",
            runtime="python",
            backend=auto.ProjectBackend(url=f"file://{state}"),
        ),
    )
    stack = auto.create_stack(
        "inline", project_name="toolchain-smoke-inline", program=program, opts=opts
    )
    output: list[str] = []
    try:
        up = stack.up(on_output=output.append, color="never")
        assert up.summary.result == "succeeded", "\n".join(output)
        assert up.outputs["greeting"].value == "hello, inline"
        assert (markers / "inline.created").exists()
        destroy = stack.destroy(on_output=output.append, color="never")
        assert destroy.summary.result == "succeeded", "\n".join(output)
        assert not (markers / "inline.created").exists()
    finally:
        stack.workspace.remove_stack("inline", force=True)


def load_greeting_class() -> Callable[..., Any]:
    """smoke_dynamic.Greeting, imported under its own module name (as the program does)."""
    sys.path.insert(0, str(PROGRAM))
    try:
        import smoke_dynamic
    finally:
        sys.path.remove(str(PROGRAM))
    return smoke_dynamic.Greeting  # type: ignore[no-any-return]
