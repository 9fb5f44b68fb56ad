"""Purpose-built resources for the policy pack's engine tests (tests/policy/).

By default every resource keeps every rule, and looks like the data plane's own: a
restricted namespace, a Postgres component with its guarded volume, password and Secret, a
Redis component, and a server whose secrets come from a Secret. Each rule name listed in
`fixture:violations` adds resources that break that rule and no other (`VIOLATIONS`), so
one preview shows every rule firing exactly where it should. `fixture:unguardedPostgres`
declares the Postgres component's resources without `protect`. Nothing is applied: the
Kubernetes provider renders manifests to `fixture:renderDir`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.core.names import LABEL_INSTANCE, POSTGRES_TYPE, REDIS_TYPE, SERVER_TYPE

config = pulumi.Config("fixture")
registry = (pulumi.Config("dataplane").get_object("images") or {}).get("registry")
renderer = k8s.Provider("render", render_yaml_to_directory=config.require("renderDir"))
NAMESPACE = "team-a"
SECRET_VALUE = "sk-fixture-not-a-real-key-0001"


class Component(pulumi.ComponentResource):
    """A stand-in for one of the data plane's components: only its type token matters."""

    def __init__(self, type_: str, name: str) -> None:
        super().__init__(type_, name, None)
        self.register_outputs({})


def image(path: str) -> str:
    """A Docker Hub image, under the stack's registry prefix when it sets one."""
    return f"{registry}/{path}" if registry else f"docker.io/{path}"


def opts(parent: pulumi.Resource | None = None, protect: bool = False) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=renderer, parent=parent, protect=protect)


def container(name: str, image_ref: str, **fields: Any) -> dict[str, Any]:
    """A container that keeps every container rule unless `fields` override it."""
    return {
        "name": name,
        "image": image_ref,
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "500m", "memory": "256Mi"},
        },
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        **fields,
    }


def pod(*containers: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 1000,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": list(containers),
        **fields,
    }


def workload_spec(name: str, pod_spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec},
    }


def deployment(
    resource_name: str,
    pod_spec: dict[str, Any],
    *,
    name: str | None = None,
    namespace: str = NAMESPACE,
    parent: pulumi.Resource | None = None,
    labels: dict[str, str] | None = None,
) -> k8s.apps.v1.Deployment:
    name = name or resource_name
    return k8s.apps.v1.Deployment(
        resource_name,
        metadata={"name": name, "namespace": namespace, "labels": {"app": name, **(labels or {})}},
        spec=workload_spec(name, pod_spec),
        opts=opts(parent),
    )


def namespace(resource_name: str, name: str, enforce: str) -> None:
    labels = {"pod-security.kubernetes.io/enforce": enforce}
    k8s.core.v1.Namespace(resource_name, metadata={"name": name, "labels": labels}, opts=opts())


