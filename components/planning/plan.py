"""The plan: from the typed stack config to the arguments of every resource, in one place.

Two steps, both pure (no resources are declared here, and no Kubernetes SDK is imported):

1. `plan_sync` says what to declare on the control-plane side: the listener registration
   and one RevisionSync per served deployment (pinned revision, `resource_spec` overrides).
2. `served_deployments` and `plan_dataplane` turn the config, the discovery and the
   RevisionSync outputs into `DataPlaneArgs`: one `*Args` per component. Image rewriting,
   replica floors, pull Secrets, store modes, identities and routes are decided here, once.

Values may be Pulumi Outputs (the RevisionSync's); a plain input gives a plain result, so
the plan can be tested with plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import pulumi
from pydantic import SecretStr

from ..config import (
    ConfigError,
    GatewayRouteConfig,
    IngressRouteConfig,
    Problem,
    RouteConfig,
    StackConfig,
    check_served,
    route_gaps,
)
from ..core.endpoint import Endpoint
from ..core.images import image_revision, rewrite_image
from ..core.kube import applied, dns_name, labels, selector
from ..core.names import DATAPLANE_NAME, LABEL_DEPLOYMENT_ID
from ..core.urls import is_oci
from ..spec.args import (
    OPERATOR_CHART,
    OPERATOR_CHART_VERSION,
    OPERATOR_IMAGE,
    SERVER_PORT,
    ChartSource,
    DataPlaneArgs,
    ExposedServer,
    ExposureArgs,
    KedaArgs,
    LangGraphServerArgs,
    ListenerArgs,
    MongoArgs,
    OperatorArgs,
    PostgresArgs,
    RedisArgs,
    ServedArgs,
    listener_instance,
)
from ..spec.revision import RevisionSpec, SecretRef, Sizing
from ..spec.sync_args import RevisionSyncArgs
from ..spec.workload import PodExtras, WorkloadKind
from .charts import local_chart

if TYPE_CHECKING:  # the types only: discovery imports the client and the target fetch
    from .discovery import DiscoveredDeployment, Discovery


# --- Step 1: the control-plane side ---


@dataclass(frozen=True)
class SyncPlan:
    """What the control-plane side of a stack declares."""

    endpoint: Endpoint
    """The control plane both dynamic resources talk to."""
    compute_id: str
    """This data plane's listener."""
    namespaces: list[str]
    """The listener's namespaces."""
    revisions: list[RevisionSyncArgs]
    """One per deployment Pulumi serves; none when the listener reconciles."""
    keep_listener: bool
    """Leave the listener in the control plane on delete: while the databases are guarded,
    `destroy --exclude-protected` keeps the deployments bound to it, so the next `up`
    serves them again on their kept volumes."""


def plan_sync(config: StackConfig, discovery: Discovery) -> SyncPlan:
    """The control-plane resources of a stack; a `ConfigError` when a served deployment
    misses the external store URI its mode needs."""
    check_served(config, [d.name for d in discovery.deployments])
    revisions = []
    if config.reconciler == "pulumi":
        revisions = [_revision_sync(config, found) for found in discovery.deployments]
        problems = [p for r in revisions for p in _crossed_overrides(config, r)]
        if problems:
            raise ConfigError(problems)
    return SyncPlan(
        endpoint=endpoint_of(config),
        compute_id=config.control_plane.listener_compute_id,
        namespaces=list(config.namespaces.names),
        revisions=revisions,
        keep_listener=config.postgres.deletion_protection,
    )


def endpoint_of(config: StackConfig) -> Endpoint:
    """The control-plane endpoint the providers talk to."""
    cp = config.control_plane
    return Endpoint(cp.base_url, cp.workspace_id, cp.timeout_seconds, cp.deadline_seconds)


def _revision_sync(config: StackConfig, found: DiscoveredDeployment) -> RevisionSyncArgs:
    return sync_args(
        found,
        spec_overrides=config.spec_overrides(found.name),
        pinned_revision_id=config.pinned_revision(found.name),
    )


