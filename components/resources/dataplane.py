"""The whole data plane of one stack: namespaces, listener, and per-deployment servers.

`DataPlane` takes the plan (`DataPlaneArgs`, made by `plan.py` from the stack config) and
creates its children from it. Its own job is naming them and wiring them together: each
server gets its stores' URIs, the listener its queue's.
"""

from __future__ import annotations

from dataclasses import replace

import pulumi
import pulumi_kubernetes as k8s

from ..core.kube import common_metadata, dns_name
from ..core.names import (
    DATAPLANE_TYPE,
    LABEL_PART_OF,
    PART_OF,
    POD_SECURITY_LABEL,
    POD_SECURITY_LEVEL,
)
from ..spec.args import DataPlaneArgs, ServedArgs, listener_instance
from .exposure import Exposure
from .langgraph_server import LangGraphServer
from .listener import Listener
from .mongo import Mongo
from .operator import Operator
from .postgres import Postgres
from .redis import Redis

__all__ = ["DataPlane", "DataPlaneArgs"]


class DataPlane(pulumi.ComponentResource):
    """Composes namespaces, the listener and one server stack per served deployment."""

    namespace: str
    """The home namespace (the listener's)."""
    listener_id: pulumi.Input[str] | None
    """The control-plane listener id; None in a standalone stack."""
    server_urls: dict[str, str]
    """Deployment name to the in-cluster URL of its server."""
    server_public_urls: dict[str, str]
    """Deployment name to the public URL of its server (its `custom_url`); empty in-cluster only."""

    def __init__(self, name: str, args: DataPlaneArgs, opts: pulumi.ResourceOptions | None = None):
        if args.common_labels or args.common_annotations:
            common = common_metadata(args.common_labels, args.common_annotations)
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[common])
            )
        super().__init__(DATAPLANE_TYPE, name, None, opts)
        home = args.namespaces[0]

        namespace_resources: list[pulumi.Resource] = []
        if args.create_namespaces:
            namespace_resources = [
                k8s.core.v1.Namespace(
                    f"{name}-namespace-{ns}",
                    metadata={
                        "name": ns,
                        "labels": {
                            LABEL_PART_OF: PART_OF,
                            # Every workload here meets the restricted Pod Security Standard.
                            POD_SECURITY_LABEL: POD_SECURITY_LEVEL,
                        },
                    },
                    opts=pulumi.ResourceOptions(parent=self),
                )
                for ns in args.namespaces
            ]
        inside = pulumi.ResourceOptions(parent=self, depends_on=namespace_resources)

        self.listener: Listener | None = None
        if args.listener is not None:
            listener_args = args.listener
            if args.listener_redis is not None:
                queue = Redis(f"{listener_instance(name)}-redis", args.listener_redis, opts=inside)
                listener_args = replace(listener_args, redis_uri=queue.uri)
            self.listener = Listener(listener_instance(name), listener_args, opts=inside)
        self.operator: Operator | None = None
        if args.operator is not None:
            self.operator = Operator(f"{name}-operator", args.operator, opts=inside)
        self.servers: dict[str, LangGraphServer] = {
            served.server.revision.deployment_name: self._served(name, served, inside)
            for served in args.deployments
        }
        self.exposure: Exposure | None = None
        if args.exposure is not None:
            self.exposure = Exposure(f"{name}-exposure", args.exposure, opts=inside)

        # Plain values where they are known now: an Output is work for the SDK to the end.
        self.namespace = home
        self.listener_id = self.listener.listener_id if self.listener else None
        self.server_urls = {d: server.url for d, server in self.servers.items()}
        self.server_public_urls = dict(args.public_urls)
        # No component here registers outputs: the program reads their attributes, nobody
        # reads state's copy, and each registration is one more round trip to the engine.

    def _served(
        self, name: str, served: ServedArgs, opts: pulumi.ResourceOptions
    ) -> LangGraphServer:
        """One deployment's Postgres and Redis (and Mongo), and its server wired to them."""
        prefix = f"{name}-{dns_name(served.server.revision.deployment_name)}"
        postgres = Postgres(f"{prefix}-postgres", served.postgres, opts=opts)
        redis = Redis(f"{prefix}-redis", served.redis, opts=opts)
        server = replace(served.server, database_uri=postgres.uri, redis_uri=redis.uri)
        if served.mongo is not None:
            mongo = Mongo(f"{prefix}-mongo", served.mongo, opts=opts)
            server = replace(server, mongo_uri=mongo.uri)
        return LangGraphServer(prefix, server, opts=opts)
