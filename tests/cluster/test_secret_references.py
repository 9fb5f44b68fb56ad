"""A revision that references a Secret the namespace lacks is caught before it rolls out, and
rolls out once the Secret is there: the live cluster, the real CLI, the local control plane."""

from __future__ import annotations

import pytest
from kubernetes import client
from pulumi import automation as auto

from components.controlplane import ControlPlaneClient
from components.core.names import LABEL_REVISION_ID
from local_controlplane.seed import ALPHA_ID, DEFAULT_API_KEY
from tests.cluster.live import LiveStack

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

REF = {"name": "SEARCH_API_KEY", "secret_name": "search-credentials", "secret_key": "key"}
API = "agent-alpha-api"


def serving(live: LiveStack) -> tuple[str, list[str]]:
    """The revision the API Deployment's pods are at, and the env names of its container."""
    template = live.deployment(API).spec.template
    env = [e.name for e in template.spec.containers[0].env or []]
    return template.metadata.labels[LABEL_REVISION_ID], env


def refused_up(live: LiveStack, *expected: str) -> None:
    with pytest.raises(auto.CommandError) as failed:
        live.stack().up(on_output=live.record, color="never")
    text = str(failed.value)
    for part in expected:
        assert part in text, text[-3000:]
    assert "Traceback" not in text, text[-3000:]


def test_a_missing_secret_is_reported_before_rollout(live: LiveStack, controlplane: str) -> None:
    live.up()
    before, env = serving(live)
    assert "SEARCH_API_KEY" not in env
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as cp:
        revision = cp.patch_deployment(ALPHA_ID, {"secret_references": [REF]}).latest_revision_id
        assert revision and revision != before

    # No such Secret: the up stops before any change, and the servers keep the old revision.
    refused_up(
        live,
        "Secret 'search-credentials' does not exist in namespace",
        "were not rolled out",
        f"kubectl -n {live.namespace} create secret generic search-credentials --from-literal=key=",
    )
    assert serving(live) == (before, env)

    # The Secret without the key the reference names: the same, saying so.
    secret = client.V1Secret(
        metadata=client.V1ObjectMeta(name="search-credentials"), string_data={"other": "x"}
    )
    live.core.create_namespaced_secret(live.namespace, secret)
    refused_up(live, "Secret 'search-credentials' in namespace", "has no key 'key'")
    assert serving(live) == (before, env)

    # With the key, the next up rolls the new revision out, and its pods read the key.
    value = "search-value-never-in-state"
    live.core.patch_namespaced_secret(
        "search-credentials", live.namespace, {"stringData": {"key": value}}
    )
    live.up()
    after, env = serving(live)
    assert after == revision and "SEARCH_API_KEY" in env
    pods = live.pods_of(live.deployment(API))
    assert pods
    for pod in pods:
        if pod.metadata.labels.get(LABEL_REVISION_ID) != revision:
            continue  # an old pod still draining
        (ref,) = [e for e in pod.spec.containers[0].env if e.name == "SEARCH_API_KEY"]
        assert ref.value_from.secret_key_ref.name == "search-credentials"
        assert ref.value_from.secret_key_ref.key == "key"
    assert any(p.metadata.labels.get(LABEL_REVISION_ID) == revision for p in pods)
    assert value not in str(live.state())  # only the reference travels
