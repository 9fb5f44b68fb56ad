"""The Pulumi engine built by scripts/bootstrap-toolchain.sh, for Automation API runs.

Programs run inline (the Automation API serves the language runtime from this process), so
no `pulumi-language-python` host is needed: on this machine it cannot be built. The CLI,
the dynamic-provider host and the resource plugins are the real ones.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pulumi import automation as auto
from semver import VersionInfo

REPO = Path(__file__).resolve().parents[1]
DEV_PASSPHRASE = "langgraph-dev-passphrase"


def pins() -> dict[str, str]:
    """toolchain/versions.env: plain KEY=value lines."""
    lines = (REPO / "toolchain" / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


class ToolchainMissing(RuntimeError):
    """The CLI is not built: run scripts/bootstrap-toolchain.sh."""


@dataclass(frozen=True)
class Engine:
    """The toolchain folder and the environment of scripts/toolchain-env.sh."""

    folder: Path
    env: dict[str, str]

    @classmethod
    def load(cls) -> Engine:
        done = subprocess.run(
            ["bash", "-c", "source scripts/toolchain-env.sh >/dev/null 2>&1; env -0"],
            cwd=REPO,
            capture_output=True,
            check=False,
        )
        env = dict(i.split("=", 1) for i in done.stdout.decode().split("\0") if "=" in i)
        folder = Path(env.get("LANGGRAPH_TOOLCHAIN_DIR", "/nonexistent"))
        if not (folder / "bin" / "pulumi").exists():
            raise ToolchainMissing(
                f"no Pulumi CLI in {folder}/bin: run scripts/bootstrap-toolchain.sh"
            )
        return cls(folder, env)

    def missing_plugins(self) -> list[str]:
        """The resource plugins the data plane needs that are not installed."""
        pin = pins()
        plugins = self.folder / "pulumi-home" / "plugins"
        wanted = {
            "kubernetes": f"resource-kubernetes-v{pin['KUBERNETES_VERSION']}",
            "random": f"resource-random-v{pin['RANDOM_VERSION']}",
        }
        return [name for name, path in wanted.items() if not (plugins / path).is_dir()]

    def blocked_reason(self) -> str | None:
        """Why the full data plane cannot run in this engine, or None."""
        missing = self.missing_plugins()
        if not missing:
            return None
        return (
            f"blocked: the {' and '.join(missing)} resource plugin(s) cannot be built here: "
            "the Go module proxy refuses their provider modules (403); see docs/toolchain.md"
        )

    def stack(
        self,
        work_dir: Path,
        state_dir: Path,
        program: Callable[[], None],
        *,
        name: str = "dev",
        passphrase: str = DEV_PASSPHRASE,
    ) -> auto.Stack:
        """A stack of the project in `work_dir` (Pulumi.yaml, stacks/), running `program`."""
        state_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **self.env,
            "PULUMI_BACKEND_URL": f"file://{state_dir}",
            "PULUMI_CONFIG_PASSPHRASE": passphrase,
            # The dynamic-provider host runs the project's .venv and imports `components`.
            "PULUMI_RUNTIME_VIRTUALENV": str(REPO / ".venv"),
            "PYTHONPATH": str(REPO),
        }
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(work_dir),
            pulumi_home=env["PULUMI_HOME"],
            env_vars=env,
            secrets_provider="passphrase",
            pulumi_command=auto.PulumiCommand(
                root=str(self.folder), version=VersionInfo.parse(pins()["PULUMI_VERSION"])
            ),
        )
        return auto.create_or_select_stack(
            stack_name=name, project_name="langgraph-dataplane", program=program, opts=opts
        )
