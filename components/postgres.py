"""Postgres for one LangGraph deployment: in-cluster (pgvector StatefulSet) or external."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from .kube import (
    ANNOTATION_SECRETS_DIGEST,
    child_options,
    container_security_context,
    dns_name,
    labels,
    pod_metadata,
    pod_security_context,
    scratch_volume,
    selector,
    service_host,
    store_network_policy,
    with_extras,
)
from .revision import ResourceSpec, secrets_digest
from .store import DataStore, StoreArgs

PORT = 5432
_UID = 999  # the postgres user of the official images
_DATA_MOUNT = "/var/lib/postgresql/data"


@dataclass
class PostgresArgs(StoreArgs):
    """Inputs of `Postgres`."""

    image: str = "docker.io/pgvector/pgvector:0.8.0-pg15"
    """pgvector image, pinned."""
    resource_spec: pulumi.Input[ResourceSpec] | None = None
    """Sizing: `db_cpu`, `db_memory_mb`, `db_storage_gi`, `db_max_connections`."""
    storage_class: str | None = None
    """StorageClass of the data volume; the cluster default when None."""
    deletion_protection: bool = True
    """Protect and retain the volume, the password and its Secret."""


class Postgres(DataStore):
    """A deployment's Postgres. `uri` is always a secret Output."""

    def __init__(self, name: str, args: PostgresArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("langgraph:dataplane:Postgres", name, None, opts)
        if self.use_external(args):
            return

        child = child_options(self, opts)
        # Losing any of these loses the data or the way into it, so they outlive `destroy`.
        guarded = child_options(
            self,
            opts,
            protect=args.deletion_protection,
            retain_on_delete=args.deletion_protection,
        )
        spec = pulumi.Output.from_input(args.resource_spec or ResourceSpec())
        object_name = dns_name(args.instance, "postgres")
        store_labels = labels(args.instance, "postgres")
        meta = {"namespace": args.namespace, "labels": store_labels}

        password = random.RandomPassword(
            f"{name}-password",
            length=32,
            special=False,
            opts=child_options(self, opts, protect=args.deletion_protection),
        )
        secret = k8s.core.v1.Secret(
            f"{name}-secret",
            metadata={**meta, "name": object_name},
            type="Opaque",
            string_data={"POSTGRES_PASSWORD": password.result},
            opts=guarded,
        )
        volume = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-data",
            metadata={**meta, "name": dns_name(object_name, "data")},
            spec={
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": args.storage_class,
                "resources": {
                    "requests": {"storage": spec.apply(lambda s: f"{s.db_storage_gi}Gi")}
                },
            },
            opts=guarded,
        )
        run_dir, run_mount = scratch_volume("run", "/var/run/postgresql")
        tmp_dir, tmp_mount = scratch_volume("tmp", "/tmp")
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={**meta, "name": object_name},
            spec={
                "selector": selector(store_labels),
                "ports": [{"name": "postgres", "port": PORT, "targetPort": PORT}],
            },
            opts=child,
        )
        pod: dict[str, Any] = {
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": pod_security_context(_UID),
            "containers": [
                {
                    "name": "postgres",
                    "image": args.image,
                    "args": spec.apply(lambda s: ["-c", f"max_connections={s.db_max_connections}"]),
                    "ports": [{"name": "postgres", "containerPort": PORT}],
                    "env": [
                        {
                            "name": "POSTGRES_PASSWORD",
                            "valueFrom": {
                                "secretKeyRef": {
                                    "name": secret.metadata.name,
                                    "key": "POSTGRES_PASSWORD",
                                }
                            },
                        },
                        {"name": "PGDATA", "value": f"{_DATA_MOUNT}/pgdata"},
                    ],
                    "readinessProbe": _pg_isready(period=10),
                    "livenessProbe": _pg_isready(period=30),
                    "resources": spec.apply(lambda s: s.database().resources()),
                    "securityContext": container_security_context(),
                    "volumeMounts": [
                        {"name": "data", "mountPath": _DATA_MOUNT},
                        run_mount,
                        tmp_mount,
                    ],
                }
            ],
            "volumes": [
                {
                    "name": "data",
                    "persistentVolumeClaim": {"claimName": volume.metadata.name},
                },
                run_dir,
                tmp_dir,
            ],
        }
        self.stateful_set = k8s.apps.v1.StatefulSet(
            f"{name}-statefulset",
            metadata={**meta, "name": object_name},
            spec={
                "serviceName": object_name,
                "replicas": 1,
                "selector": {"matchLabels": selector(store_labels)},
                "template": {
                    "metadata": pod_metadata(
                        store_labels,
                        {ANNOTATION_SECRETS_DIGEST: _digest("POSTGRES_PASSWORD", password)},
                        args.pod,
                    ),
                    "spec": with_extras(pod, args.pod, selector(store_labels)),
                },
            },
            opts=child,
        )
        self.network_policy = store_network_policy(
            f"{name}-ingress",
            namespace=args.namespace,
            store_labels=store_labels,
            client_selector=args.client_selector,
            port=PORT,
            opts=child,
        )
        uri: pulumi.Output[str] = pulumi.Output.concat(
            "postgres://postgres:",
            password.result,
            "@",
            service.metadata.name.apply(
                lambda svc: service_host(svc, args.namespace, args.cluster_domain)
            ),
            f":{PORT}/postgres?sslmode=disable",
        )
        self.password = password
        self.secret = secret
        self.volume = volume
        self.finish(uri)


def _digest(key: str, password: random.RandomPassword) -> pulumi.Output[str]:
    # Restart on a new password; the 16-hex digest reveals nothing usable (see secrets_digest).
    return pulumi.Output.unsecret(password.result.apply(lambda v: secrets_digest({key: v})))


def _pg_isready(period: int) -> dict:
    return {
        "exec": {"command": ["pg_isready", "-U", "postgres", "-h", "127.0.0.1"]},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": 6,
    }
