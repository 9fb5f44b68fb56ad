"""The optional Mongo checkpointer of one LangGraph deployment: in-cluster or external.

In the cluster it is a single-node replica set (the checkpointer needs transactions, which
need a replica set), as the `langgraph-cloud` chart runs it: no user or password, reachable
only from the deployment's servers (the NetworkPolicy). Its data volume is a separate claim,
guarded like Postgres's.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from ..core.defaults import MONGO_PORT
from ..core.kube import child_options, dns_name, instance_objects, selector, service_host
from ..core.names import MONGO_TYPE
from ..spec.args import MongoArgs
from ..spec.workload import workload_spec
from .data_store import DataStore, data_volume

__all__ = ["PORT", "REPLICA_SET", "Mongo", "MongoArgs"]

PORT = MONGO_PORT
REPLICA_SET = "rs0"
DATABASE = "langgraph"
_UID = 999  # the mongodb user of the official image
_RESOURCES = {
    "requests": {"cpu": "500m", "memory": "1Gi"},
    "limits": {"cpu": "2000m", "memory": "4Gi"},
}


def _mongosh(script: str) -> list[str]:
    return ["mongosh", "--quiet", "--host", "127.0.0.1", "--port", str(PORT), "--eval", script]


def initiate_command(member: str) -> list[str]:
    """The postStart hook: make the replica set of one member, once, when mongod answers."""
    script = (
        f"try {{ rs.status().ok }} catch (e) {{ rs.initiate({{_id: '{REPLICA_SET}', "
        f"members: [{{_id: 0, host: '{member}'}}]}}).ok }}"
    )
    # The script has no double quote or `$`: it is safe inside double quotes.
    call = " ".join(_mongosh("")[:-1]) + f' "{script}"'
    return ["/bin/sh", "-c", f"for i in $(seq 1 60); do {call} && exit 0; sleep 2; done; exit 1"]


class Mongo(DataStore):
    """A deployment's Mongo checkpointer. `uri` is always a secret Output."""

    def __init__(self, name: str, args: MongoArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(MONGO_TYPE, name, None, opts)
        if self.use_external(args):
            return

        child = child_options(self, opts)
        object_name, store_labels, meta = instance_objects(args.instance, "mongo", args.namespace)
        member = f"{service_host(object_name, args.namespace, args.cluster_domain)}:{PORT}"

        self.volume = data_volume(
            name,
            metadata={**meta, "name": dns_name(object_name, "data")},
            storage_class=args.storage_class,
            size=f"{args.storage_gi}Gi",
            opts=self.guarded_options(opts, args.deletion_protection),
        )
        # Headless, and published before ready: the member's own name must resolve for the
        # replica set to be initiated.
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={**meta, "name": object_name},
            spec={
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
                "selector": selector(store_labels),
                "ports": [{"name": "mongo", "port": PORT, "targetPort": PORT}],
            },
            opts=child,
        )
        ping = "quit(db.adminCommand({ ping: 1 }).ok === 1 ? 0 : 1)"
        primary = "quit(db.hello().isWritablePrimary ? 0 : 1)"
        self.stateful_set = k8s.apps.v1.StatefulSet(
            f"{name}-statefulset",
            metadata={**meta, "name": object_name},
            spec=workload_spec(
                "mongo",
                uid=_UID,
                main={
                    "image": args.image,
                    "command": [
                        "mongod",
                        "--replSet",
                        REPLICA_SET,
                        "--bind_ip_all",
                        "--port",
                        str(PORT),
                        "--dbpath",
                        "/data/db",
                    ],
                    # mongosh keeps its history under HOME; the root filesystem is read-only.
                    "env": [{"name": "HOME", "value": "/tmp"}],
                    "ports": [{"name": "mongo", "containerPort": PORT}],
                    "lifecycle": {"postStart": {"exec": {"command": initiate_command(member)}}},
                    "startupProbe": {
                        "exec": {"command": _mongosh(ping)},
                        "periodSeconds": 2,
                        "timeoutSeconds": 5,
                        "failureThreshold": 30,
                    },
                    "readinessProbe": {
                        "exec": {"command": _mongosh(primary)},
                        "periodSeconds": 5,
                        "timeoutSeconds": 5,
                    },
                    "livenessProbe": {
                        "exec": {"command": _mongosh(ping)},
                        "periodSeconds": 10,
                        "timeoutSeconds": 5,
                        "failureThreshold": 6,
                    },
                    "resources": _RESOURCES,
                },
                workload_labels=store_labels,
                pod_labels=store_labels,
                pod_annotations={},
                extras=args.pod,
                claims={"data": self.volume.metadata.name},
                serviceName=object_name,
                replicas=1,
            ),
            opts=child,
        )
        self.network_policy = self.fence(name, args, store_labels, PORT, child)
        self.finish(f"mongodb://{member}/{DATABASE}?replicaSet={REPLICA_SET}")
