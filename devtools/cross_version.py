"""Would existing stacks see a change? Every example stack is brought up with the program of
one checkout, then previewed with this checkout's program over that state.

    PULUMI_CONFIG_PASSPHRASE_DEV=langgraph-dev-passphrase \\
    PULUMI_CONFIG_PASSPHRASE_ACME_PROD=acme-example-passphrase \\
    PULUMI_CONFIG_PASSPHRASE_STANDALONE_EXAMPLE=standalone-example-passphrase \\
    .venv/bin/python -m devtools.cross_version /path/to/older/checkout

Both runs are the real CLI and language host on a shared `file://` backend in a scratch
folder, as a fleet dry run opens them (`preview_report.workspaces`): against the local
control plane, started here and seeded for every stack file (`example_fleet`), rendering
manifests instead of reading a cluster. Run it with the toolchain on PATH
(`source scripts/toolchain-env.sh`); the older checkout runs on this checkout's virtualenv.
Prints each stack's preview changes and exits 1 when any stack would change.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from devtools.engine import REPO
from devtools.example_fleet import seed_fleet
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import run_server
from preview_report.workspaces import API_KEY_ENV, Fleet, Overrides, Project


def open_stack(fleet: Fleet, stack: str) -> tuple[auto.Stack, str | None]:
    """The stack in `fleet`'s project, on this checkout's virtualenv."""
    handle, config_file = fleet.open(stack)
    env = dict(handle.workspace.env_vars)
    env["PULUMI_RUNTIME_VIRTUALENV"] = str(REPO / ".venv")
    handle.workspace.env_vars = env
    return handle, config_file


def by_op(summary: Mapping[Any, int] | None) -> dict[str, int]:
    return {str(op): n for op, n in (summary or {}).items() if n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("older", type=Path, help="the checkout whose program makes the state")
    parser.add_argument("--stacks", help="comma-separated (default: every stack file)")
    args = parser.parse_args(argv)
    older, newer = Project(args.older.resolve()), Project(REPO)
    stacks = args.stacks.split(",") if args.stacks else newer.stacks()
    failed = False
    with tempfile.TemporaryDirectory(prefix="cross-version-") as scratch, run_server() as url:
        seed_fleet(url, DEFAULT_API_KEY, newer.stacks_dir)
        root = Path(scratch)
        backend = f"file://{root / 'state'}"
        (root / "state").mkdir()
        overrides = Overrides(url, root / "manifests")
        fleets = {
            name: Fleet(project, backend, root / name, overrides, create_missing=True)
            for name, project in (("older", older), ("newer", newer))
        }
        os.environ[API_KEY_ENV] = DEFAULT_API_KEY  # the dry run's key for every stack
        for stack in stacks:
            handle, config_file = open_stack(fleets["older"], stack)
            up = handle.up(color="never", config_file=config_file)
            made = sum(by_op(up.summary.resource_changes).values())
            handle, config_file = open_stack(fleets["newer"], stack)
            preview = handle.preview(color="never", config_file=config_file)
            counts = by_op(preview.change_summary)
            same = counts.pop("same", 0)
            changed = counts
            failed |= bool(changed)
            print(
                f"{stack}: up with {args.older} made {made} resources; preview with this "
                f"checkout: {same} same, changes {changed or 'none'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
