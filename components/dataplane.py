"""The whole data plane of one stack: namespaces, listener, and per-deployment servers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from .config import ListenerConfig, PostgresConfig, RedisConfig, ServersConfig
from .kube import LABEL_DEPLOYMENT_ID, PART_OF, dns_name, labels, selector
from .langgraph_server import LangGraphServer, LangGraphServerArgs
from .listener import Listener, ListenerArgs
from .postgres import Postgres, PostgresArgs
from .redis import Redis, RedisArgs
from .revision import ResourceSpec, RevisionSpec

LISTENER_NAME = "listener"


@dataclass
class ServedDeployment:
    """One control-plane deployment that this data plane runs."""

    namespace: str
    """Namespace of its server, Postgres and Redis; one of the data plane's namespaces."""
    revision: RevisionSpec
    """The revision to run."""
    postgres_uri: pulumi.Input[str] | None = None
    """DSN of an external Postgres; None runs one in-cluster."""
    redis_uri: pulumi.Input[str] | None = None
    """URL of an external Redis; None runs one in-cluster."""


@dataclass
class DataPlaneArgs:
    """Inputs of `DataPlane`."""

    namespaces: list[str]
    """Watched namespaces; the first holds the listener."""
    listener_id: pulumi.Input[str]
    """The listener id registered in the control plane."""
    control_plane_url: str
    """Control-plane API base URL."""
    api_key: pulumi.Input[str]
    """LangSmith API key (secret)."""
    license_key: pulumi.Input[str]
    """LangGraph licence key (secret)."""
    deployments: Sequence[ServedDeployment] = ()
    """The deployments Pulumi runs; empty when the listener reconciles."""
    create_namespaces: bool = True
    """Create the namespaces; False adopts existing ones."""
    reconciler: Literal["pulumi", "listener"] = "pulumi"
    """Who turns revisions into servers."""
    workspace_id: str | None = None
    """LangSmith workspace id."""
    smith_url: str = "https://api.smith.langchain.com"
    """LangSmith API endpoint for the listener."""
    langsmith_endpoint: str | None = None
    """`LANGSMITH_ENDPOINT` for the servers."""
    listener: ListenerConfig = field(default_factory=ListenerConfig)
    """Listener workload settings."""
    listener_redis_uri: pulumi.Input[str] | None = None
    """External Redis for the listener's queue; None runs one in-cluster."""
    servers: ServersConfig = field(default_factory=ServersConfig)
    """Settings shared by every server."""
    postgres: PostgresConfig = field(default_factory=PostgresConfig)
    """Postgres defaults."""
    redis: RedisConfig = field(default_factory=RedisConfig)
    """Redis defaults."""


