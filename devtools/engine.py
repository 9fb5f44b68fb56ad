"""The Pulumi engine built by scripts/bootstrap-toolchain.sh, for Automation API runs.

Two ways to run a program, both on the real CLI, plugins and dynamic-provider host:
- a local program (`program=None`): the project folder's `Pulumi.yaml` and `__main__.py`,
  run by the `pulumi-language-python` host, exactly as `pulumi up --stack dev` does;
- an inline program: the Automation API serves the language runtime from this process.
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
PROJECT = "langgraph-dataplane"


def pins() -> dict[str, str]:
    """toolchain/versions.env: plain KEY=value lines."""
    lines = (REPO / "toolchain" / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


class ToolchainMissing(RuntimeError):
    """The toolchain is not (fully) built: run scripts/bootstrap-toolchain.sh."""


def required_files() -> dict[str, str]:
    """What a complete toolchain holds, relative to its folder, by what it is."""
    pin = pins()
    plugins = "pulumi-home/plugins"
    return {
        "the Pulumi CLI": "bin/pulumi",
        "the pulumi-language-python host": "bin/pulumi-language-python",
        "the Python program executor": "bin/pulumi-language-python-exec",
        "the dynamic-provider host": "bin/pulumi-resource-pulumi-python",
        # TypeScript and YAML programs that consume the component package (docs/package.md).
        "the pulumi-language-nodejs host": "bin/pulumi-language-nodejs",
        "the Node.js dynamic-provider host": "bin/pulumi-resource-pulumi-nodejs",
        "the pulumi-language-yaml host": "bin/pulumi-language-yaml",
        "the kubernetes plugin": f"{plugins}/resource-kubernetes-v{pin['KUBERNETES_VERSION']}",
        "the random plugin": f"{plugins}/resource-random-v{pin['RANDOM_VERSION']}",
        "the completion manifest": "manifest",
    }


@dataclass(frozen=True)
class Engine:
    """The toolchain folder and the environment of scripts/toolchain-env.sh."""

    folder: Path
    env: dict[str, str]

    @classmethod
    def load(cls) -> Engine:
        """The complete toolchain, or ToolchainMissing naming every missing piece."""
        done = subprocess.run(
            ["bash", "-c", "source scripts/toolchain-env.sh >/dev/null 2>&1; env -0"],
            cwd=REPO,
            capture_output=True,
            check=False,
        )
        env = dict(i.split("=", 1) for i in done.stdout.decode().split("\0") if "=" in i)
        folder = Path(env.get("LANGGRAPH_TOOLCHAIN_DIR", "/nonexistent"))
        missing = [what for what, path in required_files().items() if not (folder / path).exists()]
        if missing:
            raise ToolchainMissing(
                f"the Pulumi toolchain in {folder} lacks {', '.join(missing)}: "
                "run scripts/bootstrap-toolchain.sh (docs/toolchain.md)"
            )
        return cls(folder, env)

    def command(self) -> auto.PulumiCommand:
        """The toolchain's CLI, checked to be exactly the pinned version."""
        return auto.PulumiCommand(
            root=str(self.folder), version=VersionInfo.parse(pins()["PULUMI_VERSION"])
        )

    def project_env(
        self, state_dir: Path, import_root: Path, passphrase: str = DEV_PASSPHRASE
    ) -> dict[str, str]:
        """The CLI's environment for a project whose state is in `state_dir` (a `file://`
        backend) and whose program and providers import from `import_root`."""
        return {
            **self.env,
            "PULUMI_BACKEND_URL": f"file://{state_dir}",
            "PULUMI_CONFIG_PASSPHRASE": passphrase,
            # The dynamic-provider host unpickles providers by reference: it must import
            # `components` from the project folder, and runs the project's .venv.
            "PULUMI_RUNTIME_VIRTUALENV": str(REPO / ".venv"),
            "PYTHONPATH": str(import_root),
        }

    def stack(
        self,
        work_dir: Path,
        state_dir: Path,
        program: Callable[[], None] | None = None,
        *,
        name: str = "dev",
        passphrase: str = DEV_PASSPHRASE,
    ) -> auto.Stack:
        """A stack of the project in `work_dir` (Pulumi.yaml, stacks/).

        With `program=None` the language host runs `work_dir`'s own program; otherwise
        `program` runs inline.
        """
        state_dir.mkdir(parents=True, exist_ok=True)
        env = self.project_env(state_dir, work_dir if program is None else REPO, passphrase)
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(work_dir),
            pulumi_home=env["PULUMI_HOME"],
            env_vars=env,
            secrets_provider="passphrase",
            pulumi_command=self.command(),
        )
        if program is None:
            return auto.create_or_select_stack(stack_name=name, work_dir=str(work_dir), opts=opts)
        return auto.create_or_select_stack(
            stack_name=name, project_name=PROJECT, program=program, opts=opts
        )