def postgres(name: str, *, guard: bool) -> None:
    """A Postgres component: password, its Secret, the data volume, the StatefulSet."""
    parent = Component(POSTGRES_TYPE, name)
    password = random.RandomPassword(
        f"{name}-password", length=24, special=False, opts=opts(parent, guard)
    )
    secret = k8s.core.v1.Secret(
        f"{name}-secret",
        metadata={"name": name, "namespace": NAMESPACE},
        string_data={"POSTGRES_PASSWORD": password.result},
        opts=opts(parent, guard),
    )
    k8s.core.v1.PersistentVolumeClaim(
        f"{name}-data",
        metadata={"name": f"{name}-data", "namespace": NAMESPACE},
        spec={"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        opts=opts(parent, guard),
    )
    password_ref = {"secretKeyRef": {"name": secret.metadata.name, "key": "POSTGRES_PASSWORD"}}
    k8s.apps.v1.StatefulSet(
        f"{name}-statefulset",
        metadata={"name": name, "namespace": NAMESPACE},
        spec={
            "serviceName": name,
            **workload_spec(
                name,
                pod(
                    container(
                        "postgres",
                        image("library/postgres:16.4"),
                        env=[{"name": "POSTGRES_PASSWORD", "valueFrom": password_ref}],
                    )
                ),
            ),
        },
        opts=opts(parent),
    )


def redis(name: str, image_ref: str) -> None:
    parent = Component(REDIS_TYPE, name)
    deployment(f"{name}-deployment", pod(container("redis", image_ref)), name=name, parent=parent)


def server(component: str, deployment_name: str) -> None:
    """A LangGraph server: its secrets in a Secret, its API Deployment reading them."""
    parent = Component(SERVER_TYPE, component)
    env_secret = k8s.core.v1.Secret(
        f"{component}-env",
        metadata={"name": f"{component}-env", "namespace": NAMESPACE},
        string_data={"OPENAI_API_KEY": SECRET_VALUE},
        opts=opts(parent),
    )
    api = container(
        "api-server",
        image("langchain/langgraph-api:0.4.20-py3.11"),
        env=[{"name": "N_JOBS_PER_WORKER", "value": "10"}],
        envFrom=[{"secretRef": {"name": env_secret.metadata.name}}],
    )
    deployment(
        f"{component}-api",
        pod(api),
        name=f"{deployment_name}-api",
        parent=parent,
        labels={LABEL_INSTANCE: deployment_name},
    )


# --- Each rule's violations: resources that break that rule and no other ---


def unpinned() -> None:
    deployment("unpinned", pod(container("tool", image("library/busybox:latest"))))


def foreign_image() -> None:
    deployment("foreign-image", pod(container("tool", "ghcr.io/acme/tool:1.0.0")))


def old_stores() -> None:
    redis("old-redis", image("library/redis:6.0.16"))
    k8s.apps.v1.StatefulSet(
        "old-postgres",
        metadata={"name": "old-postgres", "namespace": NAMESPACE},
        spec={
            "serviceName": "old-postgres",
            **workload_spec(
                "old-postgres", pod(container("postgres", image("library/postgres:13.14")))
            ),
        },
        opts=opts(),
    )


def unguarded_postgres() -> None:
    postgres("pg-unguarded", guard=False)


def no_limits() -> None:
    requests_only = {"requests": {"cpu": "100m", "memory": "128Mi"}}
    tool = container("tool", image("library/busybox:1.37.0"), resources=requests_only)
    deployment("no-limits", pod(tool))


def root() -> None:
    tool = container("tool", image("library/busybox:1.37.0"), securityContext={})
    root_pod = pod(tool, securityContext={"runAsUser": 0})
    deployment("root", root_pod)


def literal_secrets() -> None:
    env = [
        {"name": "UPSTREAM_AUTH", "value": SECRET_VALUE},
        {"name": "DB_PASSWORD", "value": "hunter2-fixture"},
        {"name": "CACHE_URL", "value": "redis://:fixture-pw@cache:6379/0"},
    ]
    deployment("literal-secret", pod(container("tool", image("library/busybox:1.37.0"), env=env)))


def duplicate_server() -> None:
    server("agent-a-again", "agent-a")


def unrestricted_namespaces() -> None:
    namespace("ns-team-b", "team-b", "baseline")
    tool = container("tool", image("library/busybox:1.37.0"))
    deployment("elsewhere", pod(tool), namespace="elsewhere")


VIOLATIONS: dict[str, Callable[[], None]] = {
    "images-pinned": unpinned,
    "images-from-registry": foreign_image,
    "store-versions": old_stores,
    "postgres-deletion-protection": unguarded_postgres,
    "container-resources": no_limits,
    "container-security": root,
    "secrets-not-in-env": literal_secrets,
    "served-deployments-unique": duplicate_server,
    "namespaces-restricted": unrestricted_namespaces,
    # listener-namespaces-exclusive: from the stack's config and the other stack files.
}

namespace("ns-team-a", NAMESPACE, "restricted")
postgres("pg", guard=not config.get_bool("unguardedPostgres"))
redis("redis", image("library/redis:7.4.2"))
server("agent-a", "agent-a")
for rule in config.get_object("violations") or []:
    if rule in VIOLATIONS:
        VIOLATIONS[rule]()
