"""The Pulumi program: read the config, ask the control plane, plan, declare, export.

`__main__.py` runs `main()`; the Automation API runs it as an inline program too.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from .config import ConfigError, StackConfig, load_stack_config
from .controlplane import ControlPlaneClient, ControlPlaneError
from .controlplane_resources import PROGRAM, Declaring, build_sync
from .core.names import DATAPLANE_NAME, KUBERNETES_PROVIDER_NAME
from .core.urls import redact
from .planning.charts import check_local_chart
from .planning.discovery import Discovery, discover
from .planning.plan import plan_dataplane, served_deployments
from .planning.referenced import Referenced, referenced_objects
from .providers.listener_registration import ListenerRegistration
from .providers.revision_sync import RevisionSync
from .resources.dataplane import DataPlane
from .spec.args import OPERATOR_CHART, OPERATOR_CHART_VERSION

if TYPE_CHECKING:  # the cluster's modules load when a stack has a cluster or a preflight
    from .cluster.ownership import OwnershipGuard

# What to check when something fails that no check of ours foresaw.
CONTROL_PLANE_KEYS = (
    "`dataplane:controlPlane` (`url`, `region` or `langsmithUrl`, `workspaceId`) and "
    "`dataplane:apiKey`"
)
DATAPLANE_KEYS = "the `dataplane:` keys of the stack (`workloads`, `deployments`, `exposure`, ...)"


@dataclass
class Stack:
    """What one stack declared: the data plane and the control-plane resources it follows."""

    dataplane: DataPlane
    registration: ListenerRegistration | None
    """None in a standalone stack."""
    syncs: dict[str, RevisionSync]

    @property
    def server_public_urls(self) -> dict[str, str]:
        """Deployment name to its server's public URL, to report as its `custom_url`."""
        return self.dataplane.server_public_urls

    @property
    def revisions(self) -> dict[str, dict[str, pulumi.Output[str]]]:
        """Each served deployment's revision (synced, or static), and the image its servers
        run (after the registry rewrite)."""
        servers = self.dataplane.servers
        revisions = {
            name: {"revision": sync.revision_id, "image": servers[name].image}
            for name, sync in self.syncs.items()
            if name in servers
        }
        for name, server in servers.items():
            revisions.setdefault(name, {"revision": server.revision_id, "image": server.image})
        return revisions


@contextmanager
def clear_errors(step: str, keys: str, secrets: list[str]) -> Iterator[None]:
    """Turn whatever fails in `step` into one clear line, without a Python traceback (the
    engine prints a `RunError` as its message alone): our own errors as they are, anything
    else as one line that names `keys` to check. `secrets` are never shown."""
    try:
        yield
    except pulumi.RunError:
        raise
    except (ConfigError, ControlPlaneError) as exc:
        # Nothing was changed: the program stops before any resource is declared.
        raise pulumi.RunError(str(exc)) from None
    except Exception as exc:  # the user gets one line, never a traceback
        detail = redact(" ".join(f"{type(exc).__name__}: {exc}".split()))
        for secret in secrets:
            detail = detail.replace(secret, "<hidden>")
        raise pulumi.RunError(
            f"{step} failed on a value no check caught ({detail[:300]}). Check {keys}; "
            "if they look right, please report this line as a bug."
        ) from None


def load_and_discover() -> tuple[StackConfig, Discovery]:
    """The stack config and what the control plane serves; clear errors, no traceback."""
    # No key is known before the config is read: nothing to hide in this step's messages.
    with clear_errors(
        "reading the stack config and asking the control plane", CONTROL_PLANE_KEYS, []
    ):
        config = load_stack_config()
    return config, discover_for(config)


def discover_for(config: StackConfig) -> Discovery:
    """What the control plane serves to `config`'s stack (nothing when standalone), after
    the local checks and the opt-in preflight; clear errors, no traceback."""
    with clear_errors(
        "reading the stack config and asking the control plane",
        CONTROL_PLANE_KEYS,
        stack_secrets(config),
    ):
        check_local_chart(config, OPERATOR_CHART, OPERATOR_CHART_VERSION)
        if config.preflight.enabled:
            run_preflight(config)
        if config.standalone:
            return Discovery(None, [])
        cp = config.control_plane
        assert config.api_key is not None  # required with a control plane (config checks)
        with ControlPlaneClient(
            config.api_key.get_secret_value(),
            base_url=cp.base_url,
            tenant_id=cp.workspace_id,
            timeout=cp.timeout_seconds,
            deadline=cp.deadline_seconds,
        ) as client:
            setting = "dataplane:controlPlane.discoveryDeadlineSeconds"
            with client.time_limit(cp.discovery_deadline_seconds, "discovery", setting):
                return discover(client, config)
    raise AssertionError("unreachable")  # clear_errors raises or the block returns


def run_preflight(config: StackConfig) -> None:
    """The opt-in preflight: each external store's version, or one error for those that fail."""
    from .cluster.preflight import failures, preflight

    reports = preflight(config)
    for report in reports:
        if not report.problems:
            pulumi.log.info(f"preflight: {report.key} at {report.where}: {report.version}, ready")
    failed = failures(reports)
    if failed is not None:
        raise failed


def stack_secrets(config: StackConfig) -> list[str]:
    """The stack's keys, never to be shown: the API key (first, when set) and the licence."""
    keys = [config.api_key, config.license_key]
    return [k.get_secret_value() for k in keys if k is not None]


