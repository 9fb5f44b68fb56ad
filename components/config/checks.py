"""Checks across sections of the stack config, run once the sections themselves are valid."""

from __future__ import annotations

from collections.abc import Iterable

from ..controlplane import RESERVED_ENV_NAMES
from ..workload import OWN_CONTAINERS, OWN_ENV_NAMES, OWN_VOLUMES
from .fields import DNS_LABEL, NAMESPACE, ConfigError
from .schema import (
    GatewayRouteConfig,
    IngressRouteConfig,
    IstioRouteConfig,
    PodConfig,
    RouteConfig,
    StackConfig,
)


def cross_checks(config: StackConfig) -> list[str]:
    """Problems that no single section can see: every one, for one `ConfigError`."""
    problems: list[str] = []
    cp = config.control_plane
    if cp.url and cp.region:
        problems.append(
            f"{NAMESPACE}:controlPlane: both `url` and `region` are set. Fix: keep one of them."
        )
    watched = set(config.namespaces.names)
    for name, entry in config.deployments.items():
        path = f"{NAMESPACE}:deployments.{name}"
        if not DNS_LABEL.match(name) or len(name) > 40:
            problems.append(
                f"{path}: deployment names used here must be lowercase DNS labels of at most "
                "40 characters (Kubernetes names derive from them)."
            )
        if entry.static and entry.revision:
            problems.append(
                f"{path}: `revision` pins a control-plane revision but `static` describes one "
                "by hand. Fix: keep one of them."
            )
        if entry.static and entry.static.namespace not in watched:
            problems.append(
                f"{path}.static.namespace: {entry.static.namespace!r} is not in "
                f"namespaces.names {sorted(watched)}. Fix: add it there or change it."
            )
    listener_redis_external = config.reconciler == "listener" and config.redis.mode == "external"
    if listener_redis_external and "listener" not in config.external_redis_uris:
        problems.append(
            f"{NAMESPACE}:externalRedisUris.listener: missing; the listener's queue uses an "
            "external Redis. Fix: pulumi config set --secret --path "
            f"'{NAMESPACE}:externalRedisUris.listener' 'redis://:pass@host:6379/0'"
        )
    problems.extend(exposure_problems(config))
    problems.extend(_service_account_problems(config))
    for kind, pod in config.workloads.items():
        problems.extend(_pod_problems(kind, pod))
    static_names = [n for n, e in config.deployments.items() if e.static]
    problems.extend(p for n in static_names for p in _store_problems(config, n))
    uri_kinds = (
        ("externalPostgresUris", config.external_postgres_uris, ("postgres://", "postgresql://")),
        ("externalRedisUris", config.external_redis_uris, ("redis://", "rediss://")),
    )
    for key, uris, schemes in uri_kinds:
        for name, uri in uris.items():
            if not uri.get_secret_value().startswith(schemes):
                problems.append(
                    f"{NAMESPACE}:{key}.{name}: must start with {' or '.join(schemes)} "
                    "(value hidden)."
                )
    return problems


def exposure_problems(config: StackConfig) -> list[str]:
    """At most one kind of route, enabled only for servers Pulumi runs, and complete."""
    exposure = config.exposure
    path = f"{NAMESPACE}:exposure"
    kinds = exposure.enabled()
    if len(kinds) > 1:
        both = " and ".join(f"`{k}`" for k in kinds)
        return [
            f"{path}: {both} are enabled together, but each server is reached through exactly one "
            "kind of route. Fix: keep one of them and set `enabled: false` on the others."
        ]
    if not kinds:
        return []
    kind = kinds[0]
    route = exposure.route()
    assert route is not None
    problems = []
    if config.reconciler == "listener":
        problems.append(
            f"{path}.{kind}: routes are made for the servers Pulumi runs, and with "
            "`reconciler: listener` Pulumi runs none. Fix: disable it, or use "
            "`reconciler: pulumi`."
        )
    problems.extend(route_gaps(kind, route))
    if isinstance(route, IngressRouteConfig) and route.scheme == "http" and route.tls_secret:
        problems.append(
            f"{path}.ingress.scheme: `http`, yet the Ingress terminates TLS. Fix: use `https`, "
            "or drop `tlsSecretName` and `clusterIssuer`."
        )
    return problems


