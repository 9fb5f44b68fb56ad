"""What Postgres and Redis share: a store in the cluster, or an external one, behind a URI."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from .kube import PodExtras


@dataclass
class StoreArgs:
    """Inputs every data store takes."""

    namespace: str
    """Namespace of the in-cluster store."""
    instance: str
    """Name of what it serves; object names and labels derive from it."""
    client_selector: dict[str, str]
    """Labels of the pods allowed to connect (the NetworkPolicy)."""
    external_uri: pulumi.Input[str] | None = None
    """URI of an external store; when set, nothing is created in the cluster."""
    pod: PodExtras = field(default_factory=PodExtras)
    """Placement, metadata and additions of the store's pod."""
    cluster_domain: str = "cluster.local"
    """DNS domain of the cluster, in the connection URI."""


class DataStore(pulumi.ComponentResource):
    """Base of `Postgres` and `Redis`: `uri` is always a secret Output."""

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

    def finish(self, uri: pulumi.Input[str]) -> None:
        """Publish the connection URI, as a secret, and end the component."""
        self.uri = pulumi.Output.secret(uri)
        self.register_outputs({"uri": self.uri})