def kubernetes_provider(
    config: StackConfig, opts: pulumi.ResourceOptions | None = None
) -> k8s.Provider:
    """Apply to the cluster of `kubeconfig`, or render manifests to `renderDir` without one.

    Secrets are updated in place. By default pulumi-kubernetes replaces a Secret whose data
    changes; ours have fixed names, so the old one would be deleted first and every
    Deployment reading it replaced with it: downtime on each secret change. Updated in
    place, the secrets' digest on the pod templates rolls the pods instead.

    On a cluster, the stack owns what it declares: an `up` takes back fields edited by hand
    (drift) instead of failing on the server-side apply conflict (`enable_patch_force`),
    and adopts the objects that an interrupted `up` created but could not record instead of
    failing on "already exists" (`upsert_existing_objects`). Only its own: `ownership.py`
    refuses, before anything changes, a same-named object that another stack or a person
    made.
    """
    target = (
        {
            "kubeconfig": os.path.expanduser(config.kubeconfig),
            "enable_patch_force": True,
            "upsert_existing_objects": True,
        }
        if config.kubeconfig
        else {"render_yaml_to_directory": config.render_dir}
    )
    return k8s.Provider(KUBERNETES_PROVIDER_NAME, enable_secret_mutable=True, **target, opts=opts)


def build_stack(
    config: StackConfig,
    discovery: Discovery,
    guard: OwnershipGuard | None = None,
    declaring: Declaring = PROGRAM,
) -> Stack:
    """Declare the control-plane resources, plan the data plane from them, and declare it,
    where and as `declaring` says; with a `guard`, every Kubernetes object carries the
    stack's owner, and nothing goes to the cluster or the control plane until the guard's
    check lets it."""
    wait = guard.wait() if guard else None
    sync = build_sync(config, discovery, wait, declaring)
    plan = plan_dataplane(
        config,
        served_deployments(config, discovery, sync.syncs),
        listener_id=sync.registration.listener_id if sync.registration else None,
    )
    provider = kubernetes_provider(config, pulumi.ResourceOptions.merge(declaring.options(), wait))
    dataplane = DataPlane(
        DATAPLANE_NAME,
        plan,
        opts=declaring.options(
            providers=[provider],
            transformations=[guard.transformation] if guard else None,
        ),
    )
    return Stack(dataplane, sync.registration, sync.syncs)


ClusterCheck = Callable[[StackConfig, list[Referenced]], "OwnershipGuard | None"]
"""Asked before anything is declared when the stack has a kubeconfig: raises when its
cluster cannot take the stack, and returns the guard of the stack's objects there."""


def check_and_guard(config: StackConfig, referenced: list[Referenced]) -> OwnershipGuard:
    """The cluster behind the kubeconfig can take the stack (`cluster_check.py`), and what
    the stack declares there is its own (`ownership.py`)."""
    from .cluster.cluster_check import check_cluster
    from .cluster.ownership import OwnershipGuard, stack_owner

    check_cluster(
        config.kubeconfig or "",
        list(config.namespaces.names),
        config.namespaces.create,
        referenced,
    )
    return OwnershipGuard(stack_owner())


def main(*, cluster_check: ClusterCheck = check_and_guard) -> None:
    """The whole data plane of the running stack, and its outputs. A run with no cluster
    behind its kubeconfig (under mocks) passes a `cluster_check` that checks nothing."""
    config, discovery = load_and_discover()
    stack = declare(config, discovery, cluster_check)
    dataplane = stack.dataplane
    pulumi.export("namespace", dataplane.namespace)
    pulumi.export("listener_id", dataplane.listener_id)
    pulumi.export("server_urls", dataplane.server_urls)
    # Ready to report to the control plane as each deployment's `custom_url`.
    pulumi.export("server_public_urls", stack.server_public_urls)
    pulumi.export("revisions", stack.revisions)
    pulumi.export("manifests_dir", None if config.kubeconfig else config.render_dir)
    with suppress(pulumi.RunError):  # no root stack to run it under the project's mocks
        pulumi.run(registrations_started)


def declare(
    config: StackConfig,
    discovery: Discovery,
    cluster_check: ClusterCheck = check_and_guard,
    declaring: Declaring = PROGRAM,
) -> Stack:
    """Check the cluster, then declare the whole data plane, as `declaring` says."""
    secrets = stack_secrets(config)
    referenced = referenced_objects(config, discovery)
    guard = None
    if config.kubeconfig:
        with clear_errors("checking the cluster", "dataplane:kubeconfig", secrets):
            guard = cluster_check(config, referenced)
    else:
        for ref in referenced:
            pulumi.log.warn(ref.unchecked())
    with clear_errors("planning the data plane", DATAPLANE_KEYS, secrets):
        stack = build_stack(config, discovery, guard, declaring)
    if guard is not None:
        guard.check(config.kubeconfig or "")
    return stack


async def registrations_started() -> None:
    """One turn of the event loop, after the program: every registration declared starts.

    The SDK's end-of-program wait first awaits the registrations under way, one by one, and
    then goes over every pending Output each time one of them resolves. A program that
    returns before any registration started gets only the second, for the whole run: about
    half of the program's CPU at N=50. Run by `pulumi.run` before that wait.
    """
    await asyncio.sleep(0)
