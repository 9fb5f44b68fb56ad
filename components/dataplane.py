"""The whole data plane of one stack: namespaces, listener, and per-deployment servers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from .config import (
    ExposureConfig,
    GatewayRouteConfig,
    ImagesConfig,
    IngressRouteConfig,
    ListenerConfig,
    PodConfig,
    PostgresConfig,
    RedisConfig,
    RouteConfig,
    ServersConfig,
    ServiceAccountConfig,
    WorkloadKind,
)
from .exposure import ExposedServer, Exposure, ExposureArgs
from .images import rewrite_image
from .kube import (
    LABEL_DEPLOYMENT_ID,
    PART_OF,
    PodExtras,
    common_metadata,
    dns_name,
    labels,
    selector,
)
from .langgraph_server import PORT as SERVER_PORT
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
    service_account: ServiceAccountConfig | None = None
    """ServiceAccount of its servers; None takes `servers.service_account`."""


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
    images: ImagesConfig = field(default_factory=ImagesConfig)
    """Registry rewrite, pull Secrets and pull policy of every image."""
    workloads: Mapping[WorkloadKind, PodConfig] = field(default_factory=dict)
    """Pod settings per workload kind."""
    exposure: ExposureConfig = field(default_factory=ExposureConfig)
    """Routes from outside the cluster to the servers."""
    common_labels: dict[str, str] = field(default_factory=dict)
    """Labels on every Kubernetes object."""
    common_annotations: dict[str, str] = field(default_factory=dict)
    """Annotations on every Kubernetes object."""
    cluster_domain: str = "cluster.local"
    """DNS domain of the cluster."""


class DataPlane(pulumi.ComponentResource):
    """Composes namespaces, the listener and one server stack per served deployment."""

    namespace: pulumi.Output[str]
    """The home namespace (the listener's)."""
    listener_id: pulumi.Output[str]
    """The control-plane listener id."""
    server_urls: pulumi.Output[dict[str, str]]
    """Deployment name to the in-cluster URL of its server."""
    server_public_urls: pulumi.Output[dict[str, str]]
    """Deployment name to the public URL of its server (its `custom_url`); empty in-cluster only."""

    def __init__(self, name: str, args: DataPlaneArgs, opts: pulumi.ResourceOptions | None = None):
        if args.common_labels or args.common_annotations:
            common = common_metadata(args.common_labels, args.common_annotations)
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[common])
            )
        super().__init__("langgraph:dataplane:DataPlane", name, None, opts)
        _check_namespaces(args)
        home = args.namespaces[0]
        route = _checked_route(args.exposure)

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
                    name, args, served, route, inside
                )
        public_urls: dict[str, str] = {}
        self.exposure: Exposure | None = None
        if route is not None and self.servers:
            self.exposure = self._exposure(name, args, route, inside)
            public_urls = {d: route.url_for(dns_name(d)) for d in self.servers}

        self.namespace = pulumi.Output.from_input(home)
        self.listener_id = self.listener.listener_id
        # `Output.all()` of nothing is a list: keep the type a dict when no server is served.
        self.server_urls = (
            pulumi.Output.all(**{d: server.url for d, server in self.servers.items()})
            if self.servers
            else pulumi.Output.from_input({})
        )
        self.server_public_urls = pulumi.Output.from_input(public_urls)
        self.register_outputs(
            {
                "namespace": self.namespace,
                "listener_id": self.listener_id,
                "server_urls": self.server_urls,
                "server_public_urls": self.server_public_urls,
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
                    image=rewrite_image(args.redis.image, args.images.registry),
                    pod=_extras(args, "redis"),
                    cluster_domain=args.cluster_domain,
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
                image=rewrite_image(args.listener.image, args.images.registry),
                replicas=args.listener.replicas,
                resources=args.listener.resources.resources(),
                service_account_annotations=dict(args.listener.service_account_annotations),
                pod=_extras(args, "listener"),
            ),
            opts=opts,
        )

    def _server(
        self,
        name: str,
        args: DataPlaneArgs,
        served: ServedDeployment,
        route: RouteConfig | None,
        opts: pulumi.ResourceOptions,
    ) -> LangGraphServer:
        rev = served.revision
        registry = args.images.registry
        if registry:
            # Revision images come from the control plane: they move to the mirror too.
            rev = replace(
                rev,
                image=pulumi.Output.from_input(rev.image).apply(
                    lambda image: rewrite_image(image, registry)
                ),
            )
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
                image=rewrite_image(args.postgres.image, registry),
                resource_spec=spec,
                storage_class=args.postgres.storage_class,
                deletion_protection=args.postgres.deletion_protection,
                pod=_extras(args, "postgres"),
                cluster_domain=args.cluster_domain,
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
                image=rewrite_image(args.redis.image, registry),
                memory_mb=spec.apply(lambda s: s.redis_memory_mb),
                pod=_extras(args, "redis"),
                cluster_domain=args.cluster_domain,
            ),
            opts=opts,
        )
        servers = args.servers
        account = served.service_account or servers.service_account
        pull_secrets = [*args.images.pull_secrets]
        pull_secrets += [s for s in servers.image_pull_secrets if s not in pull_secrets]
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
                image_pull_secrets=pull_secrets,
                read_only_root_filesystem=servers.read_only_root_filesystem,
                cpu_target_percent=servers.cpu_target_percent,
                pdb_max_unavailable=servers.pdb_max_unavailable,
                mount_prefix=route.path_for(base) if route else None,
                service_account_name=account.name,
                service_account_annotations=dict(account.annotations) or None,
                automount_service_account_token=account.automount_token,
                # The servers' pull Secrets are set above, with `servers.imagePullSecrets`.
                api_pod=replace(_extras(args, "api"), image_pull_secrets=[]),
                queue_pod=replace(_extras(args, "queue"), image_pull_secrets=[]),
                cluster_domain=args.cluster_domain,
            ),
            opts=opts,
        )

    def _exposure(
        self, name: str, args: DataPlaneArgs, route: RouteConfig, opts: pulumi.ResourceOptions
    ) -> Exposure:
        assert route.hostname is not None  # see _checked_route
        servers = [
            ExposedServer(
                deployment=dns_name(served.revision.deployment_name),
                namespace=served.namespace,
                service=dns_name(served.revision.deployment_name),
                port=SERVER_PORT,
                path=route.path_for(dns_name(served.revision.deployment_name)),
            )
            for served in args.deployments
        ]
        exposure = ExposureArgs(
            kind="ingress",
            hostname=route.hostname,
            servers=servers,
            cluster_domain=args.cluster_domain,
        )
        if isinstance(route, IngressRouteConfig):
            exposure.ingress_class_name = route.class_name
            exposure.tls_secret_name = route.tls_secret
            exposure.cluster_issuer = route.cluster_issuer
            exposure.annotations = dict(route.annotations)
        else:
            exposure.kind = "gateway" if isinstance(route, GatewayRouteConfig) else "istio"
            exposure.gateway_name = route.gateway_name
            exposure.gateway_namespace = route.gateway_namespace
            if isinstance(route, GatewayRouteConfig):
                exposure.section_name = route.section_name
        return Exposure(f"{name}-exposure", exposure, opts=opts)


