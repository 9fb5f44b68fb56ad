"""DataPlane: composition, namespaces, reconciler modes, and secure defaults everywhere."""

from __future__ import annotations

from components.config import DeploymentConfig, PostgresConfig, StoreOverride
from tests.unit.dataplane_setup import dataplane, served
from tests.unit.harness import run_program

WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")
SECRETS = {"OPENAI_API_KEY": "sk-x"}


def build(**settings: object) -> dict[str, object]:
    # beta's Postgres is external.
    dp = dataplane(
        [served("alpha", secrets=SECRETS), served("beta", "batch", secrets=SECRETS)],
        deployments={"beta": DeploymentConfig(postgres=StoreOverride(mode="external"))},
        external_postgres_uris={"beta": "postgresql://x"},
        **settings,
    )
    return {"urls": dp.server_urls, "namespace": dp.namespace, "listener": dp.listener_id}


def test_pulumi_reconciles_servers_and_stores() -> None:
    run = run_program(build)
    assert run.count("kubernetes:core/v1:Namespace") == 2
    assert run.count("langgraph:dataplane:LangGraphServer") == 2
    assert run.count("langgraph:dataplane:Postgres") == 2
    assert run.count("langgraph:dataplane:Redis") == 2
    # beta's Postgres is external: one StatefulSet only.
    assert run.count("kubernetes:apps/v1:StatefulSet") == 1
    assert run.count("kubernetes:networking.k8s.io/v1:NetworkPolicy") == 3
    # No listener workload: Pulumi is the only controller of the servers.
    assert not [r for r in run.of_type("kubernetes:apps/v1:Deployment") if "listener" in r.name]
    assert run.value == {
        "urls": {
            "alpha": "http://alpha.langgraph.svc.cluster.local:8000",
            "beta": "http://beta.batch.svc.cluster.local:8000",
        },
        "namespace": "langgraph",
        "listener": "listener-1",
    }
    beta_api = run.named("dataplane-beta-api")
    assert beta_api.get("metadata.namespace") == "batch"


def test_adopted_namespaces_are_not_created() -> None:
    run = run_program(lambda: build(create_namespaces=False))
    assert run.count("kubernetes:core/v1:Namespace") == 0


def test_listener_mode_leaves_servers_to_the_listener() -> None:
    run = run_program(lambda: build(reconciler="listener"))
    assert run.count("langgraph:dataplane:LangGraphServer") == 0
    assert run.named("dataplane-listener-deployment").get("metadata.namespace") == "langgraph"
    # The listener's own queue Redis.
    assert run.count("langgraph:dataplane:Redis") == 1
    assert run.value["urls"] == {}


def test_stores_only_admit_their_own_servers() -> None:
    run = run_program(build)
    policy = run.named("dataplane-alpha-postgres-ingress")
    allowed = policy.get("spec.ingress.0.from.0.podSelector.matchLabels")
    assert allowed == {"langgraph.ai/deployment-id": "id-alpha"}
    api_labels = run.named("dataplane-alpha-api").get("spec.template.metadata.labels")
    assert api_labels["langgraph.ai/deployment-id"] == "id-alpha"
    beta_labels = run.named("dataplane-beta-api").get("spec.template.metadata.labels")
    assert beta_labels["langgraph.ai/deployment-id"] != "id-alpha"


def test_secure_defaults_on_every_workload() -> None:
    for reconciler in ("pulumi", "listener"):
        run = run_program(lambda r=reconciler: build(reconciler=r))
        workloads = [r for t in WORKLOADS for r in run.of_type(t)]
        assert workloads
        for w in workloads:
            pod = w.get("spec.template.spec")
            psc = pod["securityContext"]
            assert psc["runAsNonRoot"] is True, w.name
            assert psc["seccompProfile"] == {"type": "RuntimeDefault"}, w.name
            is_listener = "listener-deployment" in w.name
            assert pod["automountServiceAccountToken"] is is_listener, w.name
            for c in pod["containers"]:
                sc = c["securityContext"]
                assert sc["allowPrivilegeEscalation"] is False, w.name
                assert sc["capabilities"] == {"drop": ["ALL"]}, w.name
                assert sc["readOnlyRootFilesystem"] is True, w.name
                assert set(c["resources"]) == {"requests", "limits"}, w.name


def test_guard_flag_reaches_postgres() -> None:
    run = run_program(build)
    assert run.named("dataplane-alpha-postgres-data").protect is True
    run = run_program(lambda: build(postgres=PostgresConfig(deletion_protection=False)))
    assert run.named("dataplane-alpha-postgres-data").protect is False
