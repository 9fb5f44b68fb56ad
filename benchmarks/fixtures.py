"""The control plane's state for one stack size, and the stack config that points at it.

Each size starts from the local server's example state (a dev listener with two
deployments, a staging listener with one), plus a listener `bench-cluster` with exactly N
bulk deployments bound to it in namespace `langgraph`: the stack serves those N, and the
deployment list the program pages through holds N+3.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from components.config import NAMESPACE, StackConfig, parse_stack_config
from components.controlplane import ControlPlaneClient
from components.core.defaults import DEFAULT_NAMESPACE, DEFAULT_RENDER_DIR
from components.planning.discovery import DiscoveredDeployment, Discovery, discover
from components.providers.targets import TargetRevision
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import AdminClient

from .static_providers import STATIC_IMAGE

COMPUTE_ID = "bench-cluster"
K8S_NAMESPACE = DEFAULT_NAMESPACE
LICENCE = "lgp-local-dev-fake-licence-key"


def seed(url: str, size: int) -> Discovery:
    """Reset the server to `size` served deployments; return what the program discovers."""
    with AdminClient(url) as admin:
        admin.reset(seed=True)
        with ControlPlaneClient(DEFAULT_API_KEY, base_url=url) as client:
            listener = client.create_listener(COMPUTE_ID, [K8S_NAMESPACE])
            admin.seed(
                size, listener_id=listener.id, k8s_namespace=K8S_NAMESPACE, name_prefix="agent"
            )
            found = discover(client, config_of(url))
        admin.reset_stats()
    if len(found.deployments) != size:
        raise RuntimeError(f"seeded {size} deployments, discovery serves {len(found.deployments)}")
    return found


def pulumi_config(
    url: str, *, static: Discovery | None = None, render_dir: str = f"{DEFAULT_RENDER_DIR}/bench"
) -> tuple[dict[str, str], list[str]]:
    """The stack's config as Pulumi hands it to a program (`dataplane:` keys, JSON text).

    With `static`, every deployment of that discovery is declared statically
    (`dataplane:deployments.<name>.static`) and discovery is off.
    """
    control_plane: dict[str, Any] = {
        "url": url,
        "listenerComputeId": COMPUTE_ID,
        "timeoutSeconds": 10,
    }
    values: dict[str, Any] = {
        "controlPlane": control_plane,
        "apiKey": DEFAULT_API_KEY,
        "licenseKey": LICENCE,
        "namespaces": {"names": [K8S_NAMESPACE]},
        "postgres": {"deletionProtection": False},
        "renderDir": render_dir,
    }
    secret = ["apiKey", "licenseKey"]
    if static is not None:
        control_plane["discover"] = False
        values["deployments"] = {
            d.name: {
                "static": {
                    "deploymentId": d.id,
                    "namespace": d.namespace,
                    "revisionId": d.active_revision_id,
                    "image": STATIC_IMAGE,
                    "resourceSpec": d.resource_spec,
                    **({"secrets": d.secrets} if d.secrets else {}),
                }
            }
            for d in static.deployments
        }
        secret.append("deployments")
    config = {
        f"{NAMESPACE}:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()
    }
    return config, [f"{NAMESPACE}:{k}" for k in secret]


def config_of(url: str) -> StackConfig:
    """The parsed stack config of `pulumi_config(url)`."""
    raw, secret = pulumi_config(url)
    prefix = f"{NAMESPACE}:"
    return parse_stack_config(
        {k[len(prefix) :]: v for k, v in raw.items()}, [k[len(prefix) :] for k in secret]
    )


def discovery_to_json(discovery: Discovery) -> str:
    return json.dumps(asdict(discovery))


def discovery_from_json(text: str) -> Discovery:
    raw: dict[str, Any] = json.loads(text)
    return Discovery(
        listener_id=raw["listener_id"],
        deployments=[
            DiscoveredDeployment(**{**d, "target": TargetRevision.from_props(d.get("target"))})
            for d in raw["deployments"]
        ],
        skipped=list(raw.get("skipped", [])),
        listener_namespaces=list(raw.get("listener_namespaces", [])),
    )
