"""The package's own control-plane resources: `served.py` answers the engine's calls with the
dynamic providers' logic, over real HTTP to the local control plane; and `DataPlaneComponent`
declares them (under mocks) where the program declares dynamic resources."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue

from components.config import parse_stack_config
from components.controlplane import ControlPlaneClient
from components.core.names import (
    DYNAMIC_TYPE,
    PACKAGE_COMPONENT_TOKEN,
    PACKAGE_LISTENER_REGISTRATION_TOKEN,
    PACKAGE_REVISION_SYNC_TOKEN,
)
from components.core.names import RevisionSyncProps as P
from components.package.component import DataPlaneComponent
from components.package.served import ServedResources
from components.package.values import plain_map, property_map
from components.planning.discovery import discover
from components.planning.plan import endpoint_of
from components.providers import connection
from devtools.mocks import MOCK_LISTENER_ID
from devtools.recording import run_program
from local_controlplane import seed
from tests.providers.provider_support import sync_props

T = TypeVar("T")
URN = f"urn:pulumi:test::p::{PACKAGE_COMPONENT_TOKEN}${PACKAGE_REVISION_SYNC_TOKEN}::revision-a"


def _run(call: Coroutine[Any, Any, T]) -> T:
    """Await `call` on a loop of its own, leaving a current loop for the mocked programs."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(call)
    finally:
        loop.close()
        asyncio.set_event_loop(asyncio.new_event_loop())


def _synced_config(base_url: str) -> Any:
    return parse_stack_config(
        {
            "controlPlane": {"url": base_url, "listenerComputeId": "dev-cluster"},
            "apiKey": seed.DEFAULT_API_KEY,
            "licenseKey": "lic",
            "namespaces": {"names": ["langgraph"]},
        },
        ["apiKey", "licenseKey"],
    )


def _inputs(base_url: str) -> dict[str, PropertyValue]:
    """A served deployment's RevisionSync inputs as the engine sends them: secrets secret, and
    nothing prefetched, so that the check asks the control plane."""
    config = _synced_config(base_url)
    with ControlPlaneClient(seed.DEFAULT_API_KEY, base_url=base_url) as client:
        found = discover(client, config)
    alpha = next(d for d in found.deployments if d.name == "agent-alpha")
    props = {**sync_props(endpoint_of(config), alpha), P.PREFETCHED: None}
    return property_map(props, [P.SECRETS])


def test_check_asks_the_control_plane_and_keeps_the_secrets_secret(base_url: str) -> None:
    connection.remember_api_key({connection.API_KEY_CONFIG: seed.DEFAULT_API_KEY})
    served = ServedResources()
    checked = _run(served.check(rpc.CheckRequest(URN, {}, _inputs(base_url), b"")))
    assert not checked.failures
    assert checked.inputs is not None
    outs = plain_map(checked.inputs)
    assert outs[P.IMAGE] and outs[P.REVISION_ID] == outs[P.ACTIVE_REVISION_ID]
    assert checked.inputs[P.SECRETS].is_secret
    assert not checked.inputs[P.IMAGE].is_secret


def test_diff_names_what_changed_and_create_records_it(base_url: str) -> None:
    connection.remember_api_key({connection.API_KEY_CONFIG: seed.DEFAULT_API_KEY})
    served = ServedResources()
    checked = _run(served.check(rpc.CheckRequest(URN, {}, _inputs(base_url), b"")))
    assert checked.inputs is not None
    olds = checked.inputs
    news = {**olds, P.IMAGE: PropertyValue("registry.example.com/new:2")}
    diff = _run(served.diff(rpc.DiffRequest(URN, "id", olds, news, [])))
    assert diff.changes is True and diff.diffs == [P.IMAGE]
    assert diff.detailed_diff[P.IMAGE].kind == rpc.PropertyDiffKind.UPDATE
    same = _run(served.diff(rpc.DiffRequest(URN, "id", olds, olds, [])))
    assert same.changes is False and same.diffs == []

    created = _run(served.create(rpc.CreateRequest(URN, olds, 60.0, False)))
    assert created.resource_id == plain_map(olds)[P.DEPLOYMENT_ID]
    assert created.properties[P.SECRETS].is_secret


def test_a_refused_revision_is_a_check_failure_with_the_fix(base_url: str) -> None:
    connection.remember_api_key({connection.API_KEY_CONFIG: seed.DEFAULT_API_KEY})
    inputs = _inputs(base_url)
    inputs[P.SECRETS] = property_map({"s": {"DATABASE_URI": "x"}}, ["s"])["s"]
    checked = _run(ServedResources().check(rpc.CheckRequest(URN, {}, inputs, b"")))
    assert checked.failures and checked.failures[0].property == P.SECRETS
    assert "Rename them in the control plane" in checked.failures[0].reason


def test_the_component_declares_the_served_resources_not_dynamic_ones(base_url: str) -> None:
    config = _synced_config(base_url)
    run = run_program(lambda: DataPlaneComponent("synced", config).outputs())
    types = [r.typ for r in run.resources]
    assert types.count(PACKAGE_COMPONENT_TOKEN) == 1
    assert types.count(PACKAGE_LISTENER_REGISTRATION_TOKEN) == 1
    syncs = run.of_type(PACKAGE_REVISION_SYNC_TOKEN)
    assert {s.inputs[P.DEPLOYMENT_NAME] for s in syncs} == set(run.value["revisions"])
    assert DYNAMIC_TYPE not in types
    # Everything hangs below the component; its direct children are the program's top level.
    (component,) = run.of_type(PACKAGE_COMPONENT_TOKEN)
    component_urn = f"${PACKAGE_COMPONENT_TOKEN}::synced"
    inside = [r for r in run.resources if r.typ not in ("pulumi:pulumi:Stack", component.typ)]
    assert inside and all(r.parent for r in inside)
    direct = {r.name for r in run.resources if r.parent.endswith(component_urn)}
    assert {"dataplane", "kubernetes", "listener-registration"} | {s.name for s in syncs} <= direct
    assert run.value["namespace"] == "langgraph"
    assert run.value["listenerId"] == MOCK_LISTENER_ID