def sync_args(
    found: DiscoveredDeployment,
    *,
    spec_overrides: Mapping[str, Any] | None = None,
    pinned_revision_id: str | None = None,
) -> RevisionSyncArgs:
    """A discovered deployment's RevisionSync inputs, with the stack's `resourceSpec`
    overrides merged over the control plane's and its pinned revision."""
    return RevisionSyncArgs(
        deployment_id=found.id,
        deployment_name=found.name,
        namespace=found.namespace,
        active_revision_id=found.active_revision_id,
        latest_revision_id=found.latest_revision_id,
        resource_spec={**found.resource_spec, **(spec_overrides or {})},
        secrets=found.secrets,
        pinned_revision_id=pinned_revision_id,
        secret_references=list(found.secret_references),
        deployment_type=found.deployment_type,
    )


def _crossed_overrides(config: StackConfig, sync: RevisionSyncArgs) -> list[Problem]:
    """Bounds that the stack's `resourceSpec` overrides cross once merged over the control
    plane's `resource_spec` (a minimum above its maximum, a request above its limit)."""
    name = sync.deployment_name
    overrides = config.spec_overrides(name)
    problems = []
    for low, low_value, high, high_value in Sizing.from_mapping(
        sync.resource_spec
    ).crossed_bounds():
        ours = [key for key in (low, high) if key in overrides]
        if not ours:
            continue  # the control plane's own values: the workloads take the larger bound
        other = high if ours == [low] else low
        problems.append(
            Problem(
                f"deployments.{name}.resourceSpec.{ours[0]}",
                f"{low} {low_value:g} is above {high} {high_value:g} once merged over the "
                f"control plane's resource_spec of {name!r}",
                f"set `{other}` here too, with {low} at most {high}",
            )
        )
    return problems


# --- Step 2: the data plane ---


class SyncOutputs(Protocol):
    """What a RevisionSync resolved for one deployment (its outputs, or plain values)."""

    @property
    def revision_id(self) -> pulumi.Input[str]: ...
    @property
    def image(self) -> pulumi.Input[str]: ...
    @property
    def secrets(self) -> pulumi.Input[Mapping[str, str]]: ...
    @property
    def secrets_digest(self) -> pulumi.Input[str]: ...


@dataclass(frozen=True)
class ServedDeployment:
    """One control-plane deployment that this data plane runs, and where."""

    namespace: str
    """Namespace of its server, Postgres and Redis; one of the data plane's namespaces."""
    revision: RevisionSpec
    """The revision to run, as the control plane (or the stack config) describes it."""


def served_deployments(
    config: StackConfig, discovery: Discovery, syncs: Mapping[str, SyncOutputs]
) -> list[ServedDeployment]:
    """The deployments Pulumi runs: the synced ones, then the stack's static revisions."""
    served = [
        ServedDeployment(found.namespace, _revision_of(config, found, syncs[found.name]))
        for found in discovery.deployments
        if found.name in syncs
    ]
    if config.reconciler == "pulumi":
        home = config.namespaces.names[0]
        for name, entry in config.deployments.items():
            if entry.static is not None:
                static = entry.static
                revision = RevisionSpec(
                    deployment_id=static.deployment_id or name,
                    deployment_name=name,
                    revision_id=static.revision_id or image_revision(static.image) or "",
                    image=static.image,
                    resource_spec=Sizing.from_mapping(static.resource_spec),
                    secret_values=pulumi.Output.secret(
                        {k: v.get_secret_value() for k, v in static.secrets.items()}
                    ),
                    secret_references=[r.ref() for r in static.secret_references],
                )
                served.append(ServedDeployment(static.namespace or home, revision))
    return served


def _revision_of(
    config: StackConfig, found: DiscoveredDeployment, sync: SyncOutputs
) -> RevisionSpec:
    # What only wires the pods is read from discovery, plain, to check it against the
    # cluster and the stack before anything is declared; the sync tracks it in state.
    spec = found.resource_spec
    return RevisionSpec(
        deployment_id=found.id,
        deployment_name=found.name,
        revision_id=sync.revision_id,
        image=sync.image,
        # The sync's input, plain: its check passes it through unchanged, and a plain
        # sizing spares every workload an Output per field.
        resource_spec=Sizing.coerce(_revision_sync(config, found).resource_spec),
        secret_values=sync.secrets,
        secrets_digest=sync.secrets_digest,
        secret_references=SecretRef.all_of(found.secret_references),
        pod_annotations=dict(spec.get("annotations") or {}),
        service_account_name=spec.get("service_account_name") or None,
    )