def _service_account_problems(config: StackConfig) -> list[str]:
    shared = config.servers.service_account
    if shared.name and shared.annotations:
        return [
            f"{NAMESPACE}:servers.serviceAccount: `name` with `annotations` would create one "
            "ServiceAccount of that name for every deployment. Fix: drop `name` (each gets its "
            "deployment's name), or set it per deployment under "
            f"`{NAMESPACE}:deployments.<name>.serviceAccount`."
        ]
    return []


def _pod_problems(kind: str, pod: PodConfig) -> list[str]:
    path = f"{NAMESPACE}:workloads.{kind}"
    problems = []
    env_names = [e.name for e in pod.extra_env]
    taken = sorted(set(env_names) & (RESERVED_ENV_NAMES | OWN_ENV_NAMES[kind]))
    if taken:
        problems.append(
            f"{path}.extraEnv: {taken} are set by the data plane (or reserved by the LangGraph "
            "platform). Fix: rename them."
        )
    twice = sorted({n for n in env_names if env_names.count(n) > 1})
    if twice:
        problems.append(f"{path}.extraEnv: {twice} are set twice. Fix: keep one of each.")
    own_volumes = OWN_VOLUMES[kind]
    volume_names = [str(v["name"]) for v in pod.extra_volumes]
    clash = sorted({n for n in volume_names if n in own_volumes or volume_names.count(n) > 1})
    if clash:
        problems.append(
            f"{path}.extraVolumes: names {clash} are taken (the workload's own volumes are "
            f"{sorted(own_volumes)}). Fix: rename them."
        )
    unknown = sorted({m.name for m in pod.extra_volume_mounts} - set(volume_names))
    if unknown:
        problems.append(
            f"{path}.extraVolumeMounts: {unknown} are not in `extraVolumes`. Fix: add the "
            "volumes or correct the names."
        )
    paths = sorted(
        m.mount_path for m in pod.extra_volume_mounts if m.mount_path in own_volumes.values()
    )
    if paths:
        problems.append(
            f"{path}.extraVolumeMounts: {paths} are mounted by the workload itself. "
            "Fix: mount elsewhere."
        )
    sidecar_names = [str(c["name"]) for c in pod.sidecars]
    clash = sorted(
        {n for n in sidecar_names if n == OWN_CONTAINERS[kind] or sidecar_names.count(n) > 1}
    )
    if clash:
        problems.append(
            f"{path}.sidecars: names {clash} are taken (the main container is "
            f"{OWN_CONTAINERS[kind]!r}). Fix: rename them."
        )
    if pod.dns_policy == "None" and pod.dns_config is None:
        problems.append(
            f"{path}.dnsPolicy: `None` leaves the pods without DNS unless `dnsConfig` is set. "
            "Fix: add `dnsConfig` or choose another policy."
        )
    return problems


def route_gaps(kind: str, route: RouteConfig) -> list[str]:
    """What an enabled route of this kind misses before it can be made."""
    path = f"{NAMESPACE}:exposure.{kind}"
    gaps = []
    if route.hostname is None:
        gaps.append(
            f"{path}.hostname: required when the {kind} is enabled. Fix: pulumi config "
            f"set --path {path}.hostname agents.example.com"
        )
    if isinstance(route, GatewayRouteConfig | IstioRouteConfig) and route.gateway_name is None:
        gaps.append(
            f"{path}.gatewayName: required when the {kind} is enabled. Fix: set the name "
            "of the gateway the routes attach to (and `gatewayNamespace` if it is elsewhere)."
        )
    return gaps


def check_served(config: StackConfig, names: Iterable[str]) -> None:
    """Check that each served deployment has the external URIs its modes need."""
    problems = [p for name in names for p in _store_problems(config, name)]
    if problems:
        raise ConfigError(problems)


def _store_problems(config: StackConfig, name: str) -> list[str]:
    problems = []
    if config.postgres_mode(name) == "external" and name not in config.external_postgres_uris:
        problems.append(
            f"{NAMESPACE}:externalPostgresUris.{name}: missing; deployment {name!r} uses an "
            "external Postgres. Fix: pulumi config set --secret --path "
            f"'{NAMESPACE}:externalPostgresUris.{name}' 'postgresql://user:pass@host:5432/db'"
        )
    if config.redis_mode(name) == "external" and name not in config.external_redis_uris:
        problems.append(
            f"{NAMESPACE}:externalRedisUris.{name}: missing; deployment {name!r} uses an "
            "external Redis. Fix: pulumi config set --secret --path "
            f"'{NAMESPACE}:externalRedisUris.{name}' 'redis://:pass@host:6379/0'"
        )
    return problems
