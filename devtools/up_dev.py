"""The main job's `pulumi up` of the dev stack, on local defaults.

Runs `pulumi up --stack dev` on the project folder (an Automation API `LocalWorkspace`:
the real CLI, the `pulumi-language-python` host running `__main__.py`), with a file://
backend and the dev stack's documented passphrase; then prints the stack outputs and where
the rendered manifests are.

With `DATAPLANE_CLUSTER=local` (scripts/up-dev.sh starts the local cluster and sets
`DATAPLANE_KUBECONFIG`), the stack is applied to the local cluster instead, its state
lives beside the cluster's (.work/cluster/state, removed with the cluster), and the job
prints what the cluster reports: pods Running per workload, and the Services.

    .venv/bin/python -m devtools.up_dev
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pulumi import automation as auto

from devtools.engine import DEV_PASSPHRASE, REPO, Engine, ToolchainMissing

STATE = REPO / ".work" / "state"
"""The render-mode dev stack's state (no cluster)."""
CLUSTER_STATE = REPO / ".work" / "cluster" / "state"
"""The dev stack's state on the local cluster: it lives and dies with that cluster."""


def target() -> tuple[Path, Path | None]:
    """The state folder, and the local cluster's kubeconfig when DATAPLANE_CLUSTER=local."""
    mode = os.environ.get("DATAPLANE_CLUSTER", "")
    if mode == "":
        return STATE, None
    if mode != "local":
        raise SystemExit(f"error: DATAPLANE_CLUSTER={mode!r}: the only value is 'local'")
    kubeconfig = os.environ.get("DATAPLANE_KUBECONFIG", "")
    if not kubeconfig or not Path(kubeconfig).is_file():
        raise SystemExit(
            "error: DATAPLANE_CLUSTER=local needs DATAPLANE_KUBECONFIG, the kubeconfig that "
            "`scripts/cluster.sh start` prints: run ./scripts/up-dev.sh, which sets both"
        )
    return CLUSTER_STATE, Path(kubeconfig)


def main() -> int:
    try:
        engine = Engine.load()
    except ToolchainMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    state, kubeconfig = target()
    passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE", DEV_PASSPHRASE)
    stack = engine.stack(REPO, state, passphrase=passphrase)
    where = f"the local cluster ({kubeconfig})" if kubeconfig else "rendered manifests"
    print(f"==> pulumi up --stack dev to {where} (state: file://{state})", flush=True)
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
    if kubeconfig:
        # Imported here: the render-mode job needs no Kubernetes client.
        from devtools.cluster_view import report

        print("==> what the cluster runs (read from the API server):")
        for line in report(kubeconfig):
            print(f"    {line}")
        print(f"    kubeconfig: {kubeconfig}")
    return 0


def describe(changed: dict[str, int]) -> str:
    """'no changes', or the counts per operation."""
    if not changed:
        return "no changes"
    return ", ".join(f"{n} {op}d" if op.endswith("e") else f"{n} {op}" for op, n in changed.items())


if __name__ == "__main__":
    sys.exit(main())
