"""`langgraph:index:DataPlane`: the data plane of one stack, as the package serves it.

It takes the stack file's `dataplane:` keys as inputs and does what the Python program does
with them (`program.declare`): the same config checks, the same discovery, the same cluster
checks and the same objects with the same names, declared inside this component; only the
control-plane resources are the package's own (`served.py`). So, like a stack, a program
holds one data plane: the provider refuses a second (`provider.py`).
"""

from __future__ import annotations

from typing import Any

import pulumi

from ..config import StackConfig
from ..controlplane_resources import Declaring
from ..core.names import PACKAGE_COMPONENT_TOKEN
from ..program import Stack, declare, discover_for
from ..providers.connection import API_KEY_CONFIG, remember_api_key
from .served import ServedListenerRegistration, ServedRevisionSync


class DataPlaneComponent(pulumi.ComponentResource):
    """The whole data plane of one environment, from a validated `StackConfig`."""

    namespace: pulumi.Output[str]
    listener_id: pulumi.Output[str]
    server_urls: pulumi.Output[dict[str, str]]
    server_public_urls: pulumi.Output[dict[str, str]]
    revisions: pulumi.Output[dict[str, dict[str, str]]]
    manifests_dir: pulumi.Output[str]

    def __init__(
        self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(PACKAGE_COMPONENT_TOKEN, name, None, opts)
        # The served resources' checks ask the control plane with the stack's key; this
        # process keeps it in memory only (refresh without a program: the environment's).
        if config.api_key is not None:
            remember_api_key({API_KEY_CONFIG: config.api_key.get_secret_value()})
        stack: Stack = declare(
            config,
            discover_for(config),
            declaring=Declaring(
                parent=self,
                registration=ServedListenerRegistration,
                revision_sync=ServedRevisionSync,
            ),
        )
        dataplane = stack.dataplane
        self.namespace = pulumi.Output.from_input(dataplane.namespace)
        self.listener_id = pulumi.Output.from_input(dataplane.listener_id).apply(lambda v: v or "")
        self.server_urls = pulumi.Output.from_input(dataplane.server_urls)
        self.server_public_urls = pulumi.Output.from_input(stack.server_public_urls)
        self.revisions = pulumi.Output.from_input(_plain_revisions(stack))
        self.manifests_dir = pulumi.Output.from_input(
            "" if config.kubeconfig else config.render_dir
        )
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[Any]]:
        """The outputs by their schema names (`schema.OUTPUTS`)."""
        return {
            "namespace": self.namespace,
            "listenerId": self.listener_id,
            "serverUrls": self.server_urls,
            "serverPublicUrls": self.server_public_urls,
            "revisions": self.revisions,
            "manifestsDir": self.manifests_dir,
        }


def _plain_revisions(stack: Stack) -> dict[str, Any]:
    return {name: dict(values) for name, values in stack.revisions.items()}
