"""Redis for one LangGraph deployment or for the listener's queue: in-cluster or external."""

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
from .revision import secrets_digest
from .store import DataStore, StoreArgs

PORT = 6379
_UID = 999  # the redis user of the official image


@dataclass
class RedisArgs(StoreArgs):
    """Inputs of `Redis`."""

    image: str = "docker.io/library/redis:7.4.2"
    """Redis image, pinned."""
    memory_mb: pulumi.Input[int] = 1024
    """Memory request and limit, in MiB; `maxmemory` is set a little below it."""


class Redis(DataStore):
    """A Redis used as a queue and pub/sub: no persistence. `uri` is a secret Output."""

    def __init__(self, name: str, args: RedisArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("langgraph:dataplane:Redis", name, None, opts)
        if self.use_external(args):
            return

        child = child_options(self, opts)
        object_name = dns_name(args.instance, "redis")
        store_labels = labels(args.instance, "redis")
        meta = {"namespace": args.namespace, "labels": store_labels, "name": object_name}
        memory = pulumi.Output.from_input(args.memory_mb)

        password = random.RandomPassword(f"{name}-password", length=32, special=False, opts=child)
        secret = k8s.core.v1.Secret(
            f"{name}-secret",
            metadata=meta,
            type="Opaque",
            string_data={"REDIS_PASSWORD": password.result},
            opts=child,
        )
        data_dir, data_mount = scratch_volume("data", "/data")
        # `--requirepass` is read at start: a new password must restart the pod.
        digest = pulumi.Output.unsecret(
            password.result.apply(lambda v: secrets_digest({"REDIS_PASSWORD": v}))
        )
        pod: dict[str, Any] = {
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": pod_security_context(_UID),
            "containers": [
                {
                    "name": "redis",
                    "image": args.image,
                    # Kubernetes expands $(VAR) in args, so the password stays
                    # in the Secret.
                    "args": memory.apply(
                        lambda mb: [
                            "--requirepass",
                            "$(REDIS_PASSWORD)",
                            "--maxmemory",
                            f"{int(mb * 0.9)}mb",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                        ]
                    ),
                    "env": [
                        {
                            "name": "REDIS_PASSWORD",
                            "valueFrom": {
                                "secretKeyRef": {
                                    "name": secret.metadata.name,
                                    "key": "REDIS_PASSWORD",
                                }
                            },
                        }
                    ],
                    "ports": [{"name": "redis", "containerPort": PORT}],
                    "readinessProbe": {
                        "tcpSocket": {"port": PORT},
                        "periodSeconds": 5,
                    },
                    "livenessProbe": {
                        "tcpSocket": {"port": PORT},
                        "periodSeconds": 10,
                        "failureThreshold": 6,
                    },
                    "resources": memory.apply(
                        lambda mb: {
                            "requests": {"cpu": "250m", "memory": f"{mb}Mi"},
                            "limits": {"cpu": "1000m", "memory": f"{mb}Mi"},
                        }
                    ),
                    "securityContext": container_security_context(),
                    "volumeMounts": [data_mount],
                }
            ],
            "volumes": [data_dir],
        }
        self.deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=meta,
            spec={
                "replicas": 1,
                "strategy": {"type": "Recreate"},
                "selector": {"matchLabels": selector(store_labels)},
                "template": {
                    "metadata": pod_metadata(
                        store_labels, {ANNOTATION_SECRETS_DIGEST: digest}, args.pod
                    ),
                    "spec": with_extras(pod, args.pod, selector(store_labels)),
                },
            },
            opts=child,
        )
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=meta,
            spec={
                "selector": selector(store_labels),
                "ports": [{"name": "redis", "port": PORT, "targetPort": PORT}],
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
            "redis://:",
            password.result,
            "@",
            service.metadata.name.apply(
                lambda svc: service_host(svc, args.namespace, args.cluster_domain)
            ),
            f":{PORT}/0",
        )
        self.finish(uri)