def plan_dataplane(
    config: StackConfig,
    served: Sequence[ServedDeployment],
    *,
    listener_id: pulumi.Input[str] | None,
    name: str = DATAPLANE_NAME,
) -> DataPlaneArgs:
    """The arguments of the DataPlane named `name` and of each of its children; a standalone
    stack (no control plane, `listener_id` None) has no listener."""
    _check_served(config, served)
    route = _route(config)
    keys = _Keys(
        api_key=_secret(config.api_key),
        license_key=pulumi.Output.secret(config.license_key.get_secret_value()),
    )
    deployments = (
        [_served(config, s, route, keys) for s in served] if config.reconciler == "pulumi" else []
    )
    exposure, public_urls = None, {}
    if route is not None and deployments:
        exposure = _exposure(config, route, served)
        deployment_names = [s.revision.deployment_name for s in served]
        public_urls = {d: route.url_for(dns_name(d)) for d in deployment_names}
    listener, listener_redis = None, None
    if not config.standalone:
        listener, listener_redis = _listener(config, listener_id or "", keys, name)
    operator = _operator(config) if config.reconciler == "listener" else None
    return DataPlaneArgs(
        namespaces=list(config.namespaces.names),
        create_namespaces=config.namespaces.create,
        listener=listener,
        listener_redis=listener_redis,
        operator=operator,
        deployments=deployments,
        exposure=exposure,
        public_urls=public_urls,
        common_labels=dict(config.common_labels),
        common_annotations=dict(config.common_annotations),
    )


@dataclass(frozen=True)
class _Keys:
    api_key: pulumi.Output[str] | None
    license_key: pulumi.Output[str]


def _listener(
    config: StackConfig, listener_id: pulumi.Input[str], keys: _Keys, name: str
) -> tuple[ListenerArgs, RedisArgs | None]:
    """The listener, and its queue Redis when it runs (only when it reconciles)."""
    cp, home = config.control_plane, config.namespaces.names[0]
    enabled = config.reconciler == "listener"
    assert keys.api_key is not None  # a stack with a control plane has its key (checks.py)
    listener = ListenerArgs(
        namespace=home,
        listener_id=listener_id,
        control_plane_url=cp.base_url,
        api_key=keys.api_key,
        watched_namespaces=list(config.namespaces.names),
        workspace_id=cp.workspace_id,
        smith_url=cp.listener_smith_url,
        enabled=enabled,
        image=_image(config, config.listener.image),
        replicas=config.listener.replicas,
        resources=config.listener.resources.resources(),
        service_account_annotations=dict(config.listener.service_account_annotations),
        pod=_extras(config, "listener"),
        cluster_domain=config.cluster_domain,
    )
    if not enabled:
        return listener, None
    instance = listener_instance(name)
    queue = RedisArgs(
        namespace=home,
        instance=instance,
        # The listener's own pods, whose labels derive from its name.
        client_selector=selector(labels(dns_name(instance), "listener")),
        external_uri=_secret(config.external_redis_uris.get("listener")),
        image=_image(config, config.redis.image),
        pod=_extras(config, "redis"),
        cluster_domain=config.cluster_domain,
    )
    return listener, queue


