"""The data-plane listener: polls the control plane and reconciles deployments in-cluster.

Deployed only when the listener is the reconciler (`dataplane:reconciler: listener`). When
Pulumi reconciles the servers, the listener stays registered with the control plane (so
deployments can bind to it) but no listener workload runs: two controllers never own the
same objects.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from ..core.kube import child_options, dns_name, labels
from ..core.names import ANNOTATION_SECRETS_DIGEST, LISTENER_TYPE
from ..spec.args import ListenerArgs
from ..spec.revision import secrets_digest
from ..spec.workload import workload_spec

__all__ = ["PORT", "Listener", "ListenerArgs"]

PORT = 8080
_UID = 1000

# What the listener needs in each watched namespace, and nothing more (chart parity).
_RULES: list[dict[str, list[str]]] = [
    {
        "apiGroups": ["apps"],
        "resources": ["deployments", "statefulsets"],
        "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
    },
    {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["get", "list", "watch"]},
    {
        "apiGroups": [""],
        "resources": ["secrets", "services"],
        "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
    },
    {
        "apiGroups": [""],
        "resources": ["persistentvolumeclaims"],
        "verbs": ["list", "delete"],
    },
    {
        "apiGroups": ["apps.langchain.ai"],
        "resources": ["lgps"],
        "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
    },
    {"apiGroups": ["apps.langchain.ai"], "resources": ["lgps/status"], "verbs": ["get"]},
]


class Listener(pulumi.ComponentResource):
    """ServiceAccount, per-namespace Role and RoleBinding, API-key Secret and Deployment."""

    listener_id: pulumi.Input[str]
    """The control-plane listener id."""
    enabled: bool
    """Whether the listener workload is deployed."""

    def __init__(self, name: str, args: ListenerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(LISTENER_TYPE, name, None, opts)
        self.listener_id = args.listener_id
        self.enabled = args.enabled
        if not args.enabled:
            return
        if args.redis_uri is None:
            raise ValueError("Listener: `redis_uri` is required when the listener is enabled")

        child = child_options(self, opts)
        object_name = dns_name(name)
        workload_labels = labels(object_name, "listener")
        meta = {"name": object_name, "namespace": args.namespace, "labels": workload_labels}

        account_meta = {**meta}
        if args.service_account_annotations:
            account_meta["annotations"] = dict(args.service_account_annotations)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-serviceaccount",
            metadata=account_meta,
            automount_service_account_token=False,
            opts=child,
        )
        for ns in args.watched_namespaces:
            role = k8s.rbac.v1.Role(
                f"{name}-role-{ns}",
                metadata={"name": object_name, "namespace": ns, "labels": workload_labels},
                rules=_RULES,
                opts=child,
            )
            k8s.rbac.v1.RoleBinding(
                f"{name}-rolebinding-{ns}",
                metadata={"name": object_name, "namespace": ns, "labels": workload_labels},
                subjects=[
                    {
                        "kind": "ServiceAccount",
                        "name": account.metadata.name,
                        "namespace": args.namespace,
                    }
                ],
                role_ref={
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "Role",
                    "name": role.metadata.name,
                },
                opts=child,
            )
        secret_values = {"langsmith_api_key": args.api_key, "redis_uri": args.redis_uri}
        secret = k8s.core.v1.Secret(
            f"{name}-secret",
            metadata=meta,
            type="Opaque",
            string_data=pulumi.Output.secret(secret_values),
            opts=child,
        )
        # A new key or queue URL restarts the listener (env from a Secret is read at start).
        digest = pulumi.Output.unsecret(pulumi.Output.all(**secret_values).apply(secrets_digest))
        health = {
            "httpGet": {"path": "/health", "port": PORT},
            "periodSeconds": 10,
            "timeoutSeconds": 10,
            "failureThreshold": 6,
        }
        env = [
            {"name": "PORT", "value": str(PORT)},
            {"name": "LANGCHAIN_ENV", "value": "local_kubernetes"},
            {"name": "HOST_QUEUE", "value": "host"},
            {"name": "HOST_BACKEND_ENDPOINT", "value": args.control_plane_url},
            {"name": "HOST_LANGCHAIN_API_ENDPOINT", "value": args.smith_url},
            {"name": "HOST_WORKER_TENANT_ID", "value": args.workspace_id or ""},
            {"name": "HOST_WORKER_LISTENER_ID", "value": self.listener_id},
            {"name": "HOST_WORKER_EXTERNAL_ENABLED", "value": "true"},
            {"name": "HOST_WORKER_RECONCILIATION_CRON_ENABLED", "value": "true"},
            _from_secret("HOST_WORKER_LANGSMITH_API_KEY", secret, "langsmith_api_key"),
            _from_secret("REDIS_DATABASE_URI", secret, "redis_uri"),
            # As the chart of the operator beside it sets them: the operator makes no routes
            # (Pulumi refuses routes in listener mode), and checks each deployment's health.
            {"name": "LANGGRAPH_CLOUD_INGRESS_ENABLED", "value": "false"},
            {"name": "HOSTED_K8S_BASE_PATH", "value": ""},
            {"name": "HOSTED_K8S_ROOT_DOMAIN", "value": ""},
            {"name": "HOSTED_K8S_SHARED_INGRESS", "value": "true"},
            {"name": "HOSTED_K8S_CLUSTER_DOMAIN", "value": args.cluster_domain},
            {"name": "ENABLE_LGP_DEPLOYMENT_HEALTH_CHECK", "value": "true"},
            {"name": "LOG_LEVEL", "value": "INFO"},
        ]
        self.deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=meta,
            spec=workload_spec(
                "listener",
                uid=_UID,
                main={
                    "image": args.image,
                    "command": ["host_backend_entrypoint.sh", "./listener_entrypoint.sh"],
                    "ports": [{"name": "listener", "containerPort": PORT}],
                    "env": env,
                    "startupProbe": health,
                    "readinessProbe": health,
                    "livenessProbe": {**health, "periodSeconds": 60},
                    "resources": args.resources,
                },
                workload_labels=workload_labels,
                pod_labels=workload_labels,
                pod_annotations={ANNOTATION_SECRETS_DIGEST: digest},
                extras=args.pod,
                # The listener talks to the Kubernetes API: it needs its token.
                automount_token=True,
                pod_fields={"serviceAccountName": account.metadata.name},
                replicas=args.replicas,
            ),
            opts=child,
        )


def _from_secret(env_name: str, secret: k8s.core.v1.Secret, key: str) -> dict:
    return {
        "name": env_name,
        "valueFrom": {"secretKeyRef": {"name": secret.metadata.name, "key": key}},
    }
