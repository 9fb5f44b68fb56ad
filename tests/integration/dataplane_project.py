"""The project's dev stack in a private folder, driven by the real CLI through the Automation API.

The program runs inline (the Automation API serves the language runtime from this process),
so no `pulumi-language-python` host is needed; everything else is the real engine: the
CLI built by scripts/bootstrap-toolchain.sh, the project's dynamic providers in the
engine's provider host, real HTTP to a local control plane on loopback, and a `file://`
backend in the test's folder. Tests never touch the checkout's stack files or state.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto
from semver import VersionInfo

REPO = Path(__file__).resolve().parents[2]
DEV_PASSPHRASE = "langgraph-dev-passphrase"


def pins() -> dict[str, str]:
    """toolchain/versions.env: plain KEY=value lines."""
    lines = (REPO / "toolchain" / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def toolchain_env() -> tuple[dict[str, str], Path]:
    """The environment of scripts/toolchain-env.sh and the toolchain folder.

    A missing CLI is a failure: CI always bootstraps first.
    """
    done = subprocess.run(
        ["bash", "-c", "source scripts/toolchain-env.sh >/dev/null 2>&1; env -0"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    env = dict(item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    folder = Path(env.get("LANGGRAPH_TOOLCHAIN_DIR", "/nonexistent"))
    if not (folder / "bin" / "pulumi").exists():
        pytest.fail(
            f"no Pulumi CLI in {folder}/bin: run scripts/bootstrap-toolchain.sh "
            "(scripts/test.sh does)"
        )
    return env, folder


def missing_plugins(folder: Path) -> list[str]:
    """The resource plugins the full data plane needs that the toolchain could not build."""
    pin = pins()
    plugins = folder / "pulumi-home" / "plugins"
    wanted = {
        "kubernetes": f"resource-kubernetes-v{pin['KUBERNETES_VERSION']}",
        "random": f"resource-random-v{pin['RANDOM_VERSION']}",
    }
    return [name for name, path in wanted.items() if not (plugins / path).is_dir()]


def require_resource_plugins() -> None:
    """Skip, saying exactly why, when the Kubernetes or random plugin is not built."""
    _, folder = toolchain_env()
    missing = missing_plugins(folder)
    if missing:
        pytest.skip(
            f"blocked: the {' and '.join(missing)} resource plugin(s) cannot be built here: "
            "the Go module proxy refuses their provider modules (403); see docs/toolchain.md"
        )


@dataclass
class DataplaneProject:
    """The dev stack, in `root`, aimed at the local control plane at `controlplane_url`."""

    root: Path
    controlplane_url: str
    env: dict[str, str]
    folder: Path
    output: list[str] = field(default_factory=list)

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    @classmethod
    def create(
        cls, root: Path, controlplane_url: str, *, config: dict[str, Any] | None = None
    ) -> DataplaneProject:
        env, folder = toolchain_env()
        (root / "stacks").mkdir(parents=True)
        (root / "state").mkdir()
        (root / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
        stack_file = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
        stack_file["config"]["dataplane:controlPlane"]["url"] = controlplane_url
        stack_file["config"]["dataplane:renderDir"] = str(root / "manifests")
        stack_file["config"].update(config or {})
        (root / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack_file))
        env |= {
            "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE,
            # The dynamic-provider host runs the project's .venv and imports `components`.
            "PULUMI_RUNTIME_VIRTUALENV": str(REPO / ".venv"),
            "PYTHONPATH": str(REPO),
        }
        env.pop("DATAPLANE_KUBECONFIG", None)
        return cls(root, controlplane_url, env, folder)

    def stack(self, program: Callable[[], None], name: str = "dev") -> auto.Stack:
        """The stack, running `program` inline with the toolchain's CLI."""
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(self.root),
            pulumi_home=self.env["PULUMI_HOME"],
            env_vars=self.env,
            secrets_provider="passphrase",
            pulumi_command=auto.PulumiCommand(
                root=str(self.folder), version=VersionInfo.parse(pins()["PULUMI_VERSION"])
            ),
        )
        return auto.create_or_select_stack(
            stack_name=name, project_name="langgraph-dataplane", program=program, opts=opts
        )

    def record(self, line: str) -> None:
        self.output.append(line)

    def preview_json(self, stack: auto.Stack) -> dict[str, Any]:
        """`pulumi preview --diff --json`, parsed."""
        result = stack.preview(diff=True, json=True, on_output=self.record)
        return json.loads(result.stdout)

    def manifest_text(self) -> str:
        """Every rendered manifest, concatenated."""
        return "\n".join(p.read_text() for p in sorted(self.manifests.rglob("*.yaml")))

    def state(self, stack: auto.Stack) -> dict[str, Any]:
        """The deployment (decrypted: the Automation API exports with --show-secrets)."""
        return stack.export_stack().deployment

    def stored_state_text(self) -> str:
        """The state files exactly as the `file://` backend stores them, backups included."""
        files = sorted((self.root / "state" / ".pulumi").rglob("*.json"))
        assert files, "no state files"
        return "\n".join(p.read_text() for p in files)

    def resource_types(self, stack: auto.Stack) -> list[str]:
        return [r["type"] for r in self.state(stack).get("resources", [])]
