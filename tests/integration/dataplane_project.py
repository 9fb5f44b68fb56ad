"""A private copy of this Pulumi project, driven through the Automation API.

Each test gets the project's program and dev stack in a temporary folder, pointed at its
own local control-plane server and its own `file://` backend, so tests never touch the
checkout's stack files or state.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

REPO = Path(__file__).resolve().parents[2]
DEV_PASSPHRASE = "langgraph-dev-passphrase"


def toolchain_env() -> dict[str, str]:
    """The environment of scripts/toolchain-env.sh; fails clearly when it is not built."""
    done = subprocess.run(
        ["bash", "-c", "source scripts/toolchain-env.sh >/dev/null && env -0"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"scripts/toolchain-env.sh failed: {done.stderr.decode()[-500:]}")
    env = dict(item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    if shutil.which("pulumi", path=env.get("PATH")) is None:
        pytest.fail("no pulumi CLI: run scripts/bootstrap-toolchain.sh (scripts/test.sh does)")
    return env


@dataclass
class DataplaneProject:
    """The project copied to `root`, with the dev stack aimed at `controlplane_url`."""

    root: Path
    controlplane_url: str
    env: dict[str, str]
    output: list[str] = field(default_factory=list)

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    @classmethod
    def create(
        cls, root: Path, controlplane_url: str, *, config: dict[str, Any] | None = None
    ) -> DataplaneProject:
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(REPO / "components", root / "components")
        shutil.copy(REPO / "__main__.py", root / "__main__.py")
        project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
        project["runtime"]["options"]["virtualenv"] = str(REPO / ".venv")
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(project))
        stack_file = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
        stack_file["config"]["dataplane:controlPlane"]["url"] = controlplane_url
        stack_file["config"]["dataplane:renderDir"] = str(root / "manifests")
        stack_file["config"].update(config or {})
        (root / "stacks").mkdir()
        (root / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack_file))
        (root / "state").mkdir()
        env = {
            **toolchain_env(),
            "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE,
        }
        env.pop("DATAPLANE_KUBECONFIG", None)
        return cls(root, controlplane_url, env)

    def stack(self, name: str = "dev") -> auto.Stack:
        """The stack through the Automation API, with the toolchain's CLI."""
        cli = Path(shutil.which("pulumi", path=self.env["PATH"]) or "pulumi")
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(self.root),
            env_vars=self.env,
            secrets_provider="passphrase",
            pulumi_command=auto.PulumiCommand(root=str(cli.resolve().parent.parent)),
        )
        return auto.create_or_select_stack(stack_name=name, work_dir=str(self.root), opts=opts)

    def record(self, line: str) -> None:
        self.output.append(line)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the real CLI in the project, as a person would; output is recorded."""
        done = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.output += [done.stdout, done.stderr]
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def preview_json(self) -> dict[str, Any]:
        """`pulumi preview --diff --json` of the dev stack, parsed."""
        done = self.cli("preview", "--stack", "dev", "--diff", "--json")
        return json.loads(done.stdout)

    def manifest_text(self) -> str:
        """Every rendered manifest, concatenated."""
        return "\n".join(p.read_text() for p in sorted(self.manifests.rglob("*.yaml")))
