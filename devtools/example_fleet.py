"""A control plane holding what the project's stack files expect, for dry fleet previews.

`acme-prod` names a listener (`acme-prod-eks`) and two deployments that live in Acme's real
control plane. To preview it against the local one (`python -m preview_report.fleet
--control-plane-url ...`), that control plane must hold them too: this registers, for every
stack file, its listener (on the stack's namespaces) and each deployment its config names
(unless served from a static revision), where they are missing. Deployments already there,
like the local server's seeded `agent-alpha` and `agent-beta` on `dev-cluster`, are left as
they are.

    .venv/bin/python -m devtools.example_fleet http://127.0.0.1:8765   # key: lsv2_local_dev_key
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from components.controlplane import ControlPlaneClient
from components.core.defaults import DEFAULT_NAMESPACES
from devtools.engine import REPO
from local_controlplane.seed import DEFAULT_API_KEY

IMAGE = "docker.io/langchain/langgraph-api:0.4.20-py3.11"


def stack_configs(stacks_dir: Path) -> dict[str, dict[str, Any]]:
    """Stack name to its `config` map, for every stack file in `stacks_dir`."""
    return {
        p.name.removeprefix("Pulumi.").removesuffix(".yaml"): (
            yaml.safe_load(p.read_text()) or {}
        ).get("config")
        or {}
        for p in sorted(stacks_dir.glob("Pulumi.*.yaml"))
    }


def seed_stack(client: ControlPlaneClient, config: dict[str, Any]) -> list[str]:
    """Register the stack's listener and deployments where missing; the names created."""
    compute_id = (config.get("dataplane:controlPlane") or {}).get("listenerComputeId")
    if not compute_id:
        return []
    namespaces = (config.get("dataplane:namespaces") or {}).get("names") or list(DEFAULT_NAMESPACES)
    listener = next((x for x in client.iter_listeners() if x.compute_id == compute_id), None)
    created = []
    if listener is None:
        listener = client.create_listener(compute_id, namespaces)
        created.append(f"listener {compute_id}")
    existing = {d.name for d in client.iter_deployments()}
    wanted = config.get("dataplane:deployments") or {}
    for i, (name, settings) in enumerate(sorted(wanted.items())):
        if name in existing or (isinstance(settings, dict) and settings.get("static")):
            continue
        client.create_deployment(
            {
                "name": name,
                "source": "external_docker",
                "source_config": {
                    "listener_id": listener.id,
                    "listener_config": {"k8s_namespace": namespaces[i % len(namespaces)]},
                    "resource_spec": {"min_scale": 1, "max_scale": 3},
                },
                "source_revision_config": {"image_uri": IMAGE},
                "secrets": [{"name": "OPENAI_API_KEY", "value": f"sk-{name}-fake-not-real"}],
            }
        )
        created.append(f"deployment {name}")
    return created


def seed_fleet(base_url: str, api_key: str, stacks_dir: Path = REPO / "stacks") -> list[str]:
    """`seed_stack` for every stack file in `stacks_dir`."""
    created = []
    with ControlPlaneClient(api_key, base_url=base_url) as client:
        for config in stack_configs(stacks_dir).values():
            created += seed_stack(client, config)
    return created


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m devtools.example_fleet", description=__doc__)
    p.add_argument("url", help="the control plane's base URL")
    p.add_argument("--stacks-dir", type=Path, default=REPO / "stacks")
    args = p.parse_args(argv)
    key = os.environ.get("LANGGRAPH_CONTROL_PLANE_API_KEY", DEFAULT_API_KEY)
    for line in seed_fleet(args.url, key, args.stacks_dir) or ["nothing to register"]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
