"""`pulumi preview --policy-pack policy` as users type it, and what the engine reported.

A preview here is the toolchain's real CLI, run as a command in the project folder with the
environment of scripts/toolchain-env.sh, a `file://` backend and the passphrase provider,
and `--event-log`: the engine's own events say which policies ran on which resource,
which passed, and every violation with its message and level.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from devtools.engine import REPO, Engine
from devtools.leftovers import run_in_session

PACK = REPO / "policy"
FIXTURE = Path(__file__).resolve().parent / "program"


@dataclass(frozen=True)
class Reported:
    """One violation, as the engine reported it."""

    policy: str
    urn: str
    message: str
    level: str

    @property
    def resource(self) -> str:
        """The Pulumi name of the resource (the stack's for stack-wide violations)."""
        return self.urn.rsplit("::", 1)[-1]


@dataclass
class PackPreview:
    """The outcome of one `pulumi preview --policy-pack`."""

    returncode: int
    output: str
    events: list[dict[str, Any]] = field(repr=False)

    @property
    def violations(self) -> list[Reported]:
        return [
            Reported(e["policyName"], e.get("resourceUrn", ""), e["message"], e["enforcementLevel"])
            for e in (ev.get("policyEvent") for ev in self.events)
            if e
        ]

    def where(self, policy: str) -> list[str]:
        """The resources `policy` reported, by Pulumi name, sorted (with repeats)."""
        return sorted(v.resource for v in self.violations if v.policy == policy)

    @property
    def resource_policies_run(self) -> dict[str, set[str]]:
        """Policy name to the URNs it checked (passed or failed), from the engine's summaries."""
        ran: dict[str, set[str]] = defaultdict(set)
        for event in self.events:
            summary = event.get("policyAnalyzeSummaryEvent")
            if summary:
                for name in [*summary.get("passed", []), *summary.get("failed", [])]:
                    ran[name].add(summary["resourceUrn"])
        return ran

    @property
    def stack_policies(self) -> tuple[set[str], set[str]]:
        """The stack policies that passed, and those that failed."""
        passed: set[str] = set()
        failed: set[str] = set()
        for event in self.events:
            summary = event.get("policyAnalyzeStackSummaryEvent")
            if summary:
                passed.update(summary.get("passed", []))
                failed.update(summary.get("failed", []))
        return passed, failed


def copy_fixture(root: Path) -> Path:
    """The fixture program in `root`, on the project's virtualenv, with the product package
    it and the policy pack read (components/core/, the floor: standard library only)."""
    root.mkdir(parents=True)
    project = yaml.safe_load((FIXTURE / "Pulumi.yaml").read_text())
    project["runtime"]["options"]["virtualenv"] = str(REPO / ".venv")
    (root / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    shutil.copy(FIXTURE / "__main__.py", root / "__main__.py")
    # The whole floor package: `components.core` is a regular package, so the policy pack
    # (which also reads its defaults and image rules) finds this copy first and nothing else.
    shutil.copytree(
        REPO / "components" / "core",
        root / "components" / "core",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (root / "stacks").mkdir()
    return root


def write_stack_file(project_dir: Path, stack: str, config: dict[str, Any]) -> None:
    stacks = yaml.safe_load((project_dir / "Pulumi.yaml").read_text()).get("stackConfigDir", ".")
    path = project_dir / stacks / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))


def open_stack(engine: Engine, project_dir: Path, name: str, passphrase: str) -> auto.Stack:
    """The stack `name` of the project in `project_dir`, its state in `project_dir/state`
    (created there when new)."""
    return engine.stack(project_dir, project_dir / "state", name=name, passphrase=passphrase)


def preview(
    engine: Engine, stack: auto.Stack, *, pack_config: dict[str, Any] | None = None
) -> PackPreview:
    """`pulumi preview --stack <stack> --policy-pack <repo>/policy` in the stack's project
    folder, with `--policy-pack-config` when `pack_config` is given."""
    project_dir = Path(stack.workspace.work_dir)
    log = project_dir / f"events-{stack.name}.jsonl"
    log.unlink(missing_ok=True)
    command = [
        str(engine.folder / "bin" / "pulumi"),
        "preview",
        "--stack",
        stack.name,
        "--policy-pack",
        str(PACK),
        "--non-interactive",
        "--color",
        "never",
        "--event-log",
        str(log),
    ]
    if pack_config is not None:
        config_file = project_dir / f"policy-config-{stack.name}.json"
        config_file.write_text(json.dumps(pack_config))
        command += ["--policy-pack-config", str(config_file)]
    # Its own session, killed whole at the end: a CLI killed on the timeout leaves no plugin.
    done = run_in_session(
        command,
        cwd=project_dir,
        # `--event-log` is one of the debug commands' flags (the Automation API sets it too).
        env={**stack.workspace.env_vars, "PULUMI_DEBUG_COMMANDS": "true"},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    # No event log when the CLI failed before the engine started: the output says why.
    lines = log.read_text().splitlines() if log.exists() else []
    events = [json.loads(line) for line in lines if line.strip()]
    return PackPreview(done.returncode, done.stdout + done.stderr, events)
