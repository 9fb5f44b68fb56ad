"""The main job's `pulumi up` of the dev stack, on local defaults.

Runs the project's program inline through the Automation API with the locally built CLI,
a file:// backend in .work/state and the dev stack's documented passphrase; prints what
was deployed and where. Exits 2, saying exactly why, when the engine lacks a plugin the
data plane needs.

    .venv/bin/python -m devtools.up_dev
"""

from __future__ import annotations

import os
import sys

from pulumi import automation as auto

from components.program import main as program
from devtools.engine import DEV_PASSPHRASE, REPO, Engine, ToolchainMissing

STATE = REPO / ".work" / "state"


def main() -> int:
    try:
        engine = Engine.load()
    except ToolchainMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    blocked = engine.blocked_reason()
    if blocked:
        print(
            f"error: cannot `pulumi up` the dev stack on this machine: {blocked}.\n"
            "What does run here: the control-plane sync in the real engine "
            "(tests/integration/test_sync_engine.py) and every component under mocks.",
            file=sys.stderr,
        )
        return 2
    passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE", DEV_PASSPHRASE)
    stack = engine.stack(REPO, STATE, program, passphrase=passphrase)
    try:
        result = stack.up(on_output=print, diff=True, color="auto")
    except auto.CommandError as exc:
        print(f"error: pulumi up failed:\n{exc}", file=sys.stderr)
        return 1
    print("\n==> deployed stack dev")
    for name, output in sorted(result.outputs.items()):
        print(f"    {name}: {'[secret]' if output.secret else output.value}")
    manifests = result.outputs.get("manifests_dir")
    if manifests and manifests.value:
        folder = REPO / manifests.value
        count = len(list(folder.rglob("*.yaml")))
        print(f"==> {count} manifests in {folder} (Secrets in plain text: keep it out of git)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
