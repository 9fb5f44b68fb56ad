"""RevisionSync's provider semantics, over real HTTP against the local control plane."""

from __future__ import annotations

import base64
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from components.controlplane import ControlPlaneClient
from components.providers.connection import Endpoint
from components.providers.revision_sync import RevisionSyncProvider
from components.providers.targets import TargetRevision, fetch_target
from components.spec.revision import secrets_digest
from local_controlplane.seed import (
    ALPHA_ID,
    ALPHA_REVISION_ID,
    DEFAULT_API_KEY,
)
from local_controlplane.testing import AdminClient
from tests.providers.provider_support import configure_request


def provider() -> RevisionSyncProvider:
    p = RevisionSyncProvider()
    p.configure(configure_request())
    return p


def inputs(base_url: str, **overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        **Endpoint(base_url, None, 5.0).props(),
        "deployment_id": ALPHA_ID,
        "deployment_name": "agent-alpha",
        "namespace": "langgraph",
        "active_revision_id": ALPHA_REVISION_ID,
        "latest_revision_id": ALPHA_REVISION_ID,
        "pinned_revision_id": None,
        "resource_spec": {"min_scale": 1, "max_scale": 2},
        "secrets": {"OPENAI_API_KEY": "sk-1"},
    }
    props.update(overrides)
    return props


def new_revision(base_url: str, image: str) -> str:
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        rev = client.create_revision(ALPHA_ID, {"source_revision_config": {"image_uri": image}})
        return rev.id


def test_check_resolves_the_active_revision(base_url: str) -> None:
    result = provider().check({}, inputs(base_url))
    assert result.failures == []
    out = result.inputs
    assert out["revision_id"] == ALPHA_REVISION_ID
    assert out["status"] == "DEPLOYED"
    assert out["image"] == "docker.io/langchain/langgraph-api:0.4.20-py3.11"
    assert out["secret_names"] == ["OPENAI_API_KEY"]
    assert out["secrets_digest"] == secrets_digest({"OPENAI_API_KEY": "sk-1"})
    assert out["notice"] == ""


def test_check_follows_a_pin_and_says_why_the_latest_is_not_served(
    base_url: str, admin: AdminClient
) -> None:
    second = new_revision(base_url, "registry.example.com/alpha:2.0.0")
    pinned = provider().check({}, inputs(base_url, pinned_revision_id=second)).inputs
    assert (pinned["revision_id"], pinned["image"]) == (second, "registry.example.com/alpha:2.0.0")

    third = new_revision(base_url, "registry.example.com/alpha:3.0.0")
    admin.set_revision_status(ALPHA_ID, third, "BUILD_FAILED")
    result = provider().check(
        {}, inputs(base_url, active_revision_id=second, latest_revision_id=third)
    )
    assert result.failures == []
    assert result.inputs["revision_id"] == second
    assert result.inputs["notice"] == f"latest revision {third} is BUILD_FAILED; serving {second}"


def test_a_failed_revision_is_never_rolled_out(base_url: str, admin: AdminClient) -> None:
    bad = new_revision(base_url, "registry.example.com/alpha:bad")
    admin.set_revision_status(ALPHA_ID, bad, "DEPLOY_FAILED")
    result = provider().check({}, inputs(base_url, pinned_revision_id=bad))
    assert len(result.failures) == 1
    failure = result.failures[0]
    assert failure.property == "pinned_revision_id"
    assert f"revision {bad} is DEPLOY_FAILED and is never rolled out" in failure.reason
    assert "Pin a revision that succeeded" in failure.reason


def test_reserved_secret_names_fail_the_check(base_url: str) -> None:
    result = provider().check({}, inputs(base_url, secrets={"REDIS_URI": "redis://evil"}))
    assert [f.property for f in result.failures] == ["secrets"]
    assert "REDIS_URI" in result.failures[0].reason
    assert "redis://evil" not in result.failures[0].reason


def test_control_plane_errors_become_clear_check_failures(base_url: str) -> None:
    p = RevisionSyncProvider()
    p.configure(configure_request("lsv2_wrong_key"))
    result = p.check({}, inputs(base_url))
    assert len(result.failures) == 1
    reason = result.failures[0].reason
    assert "401" in reason or "API key" in reason
    assert "lsv2_wrong_key" not in reason


def test_diff_makes_no_network_calls_and_tracks_rollout_fields() -> None:
    # An unreachable endpoint: any request would fail.
    p = RevisionSyncProvider()
    old = {
        **Endpoint("http://127.0.0.1:9", None, 1.0).props(),
        "deployment_id": "d",
        "revision_id": "r1",
        "image": "img:1",
        "secrets_digest": "aa",
    }
    assert p.diff("d", old, dict(old)).changes is False
    changed = p.diff("d", old, {**old, "image": "img:2", "revision_id": "r2"})
    assert changed.changes is True and changed.replaces == []
    assert p.diff("d", old, {**old, "secrets_digest": "bb"}).changes is True
    assert p.diff("d", old, {**old, "deployment_id": "e"}).replaces == ["deployment_id"]


def test_read_detects_drift_and_deletion(base_url: str) -> None:
    p = provider()
    state = p.create(p.check({}, inputs(base_url)).inputs).outs
    assert p.read(ALPHA_ID, state).outs == state  # no drift

    second = new_revision(base_url, "registry.example.com/alpha:2.0.0")
    drifted = p.read(ALPHA_ID, {**state, "active_revision_id": second})
    assert drifted.outs is not None and drifted.outs["image"] == "registry.example.com/alpha:2.0.0"
    assert drifted.inputs == drifted.outs  # refresh keeps the next preview quiet

    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        client.delete_deployment(ALPHA_ID)
        client.wait_until_deleted(ALPHA_ID)
    gone = p.read(ALPHA_ID, state)
    assert not gone.id


