"""Checks across sections of the stack config, run once the sections themselves are valid."""

from __future__ import annotations

from collections.abc import Iterable

from ..controlplane import REGION_BASE_URLS
from ..controlplane.derive import derived_base_url, derived_smith_url, same_control_plane
from ..core.defaults import MONGO_PORT, POSTGRES_PORT, REDIS_PORT
from ..core.urls import url_problem
from ..spec.workload import OWN_CONTAINERS, OWN_VOLUMES, reserved_env_problem
from .fields import NAMESPACE, ConfigError, Problem
from .kubernetes_shapes import EnvVar, PodConfig
from .naming import MAX_DEPLOYMENT_NAME, deployment_name_problem
from .schema import StackConfig
from .sections import GatewayRouteConfig, IngressRouteConfig, IstioRouteConfig, RouteConfig

_URI_EXAMPLES = {
    "externalPostgresUris": f"postgresql://user:pass@host:{POSTGRES_PORT}/db",
    "externalRedisUris": f"redis://:pass@host:{REDIS_PORT}/0",
    "externalMongoUris": f"mongodb://user:pass@host:{MONGO_PORT}/langgraph?replicaSet=rs0",
}


def cross_checks(config: StackConfig) -> list[Problem]:
    """Problems that no single section can see: every one, for one `ConfigError`."""
    problems: list[Problem] = _mode_problems(config)
    cp = config.control_plane_settings
    if cp and cp.url and cp.region:
        problems.append(
            Problem(
                "controlPlane",
                "both `url` and `region` are set",
                "keep one of them",
                reads=("controlPlane.url", "controlPlane.region"),
            )
        )
    problems.extend(_control_plane_problems(config))
    watched = set(config.namespaces.names)
    for name, entry in config.deployments.items():
        path = f"deployments.{name}"
        name_problem = deployment_name_problem(name)
        if name_problem:
            problems.append(
                Problem(
                    path,
                    name_problem,
                    "rename the deployment (in the control plane too, when it is synced) to a "
                    "lowercase DNS label that starts with a letter, of at most "
                    f"{MAX_DEPLOYMENT_NAME} characters, e.g. `agent-alpha`",
                    reads=(path,),
                )
            )
        if entry.static and entry.revision:
            problems.append(
                Problem(
                    path,
                    "`revision` pins a control-plane revision but `static` describes one by hand",
                    "keep one of them",
                    reads=(f"{path}.static", f"{path}.revision"),
                )
            )
        if entry.static and entry.static.namespace and entry.static.namespace not in watched:
            problems.append(
                Problem(
                    f"{path}.static.namespace",
                    f"{entry.static.namespace!r} is not in namespaces.names {sorted(watched)}",
                    "add it there or change it",
                    reads=(f"{path}.static.namespace", "namespaces.names"),
                )
            )
        problems.extend(_env_problems(f"{path}.env", entry.env, "api"))
        shared = {e.name for kind in ("api", "queue") for e in config.pod(kind).extra_env}
        both = sorted(shared & {e.name for e in entry.env})
        if both:
            problems.append(
                Problem(
                    f"{path}.env",
                    f"{both} are also set by `workloads.api` or `workloads.queue` extraEnv",
                    "set each name in one place",
                    reads=(f"{path}.env", "workloads.api.extraEnv", "workloads.queue.extraEnv"),
                )
            )
    listener_redis_external = config.reconciler == "listener" and config.redis.mode == "external"
    if listener_redis_external and "listener" not in config.external_redis_uris:
        problems.append(
            Problem(
                "externalRedisUris.listener",
                "missing; the listener's queue uses an external Redis",
                f"`pulumi config set --secret --path '{NAMESPACE}:externalRedisUris.listener' "
                f"'{_URI_EXAMPLES['externalRedisUris']}'`",
                reads=("externalRedisUris.listener", "reconciler", "redis.mode"),
                absent=("externalRedisUris.listener",),
            )
        )
    problems.extend(exposure_problems(config))
    problems.extend(_service_account_problems(config))
    for kind, pod in config.workloads.items():
        problems.extend(_pod_problems(kind, pod))
    static_names = [n for n, e in config.deployments.items() if e.static]
    problems.extend(p for n in static_names for p in _store_problems(config, n))
    problems.extend(_uri_problems(config))
    problems.extend(dead_settings(config))
    return problems


