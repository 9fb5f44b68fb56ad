"""The project's dev stack in a private folder, driven by the real CLI through the Automation API.

The folder is a copy of the project (Pulumi.yaml, __main__.py, components/, the dev stack
file), so a stack can run it as a local program through the `pulumi-language-python`
host, the way users run `pulumi up --stack dev`, or run a program inline. Everything is
the real engine: the toolchain built by scripts/bootstrap-toolchain.sh, the project's
dynamic providers in the engine's provider host, real HTTP to a local control plane on
loopback, and a `file://` backend in the test's folder. Tests never touch the checkout's
stack files or state.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

from devtools.engine import REPO, Engine, ToolchainMissing


def manifests(folder: Path) -> list[dict[str, Any]]:
    """Every rendered object under `folder`."""
    return [
        doc
        for path in sorted(folder.rglob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def engine() -> Engine:
    """The built engine; a missing piece is a failure (CI always bootstraps first)."""
    try:
        return Engine.load()
    except ToolchainMissing as exc:
        pytest.fail(f"{exc} (scripts/test.sh does)")


@dataclass
class DataplaneProject:
    """The dev stack, in `root`, aimed at the local control plane at `controlplane_url`."""

    root: Path
    controlplane_url: str
    engine: Engine
    output: list[str] = field(default_factory=list)

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    @classmethod
    def create(
        cls, root: Path, controlplane_url: str, *, config: dict[str, Any] | None = None
    ) -> DataplaneProject:
        (root / "stacks").mkdir(parents=True)
        project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
        # The copy runs on the checkout's virtualenv.
        project["runtime"]["options"]["virtualenv"] = str(REPO / ".venv")
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        shutil.copy(REPO / "__main__.py", root / "__main__.py")
        shutil.copytree(
            REPO / "components", root / "components", ignore=shutil.ignore_patterns("__pycache__")
        )
        stack_file = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
        stack_file["config"]["dataplane:controlPlane"]["url"] = controlplane_url
        stack_file["config"]["dataplane:renderDir"] = str(root / "manifests")
        stack_file["config"].update(config or {})
        (root / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack_file))
        return cls(root, controlplane_url, engine())

    def stack(self, program: Callable[[], None] | None = None, name: str = "dev") -> auto.Stack:
        """The stack, running `program` inline, or with None the copy's own program."""
        return self.engine.stack(self.root, self.root / "state", program, name=name)

    def record(self, line: str) -> None:
        self.output.append(line)

    def preview_json(self, stack: auto.Stack) -> dict[str, Any]:
        """`pulumi preview --diff --json`, parsed."""
        result = stack.preview(diff=True, json=True, on_output=self.record)
        return json.loads(result.stdout)

    def manifest_text(self) -> str:
        """Every rendered manifest, as one multi-document YAML text (one object per file)."""
        return "\n---\n".join(p.read_text() for p in sorted(self.manifests.rglob("*.yaml")))

    def rendered_passwords(self) -> list[str]:
        """The generated Postgres and Redis passwords, read back from the rendered Secrets,
        each in plain text and in the base64 form of a Secret's `data`."""
        plain = []
        for doc in yaml.safe_load_all(self.manifest_text()):
            if doc and doc.get("kind") == "Secret":
                for key, value in (doc.get("stringData") or {}).items():
                    plain += [value] if key.endswith("PASSWORD") else []
                for key, value in (doc.get("data") or {}).items():
                    plain += [base64.b64decode(value).decode()] if key.endswith("PASSWORD") else []
        return plain + [base64.b64encode(v.encode()).decode() for v in plain]

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