def test_create_update_and_delete_are_idempotent(base_url: str) -> None:
    p = provider()
    checked = p.check({}, inputs(base_url)).inputs
    first = p.create(checked)
    again = p.create(checked)  # after a half-finished earlier create
    assert (first.id, first.outs) == (again.id, again.outs) == (ALPHA_ID, checked)
    assert p.update(ALPHA_ID, checked, checked).outs == checked
    p.delete(ALPHA_ID, checked)
    p.delete(ALPHA_ID, checked)


def test_provider_pickles_by_reference_without_secrets(base_url: str) -> None:
    p = provider()
    p.check({}, inputs(base_url))  # a configured, used provider
    blob = base64.b64decode(serialize_provider(p))
    assert b"components.providers.revision_sync" in blob
    assert b"RevisionSyncProvider" in blob
    assert DEFAULT_API_KEY.encode() not in blob
    assert b"httpx" not in blob and b"Lock" not in blob
    assert len(blob) < 400, "pickled by reference: no code inside"


def test_missing_api_key_is_a_clear_failure(base_url: str) -> None:
    p = RevisionSyncProvider()
    p.configure(configure_request(""))
    failures = p.check({}, inputs(base_url)).failures
    assert len(failures) == 1
    assert "no control-plane API key: set `dataplane:apiKey`" in failures[0].reason


def resolved(base_url: str, **overrides: Any) -> TargetRevision:
    """What discovery resolves for `inputs(base_url, **overrides)`."""
    props = inputs(base_url, **overrides)
    pinned = props["pinned_revision_id"]
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        return fetch_target(
            client,
            ALPHA_ID,
            pinned or props["active_revision_id"],
            props["latest_revision_id"],
            pinned is not None,
        )


def test_check_uses_what_discovery_resolved_without_a_request(
    base_url: str, admin: AdminClient
) -> None:
    target = resolved(base_url)
    admin.reset_stats()
    result = provider().check({}, inputs(base_url, prefetched_revision=target.to_props()))
    assert result.failures == [] and admin.stats()["total"] == 0
    # The same answer as asking, and nothing of the prefetch kept for state.
    assert result.inputs == provider().check({}, inputs(base_url)).inputs
    assert "prefetched_revision" not in result.inputs


def test_a_prefetch_for_other_inputs_is_not_used(base_url: str, admin: AdminClient) -> None:
    second = new_revision(base_url, "registry.example.com/alpha:2.0.0")
    stale = resolved(base_url)  # for the first revision, as active and latest
    admin.reset_stats()
    result = provider().check(
        {},
        inputs(
            base_url,
            active_revision_id=second,
            latest_revision_id=second,
            prefetched_revision=stale.to_props(),
        ),
    )
    assert result.inputs["revision_id"] == second
    assert result.inputs["image"] == "registry.example.com/alpha:2.0.0"
    assert admin.stats()["total"] == 1
    # Anything but the shape discovery gives is ignored the same way.
    garbage = provider().check({}, inputs(base_url, prefetched_revision={"revision_id": 1}))
    assert garbage.failures == [] and admin.stats()["total"] == 2


def test_a_prefetched_failed_revision_fails_the_check_as_asking_does(
    base_url: str, admin: AdminClient
) -> None:
    bad = new_revision(base_url, "registry.example.com/alpha:bad")
    admin.set_revision_status(ALPHA_ID, bad, "DEPLOY_FAILED")
    target = resolved(base_url, pinned_revision_id=bad)
    admin.reset_stats()
    prefetched = provider().check(
        {}, inputs(base_url, pinned_revision_id=bad, prefetched_revision=target.to_props())
    )
    assert admin.stats()["total"] == 0
    asked = provider().check({}, inputs(base_url, pinned_revision_id=bad))
    assert [(f.property, f.reason) for f in prefetched.failures] == [
        (f.property, f.reason) for f in asked.failures
    ]
    assert "DEPLOY_FAILED and is never rolled out" in prefetched.failures[0].reason


def test_a_prefetch_carries_the_notice_about_the_latest_revision(
    base_url: str, admin: AdminClient
) -> None:
    third = new_revision(base_url, "registry.example.com/alpha:3.0.0")
    admin.set_revision_status(ALPHA_ID, third, "BUILD_FAILED")
    target = resolved(base_url, latest_revision_id=third)
    assert target.latest_status == "BUILD_FAILED"
    admin.reset_stats()
    result = provider().check(
        {}, inputs(base_url, latest_revision_id=third, prefetched_revision=target.to_props())
    )
    assert admin.stats()["total"] == 0
    assert result.inputs["notice"] == (
        f"latest revision {third} is BUILD_FAILED; serving {ALPHA_REVISION_ID}"
    )


def test_read_asks_the_control_plane_even_with_a_prefetch(
    base_url: str, admin: AdminClient
) -> None:
    p = provider()
    state = p.create(p.check({}, inputs(base_url)).inputs).outs
    second = new_revision(base_url, "registry.example.com/alpha:2.0.0")
    stale = {**state, "active_revision_id": second}
    stale["prefetched_revision"] = resolved(base_url).to_props()
    admin.reset_stats()
    refreshed = p.read(ALPHA_ID, stale)
    assert admin.stats()["total"] >= 1
    assert refreshed.outs is not None and refreshed.outs["revision_id"] == second
    assert "prefetched_revision" not in refreshed.outs