def dead_settings(config: StackConfig) -> list[Problem]:
    """Settings that another one turns off: nothing reads them, so the stack would not do
    what they say. Each is a problem (not a warning): one of the two must go."""
    problems = []

    def dead(path: str, why: str, fix: str, because: str) -> None:
        problems.append(Problem(path, f"has no effect: {why}", fix, reads=(path, because)))

    servers = config.servers
    if servers.queue_keda.enabled and not servers.queue_enabled:
        dead(
            "servers.queueKeda.enabled",
            "`servers.queueEnabled` is false, so there are no queue workers for KEDA to scale",
            "remove `servers.queueKeda`, or set `servers.queueEnabled: true`",
            "servers.queueEnabled",
        )
    if "queue" in config.workloads and not servers.queue_enabled:
        dead(
            "workloads.queue",
            "`servers.queueEnabled` is false, so there are no queue pods",
            "remove `workloads.queue`, or set `servers.queueEnabled: true`",
            "servers.queueEnabled",
        )
    if config.reconciler == "pulumi":
        why = "the listener and the operator run only with `reconciler: listener`"
        for path, set_ in (
            ("listener", bool(config.listener.model_fields_set)),
            ("operator", bool(config.operator.model_fields_set)),
            ("workloads.listener", "listener" in config.workloads),
            ("externalRedisUris.listener", "listener" in config.external_redis_uris),
        ):
            if set_:
                dead(path, why, f"remove `{path}`, or set `reconciler: listener`", "reconciler")
    names = list(config.deployments)
    if config.mongo.mode == "none" and all(config.mongo_mode(n) == "none" for n in names):
        why = "`mongo.mode` is `none` (and no deployment overrides it)"
        fix = "remove it, or set `mongo.mode` (or a deployment's `mongo.mode`)"
        for key in sorted(config.mongo.model_fields_set - {"mode"}):
            field = type(config.mongo).model_fields[key]
            dead(f"mongo.{field.alias or key}", why, fix, "mongo.mode")
        if "mongo" in config.workloads:
            dead("workloads.mongo", why, fix, "mongo.mode")
    for store, uris, mode in (
        ("Postgres", config.external_postgres_uris, config.postgres_mode),
        ("Redis", config.external_redis_uris, config.redis_mode),
        ("Mongo", config.external_mongo_uris, config.mongo_mode),
    ):
        key = store.lower()
        for name in sorted(uris):
            if name == "listener" and store == "Redis":
                continue  # the listener's queue Redis: above and in `cross_checks`
            if mode(name) != "external":
                problems.append(
                    Problem(
                        f"external{store}Uris.{name}",
                        f"has no effect: deployment {name!r} does not use an external {store} "
                        f"(its `{key}.mode` is {mode(name)!r})",
                        f"remove `external{store}Uris.{name}`, or set `{key}.mode: external` "
                        f"(for it alone: `deployments.{name}.{key}.mode`)",
                        reads=(f"external{store}Uris.{name}", key, f"deployments.{name}.{key}"),
                    )
                )
    return problems


def _control_plane_problems(config: StackConfig) -> list[Problem]:
    """`langsmithUrl` beside an explicit `url` or `region` must name the same control plane:
    two keys that disagree about where the listener registers (and the API key goes) are a
    mistake, whichever of them would win."""
    cp = config.control_plane_settings
    if cp is None or cp.langsmith_url is None:
        return []
    derived = derived_base_url(cp.langsmith_url)
    region_url = REGION_BASE_URLS[cp.region] if cp.region else None
    problems = []
    for key, explicit in (("url", cp.url), ("region", region_url)):
        if explicit is None or same_control_plane(explicit, derived):
            continue
        what = f"`url` {explicit}" if key == "url" else f"`region` {cp.region} ({explicit})"
        smith = derived_smith_url(cp.langsmith_url)
        keep = f"replace `langsmithUrl` by `smithUrl: {smith}`" if smith else "remove it"
        problems.append(
            Problem(
                "controlPlane.langsmithUrl",
                f"{cp.langsmith_url} derives the control plane {derived}, but {what} names another",
                f"keep `langsmithUrl` alone (it derives the control plane), or correct one of "
                f"them; to keep `{key}`, {keep}",
                reads=(f"controlPlane.{key}", "controlPlane.langsmithUrl"),
            )
        )
    return problems


