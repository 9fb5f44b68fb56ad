"""What today's control plane sends beside image and sizing: secret references, the pods'
annotations and service account, scale-to-zero tiers, and values this code does not know."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.config import ServiceAccountConfig
from components.controlplane import Deployment, Revision, scales_to_zero
from components.planning.discovery import DiscoveredDeployment, Discovery
from components.planning.plan import plan_dataplane
from components.planning.referenced import Found, referenced_objects
from components.resources.langgraph_server import LangGraphServer
from components.spec.revision import (
    ReservedEnvNameError,
    RevisionSpec,
    SecretRef,
    Sizing,
    secret_reference_problems,
)
from tests.unit.dataplane_setup import served, stack_config
from tests.unit.harness import run_program

SEARCH = SecretRef("SEARCH_API_KEY", "search-credentials", "key")


def test_a_reference_becomes_a_secret_key_ref() -> None:
    assert SEARCH.env() == {
        "name": "SEARCH_API_KEY",
        "valueFrom": {"secretKeyRef": {"name": "search-credentials", "key": "key"}},
    }
    assert SecretRef.all_of([SEARCH.to_mapping()]) == [SEARCH]
    assert SecretRef.all_of(None) == []


@pytest.mark.parametrize(
    ("ref", "secret_names", "says"),
    [
        (SecretRef("REDIS_URI", "s", "k"), [], "['REDIS_URI'] are set by the data plane"),
        (SecretRef("1BAD", "s", "k"), [], "'1BAD' is not an environment variable name"),
        (SecretRef("OPENAI_API_KEY", "s", "k"), ["OPENAI_API_KEY"], "is set twice"),
        (SecretRef("K", "Search_Creds", "k"), [], "'Search_Creds' is not a Secret name"),
        (SecretRef("K", "s", "a/b"), [], "'a/b' is not a Secret key"),
    ],
)
def test_bad_references_are_named(ref: SecretRef, secret_names: list[str], says: str) -> None:
    problems = secret_reference_problems([ref], secret_names)
    assert len(problems) == 1 and says in problems[0], problems
    assert problems[0].startswith(str(ref))
    assert secret_reference_problems([SEARCH], ["OPENAI_API_KEY"]) == []


def wired(**revision: Any) -> RevisionSpec:
    return RevisionSpec(
        deployment_id="dep-1",
        deployment_name="agent-gamma",
        revision_id="rev-1",
        image="registry.example.com/gamma:1.0.0",
        secret_references=[SEARCH],
        pod_annotations={"example.com/cost-center": "staging", "example.com/team": "cp"},
        service_account_name="agent-gamma-runner",
        **revision,
    )


def server_run(rev: RevisionSpec, warnings: list[str], **settings: Any) -> Any:
    def program() -> None:
        to_serve = [served("agent-gamma")]
        to_serve[0] = type(to_serve[0])("langgraph", rev)
        plan = plan_dataplane(stack_config(**settings), to_serve, listener_id="l-1")
        args = plan.deployments[0].server
        args.database_uri = pulumi.Output.secret("postgres://u:p@db:5432/postgres")
        args.redis_uri = pulumi.Output.secret("redis://:p@redis:6379/0")
        LangGraphServer("agent-gamma", args)

    original = pulumi.log.warn
    pulumi.log.warn = lambda msg, *a, **k: warnings.append(msg)  # type: ignore[assignment]
    try:
        return run_program(program)
    finally:
        pulumi.log.warn = original  # type: ignore[assignment]


def test_references_annotations_and_account_reach_both_server_pods() -> None:
    warnings: list[str] = []
    run = server_run(wired(), warnings)
    for role in ("api", "queue"):
        pod = run.named(f"agent-gamma-{role}").get("spec.template")
        env = {e["name"]: e for e in pod["spec"]["containers"][0]["env"]}
        assert env["SEARCH_API_KEY"] == SEARCH.env()
        assert pod["metadata"]["annotations"]["example.com/cost-center"] == "staging"
        assert pod["spec"]["serviceAccountName"] == "agent-gamma-runner"
    assert warnings == []
    # Only names travel: no Secret of ours holds the referenced value.
    assert "search-credentials" not in str(run.named("agent-gamma-revision-secrets").inputs)


def test_the_stacks_own_annotations_and_account_win_and_say_so() -> None:
    warnings: list[str] = []
    run = server_run(
        wired(),
        warnings,
        workloads={"api": {"podAnnotations": {"example.com/cost-center": "platform"}}},
        servers={"serviceAccount": {"name": "shared-runner"}},
    )
    api = run.named("agent-gamma-api").get("spec.template")
    assert api["metadata"]["annotations"]["example.com/cost-center"] == "platform"
    assert api["metadata"]["annotations"]["example.com/team"] == "cp"
    assert api["spec"]["serviceAccountName"] == "shared-runner"
    assert any("example.com/cost-center win over" in w for w in warnings), warnings
    assert any("'shared-runner', not 'agent-gamma-runner'" in w for w in warnings), warnings


def test_a_reference_hidden_by_the_stacks_env_is_refused() -> None:
    hidden = {"name": "SEARCH_API_KEY", "valueFrom": {"secretKeyRef": {"name": "o", "key": "k"}}}
    with pytest.raises(Exception, match="secret_references SEARCH_API_KEY are also set"):
        server_run(wired(), [], workloads={"api": {"extraEnv": [hidden]}})
    assert issubclass(ReservedEnvNameError, ValueError)


def test_only_the_zero_tiers_scale_to_zero() -> None:
    assert scales_to_zero("dev_zero") and scales_to_zero("dev_free_zero")
    assert not scales_to_zero("prod") and not scales_to_zero(None)  # the service's default


def test_a_zero_tier_keeps_the_api_and_lets_keda_idle_the_queue() -> None:
    zero = Sizing(min_scale=0, max_scale=2)
    assert zero.zero_minimums() == ["min_scale", "queue_min_scale"]
    with_keda = zero.with_min_replicas(1, queue_to_zero=True)
    assert (with_keda.api().min_replicas, with_keda.queue().min_replicas) == (1, 0)
    without = zero.with_min_replicas(1)
    assert (without.api().min_replicas, without.queue().min_replicas) == (1, 1)

    def program(keda: bool) -> Any:
        rev = RevisionSpec("d", "agent-zero", "r", "registry.example.com/z:1", resource_spec=zero)
        to_serve = [type(served("agent-zero"))("langgraph", rev)]
        settings: dict[str, Any] = {"servers": {"queueKeda": {"enabled": keda}}}
        args = plan_dataplane(stack_config(**settings), to_serve, listener_id="l").deployments[0]
        return args.server.revision.resource_spec

    logged: list[str] = []
    original = pulumi.log.info
    pulumi.log.info = lambda msg, *a, **k: logged.append(msg)  # type: ignore[assignment]
    try:
        assert program(keda=True).queue().min_replicas == 0
        assert any("queue workers scale to zero (KEDA)" in m for m in logged), logged
        assert any("the API keeps 1 replica" in m for m in logged), logged
        logged.clear()
        assert program(keda=False).queue().min_replicas == 1
        assert any("needs dataplane:servers.queueKeda.enabled" in m for m in logged), logged
    finally:
        pulumi.log.info = original  # type: ignore[assignment]


def test_unknown_values_are_kept_as_they_came() -> None:
    dep = Deployment.model_validate(
        {
            "id": "d",
            "name": "n",
            "status": "HIBERNATING",
            "source_config": {"deployment_type": "dev_turbo", "resource_spec": {"gpu": 1}},
            "secret_references": None,
            "brand_new_field": {"x": 1},
        }
    )
    assert (dep.status, dep.deployment_type, dep.secret_references) == (
        "HIBERNATING",
        "dev_turbo",
        [],
    )
    rev = Revision.model_validate({"id": "r", "status": "PAUSED", "extra": True})
    assert rev.status == "PAUSED" and not rev.is_final and not rev.is_failed


def discovered(**fields: Any) -> DiscoveredDeployment:
    values: dict[str, Any] = {
        "id": "g",
        "name": "agent-gamma",
        "namespace": "langgraph",
        "active_revision_id": "r",
        "latest_revision_id": "r",
        "secret_references": [SEARCH.to_mapping()],
        "resource_spec": {"service_account_name": "agent-gamma-runner"},
    }
    return DiscoveredDeployment(**{**values, **fields})


def test_what_must_exist_before_a_rollout() -> None:
    found = referenced_objects(stack_config(), Discovery("l", [discovered()]))
    assert [(r.kind, r.namespace, r.name, r.key) for r in found] == [
        ("Secret", "langgraph", "search-credentials", "key"),
        ("ServiceAccount", "langgraph", "agent-gamma-runner", None),
    ]
    missing = found[0].problem(Found.MISSING)
    assert "Secret 'search-credentials' does not exist in namespace 'langgraph'" in missing
    assert (
        "Fix: create it (kubectl -n langgraph create secret generic search-credentials" in missing
    )
    assert "has no key 'key'" in found[0].problem(Found.NO_KEY)
    assert "serviceaccount agent-gamma-runner" in found[1].problem(Found.MISSING)
    assert "could not be checked (no cluster" in found[0].unchecked()

    # An account the stack names, or creates, is not the control plane's to require.
    for account in (
        ServiceAccountConfig(name="mine"),
        ServiceAccountConfig(annotations={"a": "b"}),
    ):
        config = stack_config(servers={"serviceAccount": account})
        kinds = [r.kind for r in referenced_objects(config, Discovery("l", [discovered()]))]
        assert kinds == ["Secret"]
    # The listener rolls out nothing of Pulumi's.
    listener = stack_config(reconciler="listener")
    assert referenced_objects(listener, Discovery("l", [discovered()])) == []


def test_static_references_are_required_too() -> None:
    config = stack_config(
        deployments={
            "solo": {
                "static": {
                    "image": "registry.example.com/solo:1.0.0",
                    "secretReferences": [
                        {"name": "K", "secretName": "solo-creds", "secretKey": "token"}
                    ],
                }
            }
        }
    )
    found = referenced_objects(config, Discovery(None, []))
    assert [(r.name, r.key, r.origin) for r in found] == [
        ("solo-creds", "token", "dataplane:deployments.solo.static.secretReferences (K)")
    ]
