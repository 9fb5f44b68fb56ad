"""Discovery resolves every target revision at once: faster with a distant control plane,
the same answers under the fault matrix, and within the discovery's deadline."""

from __future__ import annotations

import time
from typing import Any

import pytest

from components.controlplane import ControlPlaneClient
from components.planning.discovery import Discovery, discover
from components.planning.plan import endpoint_of
from components.providers.revision_sync import RevisionSyncProvider
from local_controlplane.seed import DEFAULT_API_KEY, DEV_LISTENER_ID
from local_controlplane.testing import AdminClient
from tests.providers.provider_support import configure_request, sync_props
from tests.providers.test_discovery import stack_config

REVISIONS = "/v2/deployments/"  # the revision reads (and nothing else discovery asks for)
N = 16


def discovered(base_url: str, admin: AdminClient, **client: Any) -> tuple[Discovery, float]:
    config = stack_config(
        base_url,
        controlPlane={
            "url": base_url,
            "listenerComputeId": "dev-cluster",
            "discoveryDeadlineSeconds": client.pop("discovery_deadline", 120),
        },
    )
    client.setdefault("backoff_base", 0.01)
    client.setdefault("backoff_max", 0.05)
    started = time.monotonic()
    with (
        ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url, **client) as cp,
        cp.time_limit(config.control_plane.discovery_deadline_seconds, "discovery", "deadline"),
    ):
        found = discover(cp, config)
    return found, time.monotonic() - started


@pytest.fixture
def bulk(admin: AdminClient) -> None:
    admin.seed(N - 2, name_prefix="bulk", listener_id=DEV_LISTENER_ID, k8s_namespace="langgraph")


def revision_fault(admin: AdminClient, kind: str, **options: Any) -> None:
    # Only the revision reads: the lists before them go through.
    admin.add_fault(kind, path_prefix=REVISIONS, **options)


@pytest.mark.usefixtures("bulk")
def test_targets_are_resolved_at_once(base_url: str, admin: AdminClient) -> None:
    reference, _ = discovered(base_url, admin)
    assert len(reference.deployments) == N
    assert all(d.target is not None for d in reference.deployments)
    # 0.1 s per request: one after the other, the N revisions alone would take 1.6 s.
    revision_fault(admin, "latency", latency=0.1)
    found, took = discovered(base_url, admin)
    assert found == reference
    assert took < 0.1 * N / 2, took


@pytest.mark.usefixtures("bulk")
@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": "0"},
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 502},
        {"kind": "drop"},
    ],
    ids=["429+Retry-After", "503", "502", "drop"],
)
def test_the_fault_matrix_gives_the_same_discovery(
    base_url: str, admin: AdminClient, fault: dict[str, Any]
) -> None:
    reference, _ = discovered(base_url, admin)
    admin.reset_stats()
    revision_fault(admin, times=5, **fault)
    found, _ = discovered(base_url, admin)
    assert found == reference
    stats = admin.stats()
    assert stats["faults_fired"] == 5 and stats["total"] == 2 + N + 5, stats["by_route"]


@pytest.mark.usefixtures("bulk")
def test_a_storm_is_left_to_the_checks_and_the_preview_goes_through(
    base_url: str, admin: AdminClient
) -> None:
    reference, _ = discovered(base_url, admin)
    admin.reset_stats()
    revision_fault(admin, "status", status=429, retry_after="0", times=N + 12)
    found, _ = discovered(base_url, admin, max_attempts=4)
    unresolved = [d for d in found.deployments if d.target is None]
    assert unresolved, "the storm outlasted the budget for some"
    # Discovery's retries: its budget (10, and a fifth per call), not three per target.
    assert admin.stats()["total"] <= 2 + N + 10 + N // 5
    provider = RevisionSyncProvider()
    provider.configure(configure_request())
    endpoint = endpoint_of(stack_config(base_url))
    for d in found.deployments:
        result = provider.check({}, sync_props(endpoint, d))
        assert result.failures == []
        assert result.inputs["revision_id"] == d.active_revision_id
    assert [d.name for d in found.deployments] == [d.name for d in reference.deployments]


@pytest.mark.usefixtures("bulk")
def test_targets_resolve_within_the_discovery_deadline(base_url: str, admin: AdminClient) -> None:
    # 0.5 s per revision read, 8 at a time: 16 take two rounds, 1 s; the deadline is 0.8 s.
    revision_fault(admin, "latency", latency=0.5)
    found, took = discovered(base_url, admin, discovery_deadline=0.8)
    assert took < 0.8 + 0.6, took
    left = [d for d in found.deployments if d.target is None]
    assert 0 < len(left) < N  # the first round made it; the rest is left to the checks