class DataPlane(pulumi.ComponentResource):
    """Composes namespaces, the listener and one server stack per served deployment."""

    namespace: pulumi.Output[str]
    """The home namespace (the listener's)."""
    listener_id: pulumi.Output[str]
    """The control-plane listener id."""
    server_urls: pulumi.Output[dict[str, str]]
    """Deployment name to the in-cluster URL of its server."""

    def __init__(self, name: str, args: DataPlaneArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("langgraph:dataplane:DataPlane", name, None, opts)
        _check_namespaces(args)
        home = args.namespaces[0]

        namespace_resources: list[pulumi.Resource] = []
        if args.create_namespaces:
            namespace_resources = [
                k8s.core.v1.Namespace(
                    f"{name}-namespace-{ns}",
                    metadata={
                        "name": ns,
                        "labels": {
                            "app.kubernetes.io/part-of": PART_OF,
                            # Every workload here meets the restricted Pod Security Standard.
                            "pod-security.kubernetes.io/enforce": "restricted",
                        },
                    },
                    opts=pulumi.ResourceOptions(parent=self),
                )
                for ns in args.namespaces
            ]
        inside = pulumi.ResourceOptions(parent=self, depends_on=namespace_resources)

        self.listener = self._listener(name, args, home, inside)
        self.servers: dict[str, LangGraphServer] = {}
        if args.reconciler == "pulumi":
            for served in args.deployments:
                self.servers[served.revision.deployment_name] = self._server(
                    name, args, served, inside
                )

        self.namespace = pulumi.Output.from_input(home)
        self.listener_id = self.listener.listener_id
        # `Output.all()` of nothing is a list: keep the type a dict when no server is served.
        self.server_urls = (
            pulumi.Output.all(**{d: server.url for d, server in self.servers.items()})
            if self.servers
            else pulumi.Output.from_input({})
        )
        self.register_outputs(
            {
                "namespace": self.namespace,
                "listener_id": self.listener_id,
                "server_urls": self.server_urls,
            }
        )

    def _listener(
        self, name: str, args: DataPlaneArgs, home: str, opts: pulumi.ResourceOptions
    ) -> Listener:
        enabled = args.reconciler == "listener"
        redis_uri: pulumi.Input[str] | None = None
        if enabled:
            listener_selector = selector(labels(dns_name(f"{name}-{LISTENER_NAME}"), "listener"))
            redis_uri = Redis(
                f"{name}-{LISTENER_NAME}-redis",
                RedisArgs(
                    namespace=home,
                    instance=f"{name}-{LISTENER_NAME}",
                    client_selector=listener_selector,
                    external_uri=args.listener_redis_uri,
                    image=args.redis.image,
                ),
                opts=opts,
            ).uri
        return Listener(
            f"{name}-{LISTENER_NAME}",
            ListenerArgs(
                namespace=home,
                listener_id=args.listener_id,
                control_plane_url=args.control_plane_url,
                api_key=args.api_key,
                redis_uri=redis_uri,
                watched_namespaces=list(args.namespaces),
                workspace_id=args.workspace_id,
                smith_url=args.smith_url,
                enabled=enabled,
                image=args.listener.image,
                replicas=args.listener.replicas,
                resources=args.listener.resources.resources(),
            ),
            opts=opts,
        )

    def _server(
        self,
        name: str,
        args: DataPlaneArgs,
        served: ServedDeployment,
        opts: pulumi.ResourceOptions,
    ) -> LangGraphServer:
        rev = served.revision
        base = dns_name(rev.deployment_name)
        prefix = f"{name}-{base}"
        clients = {LABEL_DEPLOYMENT_ID: rev.deployment_id}
        floor = args.servers.min_replicas
        spec = pulumi.Output.from_input(rev.resource_spec).apply(
            lambda s: ResourceSpec.coerce(s).with_min_replicas(floor)
        )
        postgres = Postgres(
            f"{prefix}-postgres",
            PostgresArgs(
                namespace=served.namespace,
                instance=base,
                client_selector=clients,
                external_uri=served.postgres_uri,
                image=args.postgres.image,
                resource_spec=spec,
                storage_class=args.postgres.storage_class,
                deletion_protection=args.postgres.deletion_protection,
            ),
            opts=opts,
        )
        redis = Redis(
            f"{prefix}-redis",
            RedisArgs(
                namespace=served.namespace,
                instance=base,
                client_selector=clients,
                external_uri=served.redis_uri,
                image=args.redis.image,
                memory_mb=spec.apply(lambda s: s.redis_memory_mb),
            ),
            opts=opts,
        )
        servers = args.servers
        return LangGraphServer(
            prefix,
            LangGraphServerArgs(
                namespace=served.namespace,
                revision=replace(rev, resource_spec=spec),
                database_uri=postgres.uri,
                redis_uri=redis.uri,
                api_key=args.api_key,
                license_key=args.license_key,
                langsmith_endpoint=args.langsmith_endpoint,
                queue_enabled=servers.queue_enabled,
                jobs_per_worker=servers.jobs_per_worker,
                image_pull_secrets=list(servers.image_pull_secrets),
                read_only_root_filesystem=servers.read_only_root_filesystem,
                cpu_target_percent=servers.cpu_target_percent,
                pdb_max_unavailable=servers.pdb_max_unavailable,
            ),
            opts=opts,
        )


def _check_namespaces(args: DataPlaneArgs) -> None:
    if not args.namespaces:
        raise ValueError("DataPlane: at least one namespace is required")
    names = [s.revision.deployment_name for s in args.deployments]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"DataPlane: deployments served twice: {duplicates}")
    outside = sorted(
        f"{s.revision.deployment_name} ({s.namespace})"
        for s in args.deployments
        if s.namespace not in args.namespaces
    )
    if outside:
        raise ValueError(
            f"DataPlane: deployments in namespaces this data plane does not watch: {outside}. "
            "Add their namespaces to dataplane:namespaces.names."
        )