def _mode_problems(config: StackConfig) -> list[Problem]:
    """What a standalone stack (no `controlPlane`) cannot have, and what a synced one needs."""
    cp = config.control_plane_settings
    if cp is not None:
        problems = []
        if config.api_key is None:
            problems.append(
                Problem(
                    "apiKey",
                    "required with `controlPlane` (the control plane's key)",
                    f"`pulumi config set --secret {NAMESPACE}:apiKey <LangSmith API key>`",
                    reads=("apiKey", "controlPlane"),
                    absent=("apiKey",),
                )
            )
        if config.langsmith_endpoint and cp.langsmith_endpoint:
            problems.append(
                Problem(
                    "langsmithEndpoint",
                    "is set twice, here and as `controlPlane.langsmithEndpoint`",
                    "keep one of them",
                    reads=("langsmithEndpoint", "controlPlane.langsmithEndpoint"),
                )
            )
        return problems
    problems = []
    if config.reconciler == "listener":
        problems.append(
            Problem(
                "reconciler",
                "`listener` needs a control plane to poll, and this stack has no `controlPlane`",
                "set `controlPlane` (listenerComputeId and url, region or langsmithUrl), or use "
                "`reconciler: pulumi` for standalone Agent Servers",
                reads=("reconciler", "controlPlane"),
                absent=("controlPlane",),
            )
        )
    for name, entry in config.deployments.items():
        if entry.static is None:
            problems.append(
                Problem(
                    f"deployments.{name}",
                    "a standalone stack (no `controlPlane`) has no revision to sync from",
                    f"describe the revision under `deployments.{name}.static` (at least "
                    "`image`), or set `controlPlane`",
                    reads=(f"deployments.{name}", "controlPlane"),
                    absent=(f"deployments.{name}.static", "controlPlane"),
                )
            )
    if not config.deployments:
        problems.append(
            Problem(
                "deployments",
                "a standalone stack (no `controlPlane`) serves only its `static` deployments, "
                "and there are none",
                f"add `{NAMESPACE}:deployments.<name>.static` with at least `image`, or set "
                "`controlPlane`",
                reads=("deployments", "controlPlane"),
                absent=("deployments", "controlPlane"),
            )
        )
    return problems


def _env_problems(path: str, env: list[EnvVar], kind: str) -> list[Problem]:
    """Environment entries that the data plane sets itself, or that repeat."""
    problems = []
    names = [e.name for e in env]
    reserved = reserved_env_problem(names, kind)
    if reserved:
        problems.append(Problem(path, reserved, "rename them"))
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        problems.append(Problem(path, f"{twice} are set twice", "keep one of each"))
    return problems


def _uri_problems(config: StackConfig) -> list[Problem]:
    """External store URIs: the right scheme and a host. Their values are never quoted."""
    uri_kinds = (
        ("externalPostgresUris", config.external_postgres_uris, ("postgres", "postgresql")),
        ("externalRedisUris", config.external_redis_uris, ("redis", "rediss")),
        ("externalMongoUris", config.external_mongo_uris, ("mongodb", "mongodb+srv")),
    )
    problems = []
    for key, uris, schemes in uri_kinds:
        for name, uri in uris.items():
            problem = url_problem(uri.get_secret_value(), schemes, credentials=True, query=True)
            if problem:
                example = _URI_EXAMPLES[key]
                problems.append(
                    Problem(
                        f"{key}.{name}",
                        f"{problem} (value hidden)",
                        f"`pulumi config set --secret --path '{NAMESPACE}:{key}.{name}' "
                        f"'{example}'`",
                    )
                )
    return problems


def exposure_problems(config: StackConfig) -> list[Problem]:
    """At most one kind of route, enabled only for servers Pulumi runs, and complete."""
    exposure = config.exposure
    kinds = exposure.enabled()
    if len(kinds) > 1:
        both = " and ".join(f"`{k}`" for k in kinds)
        return [
            Problem(
                "exposure",
                f"{both} are enabled together, but each server is reached through exactly one "
                "kind of route",
                "keep one of them and set `enabled: false` on the others",
                reads=tuple(f"exposure.{k}.enabled" for k in kinds),
            )
        ]
    if not kinds:
        return []
    kind = kinds[0]
    route = exposure.route()
    assert route is not None
    problems = []
    if config.reconciler == "listener":
        problems.append(
            Problem(
                f"exposure.{kind}",
                "routes are made for the servers Pulumi runs, and with `reconciler: listener` "
                "Pulumi runs none",
                "disable it, or use `reconciler: pulumi`",
                reads=(f"exposure.{kind}.enabled", "reconciler"),
            )
        )
    problems.extend(route_gaps(kind, route))
    if isinstance(route, IngressRouteConfig) and route.scheme == "http" and route.tls_secret:
        problems.append(
            Problem(
                "exposure.ingress.scheme",
                "`http`, yet the Ingress terminates TLS",
                "use `https`, or drop `tlsSecretName` and `clusterIssuer`",
            )
        )
    return problems


