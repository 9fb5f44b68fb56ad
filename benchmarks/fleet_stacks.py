"""A generated fleet for the shard benchmark: a project folder whose stacks are copies of the
example stack files (`stacks/`), each on a listener, namespaces and deployments of its own, so
that the policy pack's fleet rule finds no two stacks sharing one.

Copy k of `dev` is `dev-kk` (listener `dev-cluster-kk`, deployments `agent-alpha-kk` and
`agent-beta-kk` seeded on it); of `acme-prod`, `acme-prod-kk` (listener `acme-prod-eks-kk`,
namespaces and deployments suffixed); of `standalone-example` (no control plane),
`standalone-example-kk` as it is. Each copy keeps its example's encrypted values and
passphrase.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from components.controlplane import ControlPlaneClient
from devtools.engine import REPO
from devtools.example_fleet import seed_stack

PASSPHRASES = {
    "dev": "langgraph-dev-passphrase",
    "acme-prod": "acme-example-passphrase",
    "standalone-example": "standalone-example-passphrase",
}
# Deployments the dev stack finds on its listener (the local server seeds them on dev's).
DEV_DEPLOYMENTS = ("agent-alpha", "agent-beta")
RENAMED_MAPS = ("dataplane:deployments", "dataplane:externalPostgresUris")


def write_project(root: Path) -> Path:
    """A project folder running the checkout's program on its virtualenv."""
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    project["runtime"]["options"]["virtualenv"] = str(REPO / ".venv")
    (root / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    for name in ("__main__.py", "components"):  # the program and the provider host import them
        (root / name).symlink_to(REPO / name)
    return root


def copy_config(base: str, config: dict[str, Any], suffix: str) -> dict[str, Any]:
    """`base`'s config for its copy `<base>-<suffix>`."""
    config = copy.deepcopy(config)
    control_plane = config.get("dataplane:controlPlane")
    if isinstance(control_plane, dict) and control_plane.get("listenerComputeId"):
        control_plane["listenerComputeId"] += f"-{suffix}"
        for key in RENAMED_MAPS:
            if isinstance(config.get(key), dict):
                config[key] = {f"{k}-{suffix}": v for k, v in config[key].items()}
        namespaces = config.get("dataplane:namespaces")
        # Stacks naming one kubeconfig must not share a namespace (the pack's fleet rule).
        if isinstance(namespaces, dict) and config.get("dataplane:kubeconfig"):
            namespaces["names"] = [f"{n}-{suffix}" for n in namespaces["names"]]
    config.pop("dataplane:renderDir", None)  # the fleet's --render-dir sets it
    return config


def generate(root: Path, count: int) -> dict[str, str]:
    """`count` stacks in `root/stacks`, the examples in turn; stack name to passphrase."""
    examples = {
        base: yaml.safe_load((REPO / "stacks" / f"Pulumi.{base}.yaml").read_text())
        for base in PASSPHRASES
    }
    bases = sorted(examples)
    passphrases = {}
    for i in range(count):
        base = bases[i % len(bases)]
        suffix = f"{i // len(bases) + 1:02d}"
        doc = dict(examples[base])
        doc["config"] = copy_config(base, doc["config"], suffix)
        name = f"{base}-{suffix}"
        (root / "stacks" / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc))
        passphrases[name] = PASSPHRASES[base]
    return passphrases


def seed(root: Path, base_url: str, api_key: str) -> int:
    """Register each generated stack's listener and deployments; how many objects."""
    created = 0
    with ControlPlaneClient(api_key, base_url=base_url) as client:
        for path in sorted((root / "stacks").glob("Pulumi.*.yaml")):
            config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
            compute_id = (config.get("dataplane:controlPlane") or {}).get("listenerComputeId")
            if compute_id and compute_id.startswith("dev-cluster-"):
                # dev names no deployment: it serves what is bound to its listener.
                suffix = compute_id.removeprefix("dev-cluster-")
                wanted: dict[str, Any] = {f"{d}-{suffix}": {} for d in DEV_DEPLOYMENTS}
                config = {**config, "dataplane:deployments": wanted}
            created += len(seed_stack(client, config))
    return created
