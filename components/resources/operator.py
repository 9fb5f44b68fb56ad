"""LangChain's operator and its `lgps.apps.langchain.ai` CRD, beside the listener.

The listener alone does nothing: it writes `LGP` resources, which the operator turns into each
deployment's Kubernetes objects. Both come from the official `langgraph-dataplane` chart at
its version, rendered by pulumi-kubernetes (`helm.v4.Chart`, Helm embedded in the provider):
a post-renderer keeps only the chart's operator templates, since the listener (and its Redis)
are this project's own components. No template is copied here.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from ..core.images import ImageRef
from ..core.names import OPERATOR_TYPE
from ..spec.args import OperatorArgs
from ..spec.workload import container_security_context, pod_security_context

__all__ = ["CRD_NAME", "KEEP_OPERATOR_PART", "RELEASE", "Operator", "OperatorArgs"]

RELEASE = "langgraph-dataplane"
"""The Helm release name: the chart's objects are `langgraph-dataplane-operator`, ..."""
CRD_NAME = "lgps.apps.langchain.ai"
CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
_UID = 65532  # the operator image's non-root user (distroless)

# Helm hands a post-renderer every rendered object after a `# Source: <chart>/templates/...`
# line; this keeps the objects of the chart's `templates/operator/` folder and drops the rest
# (its listener, Redis, Secrets and Ingress). `awk` is POSIX: on every machine Helm runs on.
KEEP_OPERATOR_PART = (
    r'/^---/{keep=0; next} /^# Source: [^\/]+\/templates\/operator\//{keep=1; print "---"} keep'
)


def chart_values(args: OperatorArgs) -> dict[str, object]:
    """The chart's values: its operator only, restricted like every workload here."""
    image = ImageRef.parse(args.image)
    repository = f"{image.registry}/{image.repository}" if image.registry else image.repository
    # The chart writes `repository:tag`; a digest rides along after the tag.
    tag = f"{image.tag}@{image.digest}" if image.digest else image.tag
    operator_image: dict[str, object] = {"repository": repository, "tag": tag}
    if args.image_pull_policy:
        operator_image["pullPolicy"] = args.image_pull_policy
    return {
        "namespace": args.namespace,
        "clusterDomain": args.cluster_domain,
        "commonLabels": dict(args.common_labels),
        "commonAnnotations": dict(args.common_annotations),
        "images": {
            "imagePullSecrets": [{"name": s} for s in args.image_pull_secrets],
            "operatorImage": operator_image,
        },
        # A Role per watched namespace instead of a ClusterRole.
        "config": {"watchNamespaces": ",".join(args.watched_namespaces)},
        # Routes are not made for listener-reconciled servers here (see the config checks).
        "ingress": {"enabled": False},
        "operator": {
            "enabled": True,
            "createCRDs": True,
            "kedaEnabled": args.keda_enabled,
            "deployment": {
                # The namespaces enforce the restricted Pod Security Standard.
                "podSecurityContext": pod_security_context(_UID),
                "securityContext": container_security_context(),
            },
        },
    }


def _keep_crd(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """The CRD outlives the stack (the chart marks it `helm.sh/resource-policy: keep`):
    deleting it would delete every `LGP`, and with them the deployments' databases."""
    if args.type_ != CRD_TYPE:
        return None
    keep = pulumi.ResourceOptions(retain_on_delete=True)
    return pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions.merge(args.opts, keep))


class Operator(pulumi.ComponentResource):
    """The operator's part of the official chart: Deployment, CRD, RBAC, ConfigMap, Service."""

    chart: k8s.helm.v4.Chart
    """The chart; its children are the Kubernetes objects."""

    def __init__(self, name: str, args: OperatorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(OPERATOR_TYPE, name, None, opts)
        source = args.chart
        repository = {"repo": source.repository} if source.repository else None
        self.chart = k8s.helm.v4.Chart(
            f"{name}-chart",
            chart=source.chart,
            version=source.version,
            repository_opts=repository,
            name=RELEASE,
            namespace=args.namespace,
            values=chart_values(args),
            post_renderer={"command": "awk", "args": [KEEP_OPERATOR_PART]},
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=opts.depends_on if opts else None,
                transforms=[_keep_crd],
            ),
        )
