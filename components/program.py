"""The Pulumi program: parse the stack config, ask the control plane, build, export.

`__main__.py` runs `main()`; the Automation API runs it as an inline program too.
"""

from __future__ import annotations

import pulumi

from .config import ConfigError, StackConfig, load_stack_config
from .controlplane import ControlPlaneClient, ControlPlaneError
from .discovery import Discovery, discover
from .stack import build_stack


def load_and_discover() -> tuple[StackConfig, Discovery]:
    """The stack config and what the control plane serves; clear errors, no traceback."""
    try:
        config = load_stack_config()
        cp = config.control_plane
        with ControlPlaneClient(
            config.api_key.get_secret_value(),
            base_url=cp.base_url,
            tenant_id=cp.workspace_id,
            timeout=cp.timeout_seconds,
        ) as client:
            return config, discover(client, config)
    except (ConfigError, ControlPlaneError) as exc:
        # A clear message without a Python traceback: nothing was changed.
        raise pulumi.RunError(str(exc)) from None


def main() -> None:
    """The whole data plane of the running stack, and its outputs."""
    config, discovery = load_and_discover()
    try:
        stack = build_stack(config, discovery)
    except ConfigError as exc:
        raise pulumi.RunError(str(exc)) from None
    dataplane = stack.dataplane
    pulumi.export("namespace", dataplane.namespace)
    pulumi.export("listener_id", dataplane.listener_id)
    pulumi.export("server_urls", dataplane.server_urls)
    # Ready to report to the control plane as each deployment's `custom_url`.
    pulumi.export("server_public_urls", stack.server_public_urls)
    pulumi.export(
        "revisions",
        {name: {"revision": s.revision_id, "image": s.image} for name, s in stack.syncs.items()},
    )
    pulumi.export("manifests_dir", None if config.kubeconfig else config.render_dir)
