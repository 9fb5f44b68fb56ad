"""One LangGraph server: the API pods and queue workers of one control-plane deployment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..core.kube import applied, child_options, dns_name, labels, selector, service_url
from ..core.names import (
    ANNOTATION_ENV_DIGEST,
    ANNOTATION_SECRETS_DIGEST,
    LABEL_DEPLOYMENT_ID,
    LABEL_REVISION_ID,
    SERVER_TYPE,
)
from ..spec.args import SERVER_PORT as PORT
from ..spec.args import SERVER_PORT_NAME as PORT_NAME
from ..spec.args import KedaArgs, LangGraphServerArgs
from ..spec.revision import (
    ReservedEnvNameError,
    RevisionSpec,
    Sizing,
    WorkloadSize,
    check_secret_names,
    secrets_digest,
)
from ..spec.workload import (
    PodExtras,
    WorkloadKind,
    reserved_env_problem,
    spread_over_zones_and_nodes,
    workload_spec,
)

__all__ = ["PORT", "LangGraphServer", "LangGraphServerArgs"]

_UID = 1000


class LangGraphServer(pulumi.ComponentResource):
    """API Deployment, queue-worker Deployment, Service, HPAs, PDB and the env Secrets."""

    url: str
    """The in-cluster URL of the API (with its mount prefix, when exposed)."""
    image: pulumi.Input[str]
    """The image being served."""
    revision_id: pulumi.Input[str]
    """The revision being served."""

    def __init__(
        self, name: str, args: LangGraphServerArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__(SERVER_TYPE, name, None, opts)
        if args.database_uri is None or args.redis_uri is None:
            raise ValueError("LangGraphServer: `database_uri` and `redis_uri` are required")
        child = child_options(self, opts)
        rev = args.revision
        instance = dns_name(rev.deployment_name)
        spec = applied(rev.resource_spec, Sizing.coerce)
        revision_id = rev.revision_id
        image = rev.image

        extra_env = {e["name"] for e in [*args.api_pod.env, *args.queue_pod.env]}
        secret_values = pulumi.Output.secret(rev.secret_values).apply(
            lambda values: _checked_secrets(rev.deployment_name, values, extra_env)
        )
        revision_secret = _instance_secret(
            name, "revision-secrets", instance, args.namespace, rev, secret_values, child
        )
        env_values = _platform_env(args)
        platform_secret = _instance_secret(
            name,
            "platform-env",
            instance,
            args.namespace,
            rev,
            pulumi.Output.secret(env_values),
            child,
        )
        # Digests restart pods when a Secret's content changes; unsecret keeps the pod spec
        # readable in previews (a 16-hex digest reveals nothing usable).
        digests = {
            ANNOTATION_SECRETS_DIGEST: pulumi.Output.unsecret(
                pulumi.Output.from_input(rev.secrets_digest)
                if rev.secrets_digest is not None
                else secret_values.apply(secrets_digest)
            ),
            ANNOTATION_ENV_DIGEST: pulumi.Output.unsecret(
                pulumi.Output.all(**env_values).apply(secrets_digest)
            ),
        }
        account_name = _service_account(self, args)
        self.service_account: k8s.core.v1.ServiceAccount | None = None
        if args.service_account_annotations is not None:
            account_name = account_name or instance
            self.service_account = k8s.core.v1.ServiceAccount(
                f"{name}-serviceaccount",
                metadata={
                    "name": account_name,
                    "namespace": args.namespace,
                    "labels": labels(instance, "serviceaccount", **_id_labels(rev)),
                    "annotations": dict(args.service_account_annotations),
                },
                automount_service_account_token=args.automount_service_account_token,
                opts=child,
            )
        _check_references(rev, extra_env)
        pod = _PodFactory(
            args=args,
            instance=instance,
            image=image,
            revision_id=revision_id,
            digests=digests,
            platform_secret=platform_secret.metadata.name,
            platform_keys=list(env_values),
            revision_secret=revision_secret.metadata.name,
            service_account=account_name,
        )

        api_labels = labels(instance, "api", **_id_labels(rev))
        self.api = pod.deployment(
            f"{name}-api",
            kind="api",
            workload_labels=api_labels,
            size=applied(spec, lambda s: s.api()),
            jobs=0 if args.queue_enabled else args.jobs_per_worker,
            extras=_with_revision_annotations(self, rev, args.api_pod),
            # HA: replicas of the API spread over zones and nodes once there can be several.
            default_spread=applied(
                spec,
                lambda s: (
                    spread_over_zones_and_nodes(selector(api_labels))
                    if s.api().max_replicas > 1
                    else None
                ),
            ),
            opts=child,
        )
        workloads = [("api", self.api, applied(spec, lambda s: s.api()))]
        if args.queue_enabled:
            self.queue = pod.deployment(
                f"{name}-queue",
                kind="queue",
                workload_labels=labels(instance, "queue", **_id_labels(rev)),
                size=applied(spec, lambda s: s.queue()),
                jobs=args.jobs_per_worker,
                extras=_with_revision_annotations(self, rev, args.queue_pod),
                opts=child,
            )
            workloads.append(("queue", self.queue, applied(spec, lambda s: s.queue())))

        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={"name": instance, "namespace": args.namespace, "labels": api_labels},
            spec={
                "type": "ClusterIP",
                "selector": selector(api_labels),
                "ports": [{"name": PORT_NAME, "port": PORT, "targetPort": PORT}],
            },
            opts=child,
        )
        # With KEDA, its ScaledObject makes the queue's HPA: a second one would fight it.
        keda = args.queue_keda if args.queue_enabled else None
        self.autoscalers = [
            _autoscaler(f"{name}-{role}-hpa", dns_name(instance, role), workload, size, args, child)
            for role, workload, size in workloads
            if not (keda and role == "queue")
        ]
        self.scaled_object: k8s.apiextensions.CustomResource | None = None
        if keda is not None:
            self.scaled_object = queue_scaled_object(
                f"{name}-queue-scaledobject",
                dns_name(instance, "queue"),
                self.queue,
                applied(spec, lambda s: s.queue()),
                args,
                keda,
                child,
            )
        self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
            f"{name}-api-pdb",
            metadata={
                "name": dns_name(instance, "api"),
                "namespace": args.namespace,
                "labels": api_labels,
            },
            spec={
                "maxUnavailable": args.pdb_max_unavailable,
                "selector": {"matchLabels": selector(api_labels)},
            },
            opts=child,
        )
        self.url = service_url(
            instance, args.namespace, PORT, cluster_domain=args.cluster_domain
        ) + (args.mount_prefix or "")
        self.image = image
        self.revision_id = revision_id


@dataclass
class _PodFactory:
    """Builds the API and queue Deployments, which differ only in role, size and jobs."""

    args: LangGraphServerArgs
    instance: str
    image: pulumi.Input[str]
    revision_id: pulumi.Input[str]
    digests: dict[str, pulumi.Output[str]]
    platform_secret: pulumi.Output[str]
    platform_keys: list[str]
    revision_secret: pulumi.Output[str]
    service_account: str | None

    def deployment(
        self,
        resource_name: str,
        *,
        kind: WorkloadKind,
        workload_labels: dict[str, str],
        size: pulumi.Input[WorkloadSize],
        jobs: int,
        extras: PodExtras,
        opts: pulumi.ResourceOptions,
        default_spread: pulumi.Input[list[dict[str, Any]] | None] = None,
    ) -> k8s.apps.v1.Deployment:
        args = self.args
        probe = {
            "httpGet": {"path": "/ok", "port": PORT},
            "periodSeconds": 15,
            "timeoutSeconds": 5,
            "failureThreshold": 6,
        }
        pod_labels = {**workload_labels, LABEL_REVISION_ID: self.revision_id}
        pod_fields: dict[str, Any] = {
            "imagePullSecrets": [{"name": s} for s in args.image_pull_secrets]
        }
        if self.service_account:
            pod_fields["serviceAccountName"] = self.service_account
        # No `replicas`: the HPA owns the count, and applying one would fight it.
        return k8s.apps.v1.Deployment(
            resource_name,
            metadata={
                "name": dns_name(self.instance, kind),
                "namespace": args.namespace,
                "labels": pod_labels,
            },
            spec=workload_spec(
                kind,
                uid=_UID,
                main={
                    "image": self.image,
                    "ports": [{"name": PORT_NAME, "containerPort": PORT}],
                    "env": self._env(jobs),
                    "envFrom": [{"secretRef": {"name": self.revision_secret}}],
                    "livenessProbe": probe,
                    "readinessProbe": probe,
                    "resources": applied(size, lambda s: s.resources()),
                    **self._drain(kind),
                },
                workload_labels=workload_labels,
                pod_labels=pod_labels,
                pod_annotations=self.digests,
                extras=extras,
                automount_token=args.automount_service_account_token,
                read_only_root=args.read_only_root_filesystem,
                pod_fields=pod_fields,
                default_spread=default_spread,
                revisionHistoryLimit=5,
                strategy={
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
                },
            ),
            opts=opts,
        )

    def _drain(self, kind: WorkloadKind) -> dict[str, Any]:
        """The API pods' preStop sleep: Services send a stopping pod requests until every
        node's proxy has seen it go, so it keeps serving that long (queue pods serve no
        Service)."""
        if kind != "api" or not self.args.drain_seconds:
            return {}
        return {"lifecycle": {"preStop": {"sleep": {"seconds": self.args.drain_seconds}}}}

    def _env(self, jobs: int) -> list[dict[str, Any]]:
        from_secret = [
            {
                "name": key,
                "valueFrom": {"secretKeyRef": {"name": self.platform_secret, "key": key}},
            }
            for key in self.platform_keys
        ]
        plain = [
            {"name": "PORT", "value": str(PORT)},
            {"name": "N_JOBS_PER_WORKER", "value": str(jobs)},
        ]
        if self.args.mongo_uri is not None:
            plain.append({"name": "LS_DEFAULT_CHECKPOINTER_BACKEND", "value": "mongo"})
        if self.args.mount_prefix:
            # The route keeps the path; the server answers under it, and still at /ok.
            plain.append({"name": "MOUNT_PREFIX", "value": self.args.mount_prefix})
        references = [r.env() for r in self.args.revision.secret_references]
        return from_secret + plain + references


def _platform_env(args: LangGraphServerArgs) -> dict[str, pulumi.Input[str]]:
    """What the servers read from their platform Secret: stores, keys, tracing settings."""
    assert args.database_uri is not None and args.redis_uri is not None  # checked above
    env: dict[str, pulumi.Input[str]] = {
        "DATABASE_URI": args.database_uri,
        "REDIS_URI": args.redis_uri,
    }
    if args.api_key is not None:
        env["LANGSMITH_API_KEY"] = args.api_key
    env["LANGGRAPH_CLOUD_LICENSE_KEY"] = args.license_key
    if args.langsmith_endpoint:
        env["LANGSMITH_ENDPOINT"] = args.langsmith_endpoint
    if args.mongo_uri is not None:
        env["LS_MONGODB_URI"] = args.mongo_uri
    return env


PENDING_RUNS_QUERY = "SELECT COUNT(*) FROM run WHERE status = 'pending'"
"""What KEDA counts to scale the queue workers: the runs waiting for a worker."""


def queue_scaled_object(
    resource_name: str,
    object_name: str,
    workload: k8s.apps.v1.Deployment,
    size: pulumi.Input[WorkloadSize],
    args: LangGraphServerArgs,
    keda: KedaArgs,
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """A KEDA ScaledObject for the queue workers: one worker per `N_JOBS_PER_WORKER` pending
    runs (read from the deployment's own database), and CPU, within the replica bounds."""
    jobs = str(args.jobs_per_worker)
    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version="keda.sh/v1alpha1",
        kind="ScaledObject",
        metadata={
            # Its workload's name, known before anything is registered (ownership.py).
            "name": object_name,
            "namespace": args.namespace,
            "labels": workload.metadata.labels,
        },
        spec={
            "scaleTargetRef": {"name": workload.metadata.name},
            "minReplicaCount": applied(size, lambda s: s.min_replicas),
            "maxReplicaCount": applied(size, lambda s: s.max_replicas),
            "pollingInterval": keda.polling_interval,
            "cooldownPeriod": keda.cooldown_period,
            "advanced": {
                "horizontalPodAutoscalerConfig": {
                    "behavior": {
                        "scaleDown": {
                            "stabilizationWindowSeconds": (
                                keda.scale_down_stabilization_window_seconds
                            )
                        }
                    }
                }
            },
            "triggers": [
                {
                    "type": "cpu",
                    "metricType": "Utilization",
                    "metadata": {"value": str(args.cpu_target_percent)},
                },
                {
                    "type": "postgresql",
                    # KEDA reads the DSN from the worker container's own env (its Secret).
                    "metadata": {
                        "connectionFromEnv": "DATABASE_URI",
                        "query": PENDING_RUNS_QUERY,
                        "targetQueryValue": jobs,
                        "activationTargetQueryValue": jobs,
                    },
                },
            ],
        },
        opts=opts,
    )


