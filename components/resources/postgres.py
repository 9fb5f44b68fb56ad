"""Postgres for one LangGraph deployment: in-cluster (pgvector StatefulSet) or external."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from ..core.defaults import POSTGRES_PORT
from ..core.kube import applied, child_options, dns_name, instance_objects
from ..core.names import ANNOTATION_SECRETS_DIGEST, POSTGRES_TYPE
from ..spec.args import PostgresArgs
from ..spec.revision import Sizing
from ..spec.workload import OWN_VOLUMES, workload_spec
from .data_store import (
    DataStore,
    credentials,
    data_volume,
    store_service,
    store_uri,
)

__all__ = ["PORT", "Postgres", "PostgresArgs"]

PORT = POSTGRES_PORT
_UID = 999  # the postgres user of the official images
_DATA_MOUNT = OWN_VOLUMES["postgres"]["data"]
EXTENSIONS = ("btree_gin", "btree_gist", "pgcrypto", "citext", "ltree", "pg_trgm")
"""What the LangGraph servers need in their database (the preflight checks an external one)."""
VECTOR_EXTENSION = "vector"
"""pgvector, for the store's semantic search: the in-cluster image ships it, so it is made with
the others; an external database needs it only when semantic search is configured."""


def extensions_sql() -> str:
    """The init script: the image's entrypoint runs it once, when the data folder is new."""
    return "".join(
        f"CREATE EXTENSION IF NOT EXISTS {e};\n" for e in (*EXTENSIONS, VECTOR_EXTENSION)
    )


class Postgres(DataStore):
    """A deployment's Postgres. `uri` is always a secret Output."""

    def __init__(self, name: str, args: PostgresArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(POSTGRES_TYPE, name, None, opts)
        if self.use_external(args):
            return

        child = child_options(self, opts)
        # Losing any of these loses the data or the way into it, so they outlive `destroy`.
        guarded = self.guarded_options(opts, args.deletion_protection)
        spec = args.resource_spec or Sizing()
        object_name, store_labels, meta = instance_objects(
            args.instance, "postgres", args.namespace
        )

        creds = credentials(
            name,
            key="POSTGRES_PASSWORD",
            metadata={**meta, "name": object_name},
            password_opts=guarded,
            secret_opts=guarded,
        )
        # The extensions the servers need, made on first start by the image's entrypoint
        # (an existing database keeps what it has: the servers' migrations need them there).
        init = k8s.core.v1.ConfigMap(
            f"{name}-init",
            metadata={**meta, "name": dns_name(object_name, "init")},
            data={"extensions.sql": extensions_sql()},
            opts=child,
        )
        volume = data_volume(
            name,
            metadata={**meta, "name": dns_name(object_name, "data")},
            storage_class=args.storage_class,
            size=applied(spec, lambda s: f"{s.db_storage_gi}Gi"),
            opts=guarded,
        )
        service = store_service(
            name,
            metadata={**meta, "name": object_name},
            store_labels=store_labels,
            port_name="postgres",
            port=PORT,
            opts=child,
        )
        self.stateful_set = k8s.apps.v1.StatefulSet(
            f"{name}-statefulset",
            metadata={**meta, "name": object_name},
            spec=workload_spec(
                "postgres",
                uid=_UID,
                main={
                    "image": args.image,
                    "args": applied(
                        spec, lambda s: ["-c", f"max_connections={s.db_max_connections}"]
                    ),
                    "ports": [{"name": "postgres", "containerPort": PORT}],
                    "env": [
                        {
                            "name": "POSTGRES_PASSWORD",
                            "valueFrom": {
                                "secretKeyRef": {
                                    "name": creds.secret.metadata.name,
                                    "key": "POSTGRES_PASSWORD",
                                }
                            },
                        },
                        {"name": "PGDATA", "value": f"{_DATA_MOUNT}/pgdata"},
                    ],
                    "readinessProbe": _pg_isready(period=10),
                    "livenessProbe": _pg_isready(period=30),
                    "resources": applied(spec, lambda s: s.database().resources()),
                },
                workload_labels=store_labels,
                pod_labels=store_labels,
                pod_annotations={ANNOTATION_SECRETS_DIGEST: creds.digest},
                extras=args.pod,
                claims={"data": volume.metadata.name},
                sources={"init": {"configMap": {"name": init.metadata.name}}},
                serviceName=object_name,
                replicas=1,
            ),
            opts=child,
        )
        self.network_policy = self.fence(name, args, store_labels, PORT, child)
        self.password = creds.password
        self.secret = creds.secret
        self.volume = volume
        self.finish(
            store_uri(
                "postgres://postgres:",
                creds.password,
                service,
                args,
                f":{PORT}/postgres?sslmode=disable",
            )
        )


def _pg_isready(period: int) -> dict:
    return {
        "exec": {"command": ["pg_isready", "-U", "postgres", "-h", "127.0.0.1"]},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": 6,
    }
