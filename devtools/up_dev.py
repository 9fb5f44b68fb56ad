"""The main job's Python half: the `pulumi up` of the dev stack, on local defaults.

scripts/up-dev.sh is the other half, and the command to run: it installs the requirements
and the toolchain, starts the control plane (and, with `DATAPLANE_CLUSTER`, the cluster),
then runs this module; run alone, this module expects all of that to be there.

Runs `pulumi up --stack dev` on the project folder (an Automation API `LocalWorkspace`:
the real CLI, the `pulumi-language-python` host running `__main__.py`), with a file://
backend and the dev stack's documented passphrase; then prints the stack outputs and where
the rendered manifests are.

`DATAPLANE_CLUSTER` (scripts/up-dev.sh starts the cluster and sets `DATAPLANE_KUBECONFIG`):
- `local`: the stack is applied to the local KWOK cluster instead; its state lives beside
  the cluster's (.work/cluster/state, removed with the cluster), and the job prints what
  the cluster reports: pods Running per workload, and the Services.
- `real`: the stack is applied to the real node (docs/real-node.md), state in
  .work/cluster-real/state. Its control plane (`DATAPLANE_CONTROLPLANE_URL`, the one
  scripts/up-dev.sh starts for it) first gets a revision of each deployment with the
  node's Agent Server image at sizes that fit the node, shipped the way a user ships one;
  the stack runs with the dev stack's settings plus the node's images
  (.work/cluster-real/Pulumi.dev.yaml, made from stacks/Pulumi.dev.yaml). The job prints
  each pod's readiness, each server's answer to its health check, and the Services.

    .venv/bin/python -m devtools.up_dev
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from devtools.engine import DEV_PASSPHRASE, REPO, Engine, ToolchainMissing

STATE = REPO / ".work" / "state"
"""The render-mode dev stack's state (no cluster)."""
CLUSTER_STATE = {
    "local": REPO / ".work" / "cluster" / "state",
    "real": REPO / ".work" / "cluster-real" / "state",
}
"""The dev stack's state on each local cluster: it lives and dies with that cluster."""
REAL_CONFIG = REPO / ".work" / "cluster-real" / "Pulumi.dev.yaml"
"""The dev stack's settings plus the real node's images (made by this job, every run)."""
MODES = ("local", "real")


@dataclass(frozen=True)
class Target:
    """Where the job applies the dev stack."""

    mode: str
    """'' (rendered manifests), 'local' or 'real'."""
    state: Path
    kubeconfig: Path | None


def target() -> Target:
    """The state folder, and the cluster's kubeconfig when DATAPLANE_CLUSTER names one."""
    mode = os.environ.get("DATAPLANE_CLUSTER", "")
    if mode == "":
        return Target(mode, STATE, None)
    if mode not in MODES:
        raise SystemExit(f"error: DATAPLANE_CLUSTER={mode!r}: the values are 'local' and 'real'")
    kubeconfig = os.environ.get("DATAPLANE_KUBECONFIG", "")
    if not kubeconfig or not Path(kubeconfig).is_file():
        raise SystemExit(
            f"error: DATAPLANE_CLUSTER={mode} needs DATAPLANE_KUBECONFIG, the kubeconfig that "
            "`scripts/cluster.sh start` prints: run ./scripts/up-dev.sh, which sets both"
        )
    return Target(mode, CLUSTER_STATE[mode], Path(kubeconfig))


def main() -> int:
    try:
        engine = Engine.load()
    except ToolchainMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    where = target()
    passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE", DEV_PASSPHRASE)
    stack = engine.stack(REPO, where.state, passphrase=passphrase)
    options: dict[str, Any] = {}
    if where.mode == "real":
        options["config_file"] = str(prepare_real_node())
    described = {
        "": "rendered manifests",
        "local": f"the local cluster ({where.kubeconfig})",
        "real": f"the real node ({where.kubeconfig})",
    }[where.mode]
    print(f"==> pulumi up --stack dev to {described} (state: file://{where.state})", flush=True)
    try:
        result = stack.up(on_output=print, diff=True, color="auto", **options)
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
    if where.kubeconfig:
        # Imported here: the render-mode job needs no Kubernetes client.
        from devtools.cluster_view import live_report, report

        print("==> what the cluster runs (read from the API server):")
        lines = live_report(where.kubeconfig) if where.mode == "real" else report(where.kubeconfig)
        for line in lines:
            print(f"    {line}")
        print(f"    kubeconfig: {where.kubeconfig}")
    return 0


def prepare_real_node() -> Path:
    """Ship the node's revisions to the control plane; write the dev stack's settings plus
    the node's images; the path of that config file."""
    from components.controlplane import ControlPlaneClient
    from devtools.realnode.deploy import merge_config, node_images, revision_patch, stack_config
    from local_controlplane.seed import DEFAULT_API_KEY

    url = os.environ.get("DATAPLANE_CONTROLPLANE_URL", "")
    if not url:
        raise SystemExit(
            "error: DATAPLANE_CLUSTER=real needs DATAPLANE_CONTROLPLANE_URL, the control plane "
            "scripts/up-dev.sh starts for the real node: run ./scripts/up-dev.sh"
        )
    images = node_images()
    stack_file = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
    compute_id = stack_file["config"]["dataplane:controlPlane"]["listenerComputeId"]
    served = []
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=url) as cp:
        listener = next((li for li in cp.list_listeners() if li.compute_id == compute_id), None)
        for deployment in cp.list_deployments():
            if listener is None or deployment.listener_id != listener.id:
                continue
            served.append(deployment.name)
            if deployment.image_uri != images["agent-server"]:
                cp.patch_deployment(deployment.id, revision_patch(images))
                print(f"==> shipped a revision of {deployment.name}: {images['agent-server']}")
    stack_file["config"] = merge_config(
        stack_file["config"],
        {**stack_config(images, served), "dataplane:controlPlane": {"url": url}},
    )
    REAL_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Made by devtools/up_dev.py (DATAPLANE_CLUSTER=real) from stacks/Pulumi.dev.yaml: the\n"
        "# dev stack's settings, its control plane for the real node, and the node's images.\n"
    )
    REAL_CONFIG.write_text(header + yaml.safe_dump(stack_file, sort_keys=False))
    return REAL_CONFIG


def describe(changed: dict[str, int]) -> str:
    """'no changes', or the counts per operation."""
    if not changed:
        return "no changes"
    return ", ".join(f"{n} {op}d" if op.endswith("e") else f"{n} {op}" for op, n in changed.items())


if __name__ == "__main__":
    sys.exit(main())
