"""Today's control-plane fields through discovery and the RevisionSync's check, over real HTTP
against the local control plane, down to the server pods the plan makes of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.config import StackConfig, parse_stack_config
from components.controlplane import ControlPlaneClient
from components.planning.discovery import Discovery, discover
from components.planning.plan import endpoint_of, plan_dataplane, served_deployments
from components.providers.revision_sync import RevisionSyncProvider
from components.resources.langgraph_server import LangGraphServer
from devtools.recording import run_program
from local_controlplane import seed
from local_controlplane.testing import AdminClient
from tests.providers.provider_support import sync_props

REF = {"name": "SEARCH_API_KEY", "secret_name": "search-credentials", "secret_key": "key"}


def staging(base_url: str) -> StackConfig:
    return parse_stack_config(
        {
            "controlPlane": {
                "url": base_url,
                "listenerComputeId": seed.STAGING_LISTENER_COMPUTE_ID,
            },
            "apiKey": seed.DEFAULT_API_KEY,
            "licenseKey": "lic",
            "namespaces": {"names": [seed.STAGING_NAMESPACE]},
        },
        ["apiKey", "licenseKey"],
    )


def discovered(base_url: str) -> tuple[StackConfig, Discovery]:
    config = staging(base_url)
    with ControlPlaneClient(seed.DEFAULT_API_KEY, base_url=base_url) as client:
        return config, discover(client, config)


def checked(base_url: str, **overrides: Any) -> tuple[dict[str, Any], list[Any]]:
    config, found = discovered(base_url)
    props = {**sync_props(endpoint_of(config), found.deployments[0]), **overrides}
    provider = RevisionSyncProvider()
    result = provider.check({}, props)
    return result.inputs, list(result.failures)


@dataclass
class Synced:
    """A RevisionSync's outputs, as the check gave them."""

    revision_id: str
    image: str
    resource_spec: dict[str, Any]
    secrets: dict[str, str]
    secrets_digest: str


def test_references_annotations_and_account_reach_the_pods(base_url: str) -> None:
    config, found = discovered(base_url)
    (gamma,) = found.deployments
    assert gamma.secret_references == [REF]
    assert gamma.deployment_type == "dev"
    out, failures = checked(base_url)
    assert failures == []
    assert out["secret_references"] == [REF]  # tracked in state: a change rolls the pods

    def program() -> None:
        sync = Synced(
            out["revision_id"],
            out["image"],
            out["resource_spec"],
            out["secrets"],
            out["secrets_digest"],
        )
        (to_serve,) = served_deployments(config, found, {"agent-gamma": sync})
        plan = plan_dataplane(config, [to_serve], listener_id="l-1")
        args = plan.deployments[0].server
        args.database_uri = pulumi.Output.secret("postgres://u:p@db:5432/postgres")
        args.redis_uri = pulumi.Output.secret("redis://:p@redis:6379/0")
        LangGraphServer("agent-gamma", args)

    run = run_program(program)
    for role in ("api", "queue"):
        pod = run.named(f"agent-gamma-{role}").get("spec.template")
        env = {e["name"]: e for e in pod["spec"]["containers"][0]["env"]}
        assert env["SEARCH_API_KEY"]["valueFrom"] == {
            "secretKeyRef": {"name": "search-credentials", "key": "key"}
        }
        assert pod["metadata"]["annotations"]["example.com/cost-center"] == "staging"
        assert pod["spec"]["serviceAccountName"] == "agent-gamma-runner"


def test_a_reference_to_a_platform_name_is_refused(base_url: str) -> None:
    reserved = {**REF, "name": "LANGSMITH_API_KEY"}
    _, failures = checked(base_url, secret_references=[reserved])
    assert [f.property for f in failures] == ["secret_references"]
    assert "['LANGSMITH_API_KEY'] are set by the data plane (or reserved by the platform)" in (
        failures[0].reason
    )
    assert "Correct them in the control plane" in failures[0].reason


def test_zero_replicas_only_on_a_scale_to_zero_tier(base_url: str) -> None:
    zero = {"min_scale": 0, "max_scale": 2}
    _, failures = checked(base_url, resource_spec=zero)  # gamma is `dev`
    assert [f.property for f in failures] == ["resource_spec"]
    assert "only dev_zero and dev_free_zero deployments scale to zero (this one is dev)" in (
        failures[0].reason
    )
    out, failures = checked(base_url, resource_spec=zero, deployment_type="dev_zero")
    assert failures == [] and out["resource_spec"] == zero


def test_unknown_statuses_and_fields_are_shown_as_they_came(
    base_url: str, admin: AdminClient
) -> None:
    admin.set_revision_status(seed.GAMMA_ID, seed.GAMMA_REVISION_ID, "HIBERNATING")
    admin.patch_raw_deployment(seed.GAMMA_ID, status="NAPPING", brand_new_field={"x": 1})
    out, failures = checked(base_url)
    assert failures == []
    assert out["status"] == "HIBERNATING"


def test_state_from_before_the_references_is_no_change(base_url: str) -> None:
    out, _ = checked(base_url, secret_references=[])
    older = {k: v for k, v in out.items() if k not in ("secret_references", "deployment_type")}
    diff = RevisionSyncProvider().diff("id", older, out)
    assert not diff.changes
    assert RevisionSyncProvider().diff("id", older, {**out, "secret_references": [REF]}).changes