def _service_account_problems(config: StackConfig) -> list[Problem]:
    shared = config.servers.service_account
    if shared.name and shared.annotations:
        return [
            Problem(
                "servers.serviceAccount",
                "`name` with `annotations` would create one ServiceAccount of that name for "
                "every deployment",
                "drop `name` (each gets its deployment's name), or set it per deployment under "
                f"`{NAMESPACE}:deployments.<name>.serviceAccount`",
                reads=("servers.serviceAccount.name", "servers.serviceAccount.annotations"),
            )
        ]
    return []


def _pod_problems(kind: str, pod: PodConfig) -> list[Problem]:
    path = f"workloads.{kind}"
    problems = _env_problems(f"{path}.extraEnv", pod.extra_env, kind)
    own_volumes = OWN_VOLUMES[kind]
    volume_names = [str(v["name"]) for v in pod.extra_volumes]
    clash = sorted({n for n in volume_names if n in own_volumes or volume_names.count(n) > 1})
    if clash:
        problems.append(
            Problem(
                f"{path}.extraVolumes",
                f"names {clash} are taken (the workload's own volumes are {sorted(own_volumes)})",
                "rename them",
            )
        )
    unknown = sorted({m.name for m in pod.extra_volume_mounts} - set(volume_names))
    if unknown:
        problems.append(
            Problem(
                f"{path}.extraVolumeMounts",
                f"{unknown} are not in `extraVolumes`",
                "add the volumes or correct the names",
                reads=(f"{path}.extraVolumeMounts", f"{path}.extraVolumes"),
            )
        )
    paths = sorted(
        m.mount_path for m in pod.extra_volume_mounts if m.mount_path in own_volumes.values()
    )
    if paths:
        problems.append(
            Problem(
                f"{path}.extraVolumeMounts",
                f"{paths} are mounted by the workload itself",
                "mount elsewhere",
            )
        )
    sidecar_names = [str(c["name"]) for c in pod.sidecars]
    clash = sorted(
        {n for n in sidecar_names if n == OWN_CONTAINERS[kind] or sidecar_names.count(n) > 1}
    )
    if clash:
        problems.append(
            Problem(
                f"{path}.sidecars",
                f"names {clash} are taken (the main container is {OWN_CONTAINERS[kind]!r})",
                "rename them",
            )
        )
    if pod.dns_policy == "None" and pod.dns_config is None:
        problems.append(
            Problem(
                f"{path}.dnsPolicy",
                "`None` leaves the pods without DNS unless `dnsConfig` is set",
                "add `dnsConfig` or choose another policy",
                reads=(f"{path}.dnsPolicy", f"{path}.dnsConfig"),
            )
        )
    return problems


def route_gaps(kind: str, route: RouteConfig) -> list[Problem]:
    """What an enabled route of this kind misses before it can be made."""
    path = f"exposure.{kind}"
    gaps = []
    if route.hostname is None:
        gaps.append(
            Problem(
                f"{path}.hostname",
                f"required when the {kind} is enabled",
                f"`pulumi config set --path {NAMESPACE}:{path}.hostname agents.example.com`",
            )
        )
    if isinstance(route, GatewayRouteConfig | IstioRouteConfig) and route.gateway_name is None:
        gaps.append(
            Problem(
                f"{path}.gatewayName",
                f"required when the {kind} is enabled",
                "set the name of the gateway the routes attach to (and `gatewayNamespace` if "
                "it is elsewhere)",
            )
        )
    return gaps


def check_served(config: StackConfig, names: Iterable[str]) -> None:
    """Check that each served deployment has the external URIs its modes need."""
    problems = [p for name in names for p in _store_problems(config, name)]
    if problems:
        raise ConfigError(problems)


def _store_problems(config: StackConfig, name: str) -> list[Problem]:
    problems = []
    stores = (
        ("Postgres", config.postgres_mode(name), config.external_postgres_uris, "postgres"),
        ("Redis", config.redis_mode(name), config.external_redis_uris, "redis"),
        ("Mongo", config.mongo_mode(name), config.external_mongo_uris, "mongo"),
    )
    for store, mode, uris, key in stores:
        example = _URI_EXAMPLES[f"external{store}Uris"]
        if mode == "external" and name not in uris:
            problems.append(
                Problem(
                    f"external{store}Uris.{name}",
                    f"missing; deployment {name!r} uses an external {store}",
                    f"`pulumi config set --secret --path '{NAMESPACE}:external{store}Uris.{name}' "
                    f"'{example}'`",
                    reads=(f"external{store}Uris.{name}", key, f"deployments.{name}.{key}"),
                )
            )
    return problems
