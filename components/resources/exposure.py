"""Routes from outside the cluster to the LangGraph servers: Ingress, Gateway API or Istio.

Layout: one host, a path per deployment, `<scheme>://<host>/<basePath>/<deployment>`. The
route keeps the path as it is and each server answers under it (its `MOUNT_PREFIX`), so no
controller-specific rewrite is needed; `/ok` and everything else of a server are reachable
below its path, which is where the control plane's health checks of a `custom_url` go.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

from ..core.kube import child_options, dns_name, labels, service_host
from ..core.names import EXPOSURE_TYPE
from ..spec.args import ExposedServer, ExposureArgs

__all__ = ["ExposedServer", "Exposure", "ExposureArgs"]

CERT_MANAGER_ISSUER = "cert-manager.io/cluster-issuer"


class Exposure(pulumi.ComponentResource):
    """An Ingress per namespace, or an HTTPRoute or VirtualService per server."""

    def __init__(self, name: str, args: ExposureArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(EXPOSURE_TYPE, name, None, opts)
        child = child_options(self, opts)
        self.routes: list[pulumi.CustomResource] = []
        if args.kind == "ingress":
            # One Ingress per namespace (a backend must be in the Ingress's namespace): one
            # certificate per namespace rather than one per server.
            namespaces = sorted({s.namespace for s in args.servers})
            for ns in namespaces:
                here = [s for s in args.servers if s.namespace == ns]
                self.routes.append(_ingress(f"{name}-ingress-{ns}", name, ns, here, args, child))
        elif args.kind == "gateway":
            for server in args.servers:
                resource_name = f"{name}-httproute-{server.deployment}"
                self.routes.append(_http_route(resource_name, server, args, child))
        else:
            for server in args.servers:
                resource_name = f"{name}-virtualservice-{server.deployment}"
                self.routes.append(_virtual_service(resource_name, server, args, child))


def _ingress(
    resource_name: str,
    name: str,
    namespace: str,
    servers: Sequence[ExposedServer],
    args: ExposureArgs,
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.Ingress:
    annotations = dict(args.annotations)
    if args.cluster_issuer:
        annotations[CERT_MANAGER_ISSUER] = args.cluster_issuer
    metadata: dict[str, object] = {
        "name": dns_name(name),
        "namespace": namespace,
        "labels": labels(dns_name(name), "ingress"),
    }
    if annotations:
        metadata["annotations"] = annotations
    spec: dict[str, object] = {
        "rules": [
            {
                "host": args.hostname,
                "http": {
                    "paths": [
                        {
                            # Prefix matches whole path elements: /a/x never takes /a/xy.
                            "path": s.path,
                            "pathType": "Prefix",
                            "backend": {"service": {"name": s.service, "port": {"number": s.port}}},
                        }
                        for s in servers
                    ]
                },
            }
        ],
    }
    if args.ingress_class_name:
        spec["ingressClassName"] = args.ingress_class_name
    if args.tls_secret_name:
        spec["tls"] = [{"hosts": [args.hostname], "secretName": args.tls_secret_name}]
    return k8s.networking.v1.Ingress(resource_name, metadata=metadata, spec=spec, opts=opts)


def _http_route(
    resource_name: str, server: ExposedServer, args: ExposureArgs, opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    parent: dict[str, str] = {"name": args.gateway_name or ""}
    if args.gateway_namespace:
        parent["namespace"] = args.gateway_namespace
    if args.section_name:
        parent["sectionName"] = args.section_name
    return _server_route(
        resource_name,
        server,
        "gateway.networking.k8s.io/v1",
        "HTTPRoute",
        {
            "parentRefs": [parent],
            "hostnames": [args.hostname],
            "rules": [
                {
                    # PathPrefix matches whole path elements, like the Ingress.
                    "matches": [{"path": {"type": "PathPrefix", "value": server.path}}],
                    "backendRefs": [{"name": server.service, "port": server.port}],
                }
            ],
        },
        opts,
    )


def _virtual_service(
    resource_name: str, server: ExposedServer, args: ExposureArgs, opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    gateway = args.gateway_name or ""
    if args.gateway_namespace:
        gateway = f"{args.gateway_namespace}/{gateway}"
    return _server_route(
        resource_name,
        server,
        "networking.istio.io/v1",
        "VirtualService",
        {
            "hosts": [args.hostname],
            "gateways": [gateway],
            "http": [
                {
                    "name": server.deployment,
                    # Istio prefixes are plain string prefixes: match the path itself and
                    # what lies below it, never a longer sibling (/a/x must not take /a/xy).
                    "match": [
                        {"uri": {"exact": server.path}},
                        {"uri": {"prefix": f"{server.path}/"}},
                    ],
                    "route": [
                        {
                            "destination": {
                                "host": service_host(
                                    server.service, server.namespace, args.cluster_domain
                                ),
                                "port": {"number": server.port},
                            }
                        }
                    ],
                }
            ],
        },
        opts,
    )


def _server_route(
    resource_name: str,
    server: ExposedServer,
    api_version: str,
    kind: str,
    spec: dict[str, object],
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """A route custom resource of one server, named and labelled after its deployment."""
    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version=api_version,
        kind=kind,
        metadata={
            "name": server.deployment,
            "namespace": server.namespace,
            "labels": labels(server.deployment, "route"),
        },
        spec=spec,
        opts=opts,
    )
