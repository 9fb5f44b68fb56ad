"""Programs in other languages that consume the component package, run by the real CLI.

Each runs from a private copy of an example in `examples/` (or a YAML program written by the
test), with a `file://` backend in the test's folder and the package at the checkout's
`package/`. The CLI's environment is the toolchain's and nothing else: no
`PULUMI_RUNTIME_VIRTUALENV`, no `PYTHONPATH`, as a TypeScript team would run it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.engine import REPO, Engine
from devtools.leftovers import kill_session
from tests.integration.dataplane_project import engine

PACKAGE = REPO / "package"
EXAMPLES = REPO / "examples"
PASSPHRASE = "package-test-passphrase"
# Minutes are plenty: a preview or an up here takes seconds; `pulumi install` runs npm.
TIMEOUT_SECONDS = 600


@dataclass
class Program:
    """One program in `root` with its stack `name`; every CLI run's output in `output`."""

    root: Path
    state: Path
    engine: Engine
    name: str = "test"
    output: list[str] = field(default_factory=list)
    prefix: list[str] = field(default_factory=list)
    """A command the CLI runs under (a mount namespace, say)."""
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_example(cls, example: str, work: Path) -> Program:
        """A copy of `examples/<example>` in `work`, pointing at the checkout's package."""
        root = work / example
        shutil.copytree(
            EXAMPLES / example,
            root,
            ignore=shutil.ignore_patterns("node_modules", "sdks", "bin", "Pulumi.*.yaml"),
        )
        project = yaml.safe_load((root / "Pulumi.yaml").read_text())
        project["packages"] = {"langgraph": str(PACKAGE)}
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        return cls.create(root, work / f"{example}-state")

    @classmethod
    def yaml_program(cls, name: str, work: Path, resources: dict[str, Any]) -> Program:
        """A Pulumi YAML program in `work/name` declaring `resources`."""
        root = work / name
        root.mkdir(parents=True)
        project = {
            "name": name,
            "runtime": "yaml",
            "packages": {"langgraph": str(PACKAGE)},
            "resources": resources,
        }
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        return cls.create(root, work / f"{name}-state")

    @classmethod
    def create(cls, root: Path, state: Path, **options: Any) -> Program:
        state.mkdir(parents=True, exist_ok=True)
        program = cls(root, state, engine(), **options)
        program.cli("stack", "init", program.name)
        return program

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in {**os.environ, **self.engine.env}.items()
            if k not in ("PULUMI_RUNTIME_VIRTUALENV", "PYTHONPATH", "VIRTUAL_ENV")
        }
        env.update(
            PULUMI_BACKEND_URL=f"file://{self.state}",
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            NO_COLOR="1",
        )
        env.update(self.extra_env)
        return env

    def cli(
        self, *args: str, check: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`pulumi ARGS` in the program's folder, `stdin` on its input; its output is kept in
        `output`."""
        # Its own session: after a failed construct the CLI leaves the language host that
        # ran the package behind (pulumi 3.259.0); it is stopped with the session.
        process = subprocess.Popen(
            [*self.prefix, str(self.engine.folder / "bin" / "pulumi"), *args, "--non-interactive"],
            cwd=self.root,
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(stdin, timeout=TIMEOUT_SECONDS)
        finally:
            kill_session(process.pid)
            process.wait()
        done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        self.output.append(f"$ pulumi {' '.join(args)}\n{done.stdout}\n{done.stderr}")
        if check and done.returncode != 0:
            pytest.fail(f"pulumi {' '.join(args)} exited {done.returncode}:\n{self.tail()}")
        return done

    def tail(self, lines: int = 60) -> str:
        return "\n".join("\n".join(self.output).splitlines()[-lines:])

    def install(self) -> None:
        """`pulumi install`: the SDK generated from the package, and the npm dependencies."""
        self.cli("install")

    def set_config(self, key: str, value: str, *, secret: bool = False) -> None:
        """A secret's value goes on the CLI's input, never on its command line."""
        if secret:
            self.cli("config", "set", "--secret", key, stdin=value)
        else:
            self.cli("config", "set", key, value)

    def up(self) -> dict[str, Any]:
        """`pulumi up`, then the stack's outputs (secrets shown)."""
        self.cli("up", "--yes", "--skip-preview")
        return json.loads(self.cli("stack", "output", "--json", "--show-secrets").stdout)

    def preview(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.cli("preview", "--diff", *extra, check=check)

    def stored_state_text(self) -> str:
        """The state files exactly as the `file://` backend stores them, backups included."""
        files = sorted((self.state / ".pulumi").rglob("*.json"))
        assert files, "no state files"
        return "\n".join(p.read_text() for p in files)

    def resource_types(self) -> list[str]:
        exported = json.loads(self.cli("stack", "export").stdout)
        return [r["type"] for r in exported["deployment"].get("resources", [])]
