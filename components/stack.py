"""Assembles one stack from its typed config and the control plane's answer.

`__main__.py` calls `build_stack`; the unit tests call it too, with discoveries they make up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from .config import StackConfig
from .dataplane import DataPlane, DataPlaneArgs, ServedDeployment
from .discovery import DiscoveredDeployment, Discovery
from .providers.connection import Endpoint
from .providers.listener_registration import ListenerRegistration
from .providers.revision_sync import RevisionSync
from .revision import ResourceSpec, RevisionSpec


@dataclass
class Stack:
    """What one stack built: the data plane and the revision-sync resource of each server."""

    dataplane: DataPlane
    registration: ListenerRegistration
    syncs: dict[str, RevisionSync]

    @property
    def server_public_urls(self) -> pulumi.Output[dict[str, str]]:
        """Deployment name to its server's public URL, to report as its `custom_url`."""
        return self.dataplane.server_public_urls


def kubernetes_provider(config: StackConfig) -> k8s.Provider:
    """Apply to the cluster of `kubeconfig`, or render manifests to `renderDir` without one."""
    if config.kubeconfig:
        return k8s.Provider("kubernetes", kubeconfig=os.path.expanduser(config.kubeconfig))
    return k8s.Provider("kubernetes", render_yaml_to_directory=config.render_dir)


def endpoint_of(config: StackConfig) -> Endpoint:
    """The control-plane endpoint the providers talk to."""
    cp = config.control_plane
    return Endpoint(cp.base_url, cp.workspace_id, cp.timeout_seconds)


@dataclass
class Sync:
    """The control-plane side of a stack: the listener registration and one sync per server."""

    registration: ListenerRegistration
    syncs: dict[str, RevisionSync]


def build_sync(config: StackConfig, discovery: Discovery) -> Sync:
    """Declare the listener registration and a revision sync per served deployment."""
    for reason in discovery.skipped:
        pulumi.log.warn(f"not serving {reason}")
    config.check_served([d.name for d in discovery.deployments])
    endpoint = endpoint_of(config)
    registration = ListenerRegistration(
        "listener-registration",
        endpoint=endpoint,
        compute_id=config.control_plane.listener_compute_id,
        namespaces=list(config.namespaces.names),
    )
    syncs: dict[str, RevisionSync] = {}
    if config.reconciler == "pulumi":
        syncs = {found.name: _sync(config, endpoint, found) for found in discovery.deployments}
    return Sync(registration, syncs)


def build_stack(config: StackConfig, discovery: Discovery) -> Stack:
    """Declare the sync resources and the data plane they feed."""
    sync = build_sync(config, discovery)
    registration, syncs = sync.registration, sync.syncs
    served = [
        _served(config, found.name, found.namespace, _synced(found, syncs))
        for found in discovery.deployments
        if found.name in syncs
    ]
    if config.reconciler == "pulumi":
        for name, entry in config.deployments.items():
            if entry.static is not None:
                served.append(_served(config, name, entry.static.namespace, _static(name, config)))

    provider = kubernetes_provider(config)
    cp = config.control_plane
    dataplane = DataPlane(
        "dataplane",
        DataPlaneArgs(
            namespaces=list(config.namespaces.names),
            create_namespaces=config.namespaces.create,
            listener_id=registration.listener_id,
            control_plane_url=cp.base_url,
            api_key=pulumi.Output.secret(config.api_key.get_secret_value()),
            license_key=pulumi.Output.secret(config.license_key.get_secret_value()),
            deployments=served,
            reconciler=config.reconciler,
            workspace_id=cp.workspace_id,
            smith_url=cp.smith_url,
            langsmith_endpoint=cp.langsmith_endpoint,
            listener=config.listener,
            listener_redis_uri=_secret(config.external_redis_uris.get("listener")),
            servers=config.servers,
            postgres=config.postgres,
            redis=config.redis,
            images=config.images,
            workloads=dict(config.workloads),
            exposure=config.exposure,
            common_labels=dict(config.common_labels),
            common_annotations=dict(config.common_annotations),
            cluster_domain=config.cluster_domain,
        ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    return Stack(dataplane, registration, syncs)


def _sync(config: StackConfig, endpoint: Endpoint, found: DiscoveredDeployment) -> RevisionSync:
    return RevisionSync(
        f"revision-{found.name}",
        endpoint=endpoint,
        deployment_id=found.id,
        deployment_name=found.name,
        namespace=found.namespace,
        active_revision_id=found.active_revision_id,
        latest_revision_id=found.latest_revision_id,
        resource_spec={**found.resource_spec, **config.spec_overrides(found.name)},
        secrets=pulumi.Output.secret(found.secrets),
        pinned_revision_id=config.pinned_revision(found.name),
    )


def _synced(found: DiscoveredDeployment, syncs: dict[str, RevisionSync]) -> RevisionSpec:
    sync = syncs[found.name]
    return RevisionSpec(
        deployment_id=found.id,
        deployment_name=found.name,
        revision_id=sync.revision_id,
        image=sync.image,
        resource_spec=sync.resource_spec.apply(ResourceSpec.coerce),
        secret_values=sync.secrets,
        secrets_digest=sync.secrets_digest,
    )


def _static(name: str, config: StackConfig) -> RevisionSpec:
    static = config.deployments[name].static
    assert static is not None
    return RevisionSpec(
        deployment_id=static.deployment_id,
        deployment_name=name,
        revision_id=static.revision_id,
        image=static.image,
        resource_spec=ResourceSpec.from_mapping(static.resource_spec),
        secret_values=pulumi.Output.secret(
            {k: v.get_secret_value() for k, v in static.secrets.items()}
        ),
    )


def _served(config: StackConfig, name: str, namespace: str, rev: RevisionSpec) -> ServedDeployment:
    postgres = config.external_postgres_uris.get(name)
    redis = config.external_redis_uris.get(name)
    return ServedDeployment(
        namespace=namespace,
        revision=rev,
        postgres_uri=_secret(postgres) if config.postgres_mode(name) == "external" else None,
        redis_uri=_secret(redis) if config.redis_mode(name) == "external" else None,
        service_account=config.service_account(name),
    )


def _secret(value: object) -> pulumi.Output[str] | None:
    if value is None:
        return None
    plain = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return pulumi.Output.secret(plain)
