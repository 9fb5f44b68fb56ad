"""The Pulumi program: parse the stack config, ask the control plane, build one DataPlane."""

import pulumi

from components.config import ConfigError, load_stack_config
from components.controlplane import ControlPlaneClient, ControlPlaneError
from components.discovery import discover
from components.stack import build_stack

try:
    config = load_stack_config()
    cp = config.control_plane
    with ControlPlaneClient(
        config.api_key.get_secret_value(),
        base_url=cp.base_url,
        tenant_id=cp.workspace_id,
        timeout=cp.timeout_seconds,
    ) as client:
        discovery = discover(client, config)
    stack = build_stack(config, discovery)
except (ConfigError, ControlPlaneError) as exc:
    # A clear message without a Python traceback: nothing was changed.
    raise pulumi.RunError(str(exc)) from None

dataplane = stack.dataplane
pulumi.export("namespace", dataplane.namespace)
pulumi.export("listener_id", dataplane.listener_id)
pulumi.export("server_urls", dataplane.server_urls)
pulumi.export(
    "revisions",
    {name: {"revision": s.revision_id, "image": s.image} for name, s in stack.syncs.items()},
)
pulumi.export("manifests_dir", None if config.kubeconfig else config.render_dir)
