"""The main job's `pulumi up` of the dev stack, on local defaults.

Runs `pulumi up --stack dev` on the project folder (an Automation API `LocalWorkspace`:
the real CLI, the `pulumi-language-python` host running `__main__.py`), with a file://
backend in .work/state and the dev stack's documented passphrase; then prints the stack
outputs and where the rendered manifests are.

    .venv/bin/python -m devtools.up_dev
"""

from __future__ import annotations

import os
import sys

from pulumi import automation as auto

from devtools.engine import DEV_PASSPHRASE, REPO, Engine, ToolchainMissing

STATE = REPO / ".work" / "state"


def main() -> int:
    try:
        engine = Engine.load()
    except ToolchainMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE", DEV_PASSPHRASE)
    stack = engine.stack(REPO, STATE, passphrase=passphrase)
    print(f"==> pulumi up --stack dev (state: file://{STATE})", flush=True)
    try:
        result = stack.up(on_output=print, diff=True, color="auto")
    except auto.CommandError as exc:
        print(f"error: pulumi up failed:\n{exc}", file=sys.stderr)
        return 1
    changed = {op: n for op, n in (result.summary.resource_changes or {}).items() if op != "same"}
    print(f"\n==> deployed stack dev: {describe(changed)}")
    for name, output in sorted(result.outputs.items()):
        print(f"    {name}: {'[secret]' if output.secret else output.value}")
    manifests = result.outputs.get("manifests_dir")
    if manifests and manifests.value:
        folder = REPO / manifests.value
        count = len(list(folder.rglob("*.yaml")))
        print(f"==> {count} manifests in {folder} (Secrets in plain text: keep it out of git)")
    return 0


def describe(changed: dict[str, int]) -> str:
    """'no changes', or the counts per operation."""
    if not changed:
        return "no changes"
    return ", ".join(f"{n} {op}d" if op.endswith("e") else f"{n} {op}" for op, n in changed.items())


if __name__ == "__main__":
    sys.exit(main())
