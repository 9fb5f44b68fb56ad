"""What the data stores (Postgres, Redis, Mongo) share: a store in the cluster, or an
external one, behind a URI.

`DataStore` is the base of all three: the external URI, the guarded options and the
NetworkPolicy that admits only the store's clients (`fence`); `data_volume` is their data
volume. In the cluster, Postgres and Redis also share a password in a Secret
(`credentials`), a Service (`store_service`) and a connection URI built from the password
and the Service's host (`store_uri`); Mongo has no password and builds its own Service.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from ..core.kube import child_options, dns_name, selector, service_host
from ..spec.args import StoreArgs
from ..spec.revision import secrets_digest


class DataStore(pulumi.ComponentResource):
    """Base of `Postgres`, `Redis` and `Mongo`: `uri` is always a secret Output."""

    uri: pulumi.Output[str]
    """The connection URI (secret)."""
    in_cluster: bool
    """Whether the store runs in the cluster."""

    def use_external(self, args: StoreArgs) -> bool:
        """With an external URI, finish this component on it and return True."""
        self.in_cluster = args.external_uri is None
        if args.external_uri is None:
            return False
        self.finish(args.external_uri)
        return True

    def guarded_options(
        self, opts: pulumi.ResourceOptions | None, protect: bool
    ) -> pulumi.ResourceOptions:
        """Options for what holds the data or the way into it: protected and retained on
        delete unless `protect` (the stack's deletion protection) is off."""
        return child_options(self, opts, protect=protect, retain_on_delete=protect)

    def fence(
        self,
        name: str,
        args: StoreArgs,
        store_labels: dict[str, str],
        port: int,
        opts: pulumi.ResourceOptions,
    ) -> k8s.networking.v1.NetworkPolicy:
        """Only the store's clients (`args.client_selector`) reach it, on its port."""
        return store_network_policy(
            f"{name}-ingress",
            namespace=args.namespace,
            store_labels=store_labels,
            client_selector=args.client_selector,
            port=port,
            opts=opts,
        )

    def finish(self, uri: pulumi.Input[str]) -> None:
        """Publish the connection URI, as a secret (to the program only: see `DataPlane`)."""
        self.uri = pulumi.Output.secret(uri)


@dataclass
class Credentials:
    """A store's generated password, the Secret that holds it, and its digest."""

    password: random.RandomPassword
    secret: k8s.core.v1.Secret
    digest: pulumi.Output[str]
    """Changes with the password: on the pod template, a new password restarts the pod (the
    16-hex digest reveals nothing usable, see `secrets_digest`)."""


def credentials(
    name: str,
    *,
    key: str,
    metadata: dict[str, object],
    password_opts: pulumi.ResourceOptions,
    secret_opts: pulumi.ResourceOptions,
) -> Credentials:
    """A random password (`<name>-password`) in a Secret (`<name>-secret`) under `key`."""
    password = random.RandomPassword(
        f"{name}-password", length=32, special=False, opts=password_opts
    )
    secret = k8s.core.v1.Secret(
        f"{name}-secret",
        metadata=metadata,
        type="Opaque",
        string_data={key: password.result},
        opts=secret_opts,
    )
    digest = pulumi.Output.unsecret(password.result.apply(lambda v: secrets_digest({key: v})))
    return Credentials(password, secret, digest)


def data_volume(
    name: str,
    *,
    metadata: dict[str, object],
    storage_class: str | None,
    size: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.PersistentVolumeClaim:
    """The store's data volume (`<name>-data`): a claim of its own, so that no change of the
    StatefulSet can replace it."""
    return k8s.core.v1.PersistentVolumeClaim(
        f"{name}-data",
        metadata=metadata,
        spec={
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "resources": {"requests": {"storage": size}},
        },
        opts=opts,
    )


def store_service(
    name: str,
    *,
    metadata: dict[str, object],
    store_labels: dict[str, str],
    port_name: str,
    port: int,
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Service:
    """The store's Service (`<name>-service`) on its one port."""
    return k8s.core.v1.Service(
        f"{name}-service",
        metadata=metadata,
        spec={
            "selector": selector(store_labels),
            "ports": [{"name": port_name, "port": port, "targetPort": port}],
        },
        opts=opts,
    )


def store_network_policy(
    resource_name: str,
    *,
    namespace: str,
    store_labels: dict[str, str],
    client_selector: dict[str, str],
    port: int,
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.NetworkPolicy:
    """Only pods matching `client_selector` may reach the store's pods, and only on `port`."""
    return k8s.networking.v1.NetworkPolicy(
        resource_name,
        metadata={"name": dns_name(resource_name), "namespace": namespace, "labels": store_labels},
        spec={
            "podSelector": {"matchLabels": selector(store_labels)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": client_selector}}],
                    "ports": [{"protocol": "TCP", "port": port}],
                }
            ],
        },
        opts=opts,
    )


def store_uri(
    scheme_and_user: str,
    password: random.RandomPassword,
    service: k8s.core.v1.Service,
    args: StoreArgs,
    port_and_path: str,
) -> pulumi.Output[str]:
    """`<scheme_and_user><password>@<service host><port_and_path>`: the connection URI."""
    return pulumi.Output.concat(
        scheme_and_user,
        password.result,
        "@",
        service.metadata.name.apply(
            lambda svc: service_host(svc, args.namespace, args.cluster_domain)
        ),
        port_and_path,
    )