def _autoscaler(
    resource_name: str,
    object_name: str,
    workload: k8s.apps.v1.Deployment,
    size: pulumi.Input[WorkloadSize],
    args: LangGraphServerArgs,
    opts: pulumi.ResourceOptions,
) -> k8s.autoscaling.v2.HorizontalPodAutoscaler:
    return k8s.autoscaling.v2.HorizontalPodAutoscaler(
        resource_name,
        metadata={
            "name": object_name,
            "namespace": args.namespace,
            "labels": workload.metadata.labels,
        },
        spec={
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": workload.metadata.name,
            },
            "minReplicas": applied(size, lambda s: s.min_replicas),
            "maxReplicas": applied(size, lambda s: s.max_replicas),
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": args.cpu_target_percent,
                        },
                    },
                }
            ],
        },
        opts=opts,
    )


def _instance_secret(
    name: str,
    part: str,
    instance: str,
    namespace: str,
    rev: RevisionSpec,
    string_data: pulumi.Input[Mapping[str, pulumi.Input[str]]],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """A Secret of the server's (`<name>-<part>`), named and labelled after `part`."""
    return k8s.core.v1.Secret(
        f"{name}-{part}",
        metadata={
            "name": dns_name(instance, part),
            "namespace": namespace,
            "labels": labels(instance, part, **_id_labels(rev)),
        },
        type="Opaque",
        string_data=string_data,
        opts=opts,
    )


def _id_labels(rev: RevisionSpec) -> dict[str, str]:
    return {LABEL_DEPLOYMENT_ID: rev.deployment_id}


def _service_account(server: LangGraphServer, args: LangGraphServerArgs) -> str | None:
    """The stack's `serviceAccount.name` when set (it wins, and says so when the revision
    names another), else the revision's `service_account_name`."""
    ours, theirs = args.service_account_name, args.revision.service_account_name
    if ours and theirs and ours != theirs:
        pulumi.log.warn(
            f"{args.revision.deployment_name}: the pods run as the stack's service account "
            f"{ours!r}, not {theirs!r} from the control plane's resource_spec",
            resource=server,
        )
    return ours or theirs


def _with_revision_annotations(
    server: LangGraphServer, rev: RevisionSpec, extras: PodExtras
) -> PodExtras:
    """The pod annotations of the revision's `resource_spec`, under the stack's own: on a
    conflict the stack's value wins, and the preview says so."""
    if not rev.pod_annotations:
        return extras
    overridden = sorted(
        k for k, v in rev.pod_annotations.items() if extras.annotations.get(k, v) != v
    )
    if overridden:
        pulumi.log.warn(
            f"{rev.deployment_name}: the stack's pod annotations {', '.join(overridden)} win "
            "over the control plane's resource_spec.annotations",
            resource=server,
        )
    return replace(extras, annotations={**rev.pod_annotations, **extras.annotations})


def _check_references(rev: RevisionSpec, extra_env: set[str]) -> None:
    """A reference's variable set again by the stack's extra env would be silently hidden
    (or hide it): refuse that, as for revision secrets."""
    names = {r.name for r in rev.secret_references}
    reserved = reserved_env_problem(names, "api")
    if reserved:
        raise ReservedEnvNameError(
            f"deployment {rev.deployment_name!r}: secret_references {reserved}. Rename them."
        )
    shadowed = sorted(names & extra_env)
    if shadowed:
        raise ReservedEnvNameError(
            f"deployment {rev.deployment_name!r}: secret_references {', '.join(shadowed)} are "
            "also set by the stack (dataplane:workloads extraEnv or deployments.<name>.env). "
            "Rename one of them."
        )


def _checked_secrets(deployment: str, values: Any, extra_env: set[str]) -> dict[str, str]:
    values = dict(values or {})
    check_secret_names(deployment, list(values))
    # A pod's `env` beats its `envFrom`: extra env would silently hide a revision secret.
    shadowed = sorted(set(values) & extra_env)
    if shadowed:
        raise ReservedEnvNameError(
            f"deployment {deployment!r}: revision secrets {', '.join(shadowed)} are also set by "
            "dataplane:workloads extraEnv, which would hide them. Rename one of them."
        )
    return values