def _operator(config: StackConfig) -> OperatorArgs:
    """LangChain's operator beside the listener, from the chart where the stack says."""
    chart = config.operator.chart
    source = ChartSource(OPERATOR_CHART, OPERATOR_CHART_VERSION, chart.repository)
    if chart.path is not None:
        source = ChartSource(str(local_chart(chart.path)))
    elif is_oci(chart.repository):
        # Helm takes an OCI chart by its full reference; `repositoryOpts.repo` is for
        # http(s) repositories only.
        source = ChartSource(f"{chart.repository}/{OPERATOR_CHART}", OPERATOR_CHART_VERSION)
    images = config.images
    return OperatorArgs(
        namespace=config.namespaces.names[0],
        watched_namespaces=list(config.namespaces.names),
        chart=source,
        image=_image(config, OPERATOR_IMAGE),
        keda_enabled=config.servers.queue_keda.enabled,
        image_pull_secrets=list(images.pull_secrets),
        image_pull_policy=images.pull_policy,
        cluster_domain=config.cluster_domain,
        common_labels=dict(config.common_labels),
        common_annotations=dict(config.common_annotations),
    )


def _served(
    config: StackConfig, served: ServedDeployment, route: RouteConfig | None, keys: _Keys
) -> ServedArgs:
    """One deployment's Postgres, Redis and server."""
    rev, name = served.revision, served.revision.deployment_name
    registry = config.images.registry
    if registry:
        # Revision images come from the control plane: they move to the mirror too.
        rev = replace(rev, image=applied(rev.image, lambda image: rewrite_image(image, registry)))
    servers, keda = config.servers, config.servers.queue_keda
    queue_to_zero = keda.enabled and servers.queue_enabled
    spec = applied(
        rev.resource_spec,
        lambda s: _scaled(name, Sizing.coerce(s), servers.min_replicas, queue_to_zero),
    )
    base = dns_name(name)
    # What each store of the deployment shares: where, what it serves, who may connect.
    store: dict[str, Any] = {
        "namespace": served.namespace,
        "instance": base,
        "client_selector": {LABEL_DEPLOYMENT_ID: rev.deployment_id},
        "cluster_domain": config.cluster_domain,
    }
    postgres = PostgresArgs(
        **store,
        external_uri=_store_uri(config.postgres_mode(name), config.external_postgres_uris, name),
        image=_image(config, config.postgres.image),
        resource_spec=spec,
        storage_class=config.postgres.storage_class,
        deletion_protection=config.postgres.deletion_protection,
        pod=_extras(config, "postgres"),
    )
    redis = RedisArgs(
        **store,
        external_uri=_store_uri(config.redis_mode(name), config.external_redis_uris, name),
        image=_image(config, config.redis.image),
        memory_mb=applied(spec, lambda s: s.redis_memory_mb),
        pod=_extras(config, "redis"),
    )
    mongo = None
    if config.mongo_mode(name) != "none":
        mongo = MongoArgs(
            **store,
            external_uri=_store_uri(config.mongo_mode(name), config.external_mongo_uris, name),
            image=_image(config, config.mongo.image),
            storage_gi=config.mongo.storage_gi,
            storage_class=config.mongo.storage_class,
            deletion_protection=config.postgres.deletion_protection,
            pod=_extras(config, "mongo"),
        )
    account = config.service_account(name)
    pull_secrets = [*config.images.pull_secrets]
    pull_secrets += [s for s in servers.image_pull_secrets if s not in pull_secrets]
    env = [e.manifest() for e in config.deployment_env(name)]
    server = LangGraphServerArgs(
        namespace=served.namespace,
        revision=replace(rev, resource_spec=spec),
        api_key=keys.api_key,
        license_key=keys.license_key,
        langsmith_endpoint=config.servers_langsmith_endpoint,
        queue_keda=(
            KedaArgs(
                keda.polling_interval,
                keda.cooldown_period,
                keda.scale_down_stabilization_window_seconds,
            )
            if keda.enabled
            else None
        ),
        queue_enabled=servers.queue_enabled,
        jobs_per_worker=servers.jobs_per_worker,
        image_pull_secrets=pull_secrets,
        read_only_root_filesystem=servers.read_only_root_filesystem,
        cpu_target_percent=servers.cpu_target_percent,
        pdb_max_unavailable=servers.pdb_max_unavailable,
        drain_seconds=servers.drain_seconds,
        mount_prefix=route.path_for(base) if route else None,
        service_account_name=account.name,
        service_account_annotations=dict(account.annotations) or None,
        automount_service_account_token=account.automount_token,
        # The servers' pull Secrets are set above, with `servers.imagePullSecrets`.
        api_pod=_server_extras(config, "api", env),
        queue_pod=_server_extras(config, "queue", env),
        cluster_domain=config.cluster_domain,
    )
    return ServedArgs(postgres=postgres, redis=redis, server=server, mongo=mongo)


