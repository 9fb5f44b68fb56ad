"""Redis for one LangGraph deployment or for the listener's queue: in-cluster or external."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from ..core.defaults import REDIS_PORT
from ..core.kube import applied, child_options, instance_objects
from ..core.names import ANNOTATION_SECRETS_DIGEST, REDIS_TYPE
from ..spec.args import RedisArgs
from ..spec.workload import workload_spec
from .data_store import DataStore, credentials, store_service, store_uri

__all__ = ["PORT", "Redis", "RedisArgs"]

PORT = REDIS_PORT
_UID = 999  # the redis user of the official image


class Redis(DataStore):
    """A Redis used as a queue and pub/sub: no persistence. `uri` is a secret Output."""

    def __init__(self, name: str, args: RedisArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(REDIS_TYPE, name, None, opts)
        if self.use_external(args):
            return

        child = child_options(self, opts)
        object_name, store_labels, base = instance_objects(args.instance, "redis", args.namespace)
        meta = {**base, "name": object_name}
        memory = args.memory_mb

        # `--requirepass` is read at start: a new password must restart the pod.
        creds = credentials(
            name, key="REDIS_PASSWORD", metadata=meta, password_opts=child, secret_opts=child
        )
        self.deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=meta,
            spec=workload_spec(
                "redis",
                uid=_UID,
                main={
                    "image": args.image,
                    # Kubernetes expands $(VAR) in args, so the password stays in the Secret.
                    "args": applied(
                        memory,
                        lambda mb: [
                            "--requirepass",
                            "$(REDIS_PASSWORD)",
                            "--maxmemory",
                            f"{int(mb * 0.9)}mb",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                        ],
                    ),
                    "env": [
                        {
                            "name": "REDIS_PASSWORD",
                            "valueFrom": {
                                "secretKeyRef": {
                                    "name": creds.secret.metadata.name,
                                    "key": "REDIS_PASSWORD",
                                }
                            },
                        }
                    ],
                    "ports": [{"name": "redis", "containerPort": PORT}],
                    "readinessProbe": {"tcpSocket": {"port": PORT}, "periodSeconds": 5},
                    "livenessProbe": {
                        "tcpSocket": {"port": PORT},
                        "periodSeconds": 10,
                        "failureThreshold": 6,
                    },
                    "resources": applied(
                        memory,
                        lambda mb: {
                            "requests": {"cpu": "250m", "memory": f"{mb}Mi"},
                            "limits": {"cpu": "1000m", "memory": f"{mb}Mi"},
                        },
                    ),
                },
                workload_labels=store_labels,
                pod_labels=store_labels,
                pod_annotations={ANNOTATION_SECRETS_DIGEST: creds.digest},
                extras=args.pod,
                replicas=1,
                strategy={"type": "Recreate"},
            ),
            opts=child,
        )
        service = store_service(
            name,
            metadata=meta,
            store_labels=store_labels,
            port_name="redis",
            port=PORT,
            opts=child,
        )
        self.network_policy = self.fence(name, args, store_labels, PORT, child)
        self.finish(store_uri("redis://:", creds.password, service, args, f":{PORT}/0"))