def _extras(args: DataPlaneArgs, kind: WorkloadKind) -> PodExtras:
    """The config of one workload kind as Kubernetes-shaped pod additions."""
    pod = args.workloads.get(kind, PodConfig())
    images = args.images
    spread = pod.topology_spread_constraints
    return PodExtras(
        node_selector=dict(pod.node_selector),
        tolerations=[t.manifest() for t in pod.tolerations],
        affinity=pod.affinity,
        topology_spread=None if spread is None else [c.manifest() for c in spread],
        priority_class_name=pod.priority_class_name,
        termination_grace_period_seconds=pod.termination_grace_period_seconds,
        dns_policy=pod.dns_policy,
        dns_config=pod.dns_config.manifest() if pod.dns_config else None,
        labels=dict(pod.pod_labels),
        annotations=dict(pod.pod_annotations),
        env=[e.manifest() for e in pod.extra_env],
        volumes=[dict(v) for v in pod.extra_volumes],
        volume_mounts=[m.manifest() for m in pod.extra_volume_mounts],
        sidecars=[
            {**c, "image": rewrite_image(str(c["image"]), images.registry)} for c in pod.sidecars
        ],
        image_pull_secrets=list(images.pull_secrets),
        image_pull_policy=images.pull_policy,
    )


def _checked_route(exposure: ExposureConfig) -> RouteConfig | None:
    """The enabled route, complete; the stack config reports these problems first."""
    route = exposure.route()
    if route is None:
        return None
    if not route.hostname:
        raise ValueError("DataPlane: an enabled route needs a `hostname`")
    if not isinstance(route, IngressRouteConfig) and not route.gateway_name:
        raise ValueError("DataPlane: a Gateway API or Istio route needs a `gateway_name`")
    return route


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