def _scaled(name: str, spec: Sizing, floor: int, queue_to_zero: bool) -> Sizing:
    """The replica bounds the workloads get, and what a scale-to-zero tier's 0 becomes (its
    RevisionSync refused 0 on any other tier): the preview says so."""
    scaled = spec.with_min_replicas(floor, queue_to_zero=queue_to_zero)
    zero = spec.zero_minimums()
    if "min_scale" in zero:
        pulumi.log.info(
            f"{name}: min_scale 0 (a scale-to-zero tier): the API keeps {scaled.min_scale} "
            "replica(s), since its HorizontalPodAutoscaler cannot scale below 1"
        )
    if zero and scaled.queue().min_replicas == 0:
        pulumi.log.info(f"{name}: the queue workers scale to zero (KEDA) while no run waits")
    elif "queue_min_scale" in zero:
        pulumi.log.info(
            f"{name}: the queue workers keep {scaled.queue().min_replicas} replica(s): "
            "scaling them to zero needs dataplane:servers.queueKeda.enabled"
        )
    return scaled


def _server_extras(config: StackConfig, kind: WorkloadKind, env: list[Any]) -> PodExtras:
    """A server kind's pod settings, with the deployment's own env after the shared one."""
    extras = _extras(config, kind)
    return replace(extras, image_pull_secrets=[], env=[*extras.env, *env])


def _exposure(
    config: StackConfig, route: RouteConfig, served: Sequence[ServedDeployment]
) -> ExposureArgs:
    assert route.hostname is not None  # see _route
    servers = [
        ExposedServer(
            deployment=dns_name(s.revision.deployment_name),
            namespace=s.namespace,
            service=dns_name(s.revision.deployment_name),
            port=SERVER_PORT,
            path=route.path_for(dns_name(s.revision.deployment_name)),
        )
        for s in served
    ]
    exposure = ExposureArgs(
        kind="ingress",
        hostname=route.hostname,
        servers=servers,
        cluster_domain=config.cluster_domain,
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
    return exposure


def _route(config: StackConfig) -> RouteConfig | None:
    """The enabled route, complete (loading checks that too; a config made in code may not be)."""
    route = config.exposure.route()
    if route is None:
        return None
    gaps = route_gaps(config.exposure.enabled()[0], route)
    if gaps:
        raise ConfigError(gaps)
    return route


def _extras(config: StackConfig, kind: WorkloadKind) -> PodExtras:
    """The pod settings of one workload kind as Kubernetes-shaped pod additions."""
    pod = config.pod(kind)
    images = config.images
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
        sidecars=[{**c, "image": _image(config, str(c["image"]))} for c in pod.sidecars],
        image_pull_secrets=list(images.pull_secrets),
        image_pull_policy=images.pull_policy,
    )


def _image(config: StackConfig, image: str) -> str:
    return rewrite_image(image, config.images.registry)


def _store_uri(mode: str, uris: Mapping[str, SecretStr], name: str) -> pulumi.Output[str] | None:
    """The external store's URI (secret) when the mode is external; None runs one in-cluster."""
    return _secret(uris.get(name)) if mode == "external" else None


def _secret(value: SecretStr | None) -> pulumi.Output[str] | None:
    return None if value is None else pulumi.Output.secret(value.get_secret_value())


def _check_served(config: StackConfig, served: Sequence[ServedDeployment]) -> None:
    namespaces = config.namespaces.names
    names = [s.revision.deployment_name for s in served]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"DataPlane: deployments served twice: {duplicates}")
    outside = sorted(
        f"{s.revision.deployment_name} ({s.namespace})"
        for s in served
        if s.namespace not in namespaces
    )
    if outside:
        raise ValueError(
            f"DataPlane: deployments in namespaces this data plane does not watch: {outside}. "
            "Add their namespaces to dataplane:namespaces.names."
        )
