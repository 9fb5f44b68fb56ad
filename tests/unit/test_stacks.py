"""Every stack file in stacks/ parses, builds, and keeps its secrets secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config import NAMESPACE, StackConfig, parse_stack_config
from components.planning.discovery import DiscoveredDeployment, Discovery
from components.program import build_stack
from tests.unit.harness import DYNAMIC, MOCK_IMAGE, MOCK_PASSWORD, Run, run_program

STACKS = sorted((Path(__file__).parents[2] / "stacks").glob("Pulumi.*.yaml"))
DISCOVERED_SECRET = "sk-discovered-secret-value"


def load(path: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """The stack's config as Pulumi hands it over, with each secure value made up."""
    doc = yaml.safe_load(path.read_text())
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    fakes: list[str] = []

    def plain(value: Any, key: str) -> Any:
        if isinstance(value, dict) and set(value) == {"secure"}:
            fake = f"fake-secret-{len(fakes)}-{key.split(':')[-1]}"
            if "Postgres" in key:
                fake = f"postgresql://app:{fake}@db.internal:5432/app"
            fakes.append(fake)
            if key not in secret_keys:
                secret_keys.append(key)
            return fake
        if isinstance(value, dict):
            return {k: plain(v, key) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v, key) for v in value]
        return value

    for key, value in doc["config"].items():
        value = plain(value, key)
        config[key] = value if isinstance(value, str) else json.dumps(value)
    return config, secret_keys, fakes


def discovery_for(config: StackConfig) -> Discovery:
    """What a control plane would answer: the deployments the file names, and one more
    (nothing for a standalone stack, which asks none)."""
    if config.standalone:
        return Discovery(None, [])
    names = [n for n, e in config.deployments.items() if e.static is None] + ["extra-agent"]
    home = config.namespaces.names[0]
    return Discovery(
        listener_id="listener-1",
        deployments=[
            DiscoveredDeployment(
                id=f"id-{name}",
                name=name,
                namespace=home,
                active_revision_id=f"rev-{name}",
                latest_revision_id=f"rev-{name}",
                resource_spec={"min_scale": 1, "max_scale": 3},
                secrets={"OPENAI_API_KEY": DISCOVERED_SECRET},
            )
            for name in names
        ],
    )


def parsed(raw: dict[str, str], secret_keys: list[str]) -> StackConfig:
    """The typed config of `load`'s output, as the program parses it."""
    prefix = f"{NAMESPACE}:"
    return parse_stack_config(
        {k[len(prefix) :]: v for k, v in raw.items()},
        [k[len(prefix) :] for k in secret_keys],
    )


def run_stack(path: Path) -> tuple[StackConfig, Run, list[str]]:
    raw, secret_keys, fakes = load(path)
    config = parsed(raw, secret_keys)
    discovery = discovery_for(config)

    def program() -> Any:
        stack = build_stack(config, discovery)
        return {"urls": stack.dataplane.server_urls, "public": stack.server_public_urls}

    return config, run_program(program, config=raw, secret_keys=secret_keys), fakes


def test_there_are_example_stacks() -> None:
    assert {p.name for p in STACKS} >= {"Pulumi.dev.yaml", "Pulumi.acme-prod.yaml"}


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_stack_builds(path: Path) -> None:
    config, run, _ = run_stack(path)
    discovered = [d.name for d in discovery_for(config).deployments]
    static = {n: e.static.image for n, e in config.deployments.items() if e.static}
    served = [*discovered, *static]
    assert run.count("langgraph:dataplane:DataPlane") == 1
    assert run.count("langgraph:dataplane:LangGraphServer") == len(served)
    assert len([r for r in run.of_type(DYNAMIC) if "deployment_id" in r.inputs]) == len(discovered)
    registrations = [r for r in run.of_type(DYNAMIC) if "compute_id" in r.inputs]
    assert len(registrations) == (0 if config.standalone else 1)
    expected_ns = len(config.namespaces.names) if config.namespaces.create else 0
    assert run.count("kubernetes:core/v1:Namespace") == expected_ns
    in_cluster = [n for n in served if config.postgres_mode(n) != "external"]
    in_cluster += [n for n in served if config.mongo_mode(n) == "in-cluster"]
    assert run.count("kubernetes:apps/v1:StatefulSet") == len(in_cluster)
    for name in served:
        for role in ("api", "queue"):
            image = run.named(f"dataplane-{name}-{role}").get(
                "spec.template.spec.containers.0.image"
            )
            assert image == static.get(name, MOCK_IMAGE), name
    assert sorted(run.value["urls"]) == sorted(served)


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_no_secret_is_a_literal(path: Path) -> None:
    _, run, fakes = run_stack(path)
    assert fakes, "every stack has secrets"
    values = [*fakes, DISCOVERED_SECRET, MOCK_PASSWORD]
    for r in run.resources:
        text = str(r.inputs)
        leaked = [v for v in values if v in text]
        if not leaked:
            continue
        # A value may only travel inside secret inputs.
        for path_ in r.secret_paths:
            r.inputs.pop(path_.split(".")[0], None)
        assert not [v for v in values if v in str(r.inputs)], f"{r.name} leaks {leaked}"


def test_production_example_is_highly_available() -> None:
    path = next(p for p in STACKS if p.name == "Pulumi.acme-prod.yaml")
    config, run, _ = run_stack(path)
    assert config.servers.min_replicas >= 2
    for hpa in run.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"):
        assert hpa.get("spec.minReplicas") >= 2, hpa.name
    research = run.named("dataplane-research-agent-api").get("spec.template.spec.containers.0")
    assert research["resources"]["requests"] == {"cpu": "4000m", "memory": "8192Mi"}
    assert (
        run.named("dataplane-research-agent-postgres-data").get("spec.resources.requests.storage")
        == "200Gi"
    )
    assert run.count("kubernetes:core/v1:Namespace") == 0
    secrets = run.named("dataplane-support-agent-api").get("spec.template.spec.imagePullSecrets")
    assert secrets == [{"name": "acme-registry"}]


def test_production_example_is_exposed_spread_prioritised_and_identified() -> None:
    path = next(p for p in STACKS if p.name == "Pulumi.acme-prod.yaml")
    config, run, _ = run_stack(path)
    served = [d.name for d in discovery_for(config).deployments]

    # Exposure: one Ingress per namespace with servers, TLS from cert-manager.
    (ingress,) = run.of_type("kubernetes:networking.k8s.io/v1:Ingress")
    assert ingress.get("metadata.namespace") == "acme-agents"
    assert ingress.get("spec.ingressClassName") == "nginx"
    assert ingress.get("spec.tls") == [
        {"hosts": ["agents.acme.com"], "secretName": "agents-acme-com-tls"}
    ]
    assert ingress.get("metadata.annotations")["cert-manager.io/cluster-issuer"] == (
        "letsencrypt-prod"
    )
    paths = [p["path"] for p in ingress.get("spec.rules.0.http.paths")]
    assert sorted(paths) == sorted(f"/langgraph/{n}" for n in served)
    assert run.value["public"] == {n: f"https://agents.acme.com/langgraph/{n}" for n in served}

    for name in served:
        api = run.named(f"dataplane-{name}-api").get("spec.template.spec")
        # Spreading: at least two replicas, over zones (best effort) and nodes.
        keys = {c["topologyKey"]: c["whenUnsatisfiable"] for c in api["topologySpreadConstraints"]}
        assert keys == {
            "topology.kubernetes.io/zone": "ScheduleAnyway",
            "kubernetes.io/hostname": "DoNotSchedule",
        }
        assert api["priorityClassName"] == "acme-agents-critical"
        # Workload identity: a ServiceAccount per deployment with its IAM role.
        assert api["serviceAccountName"] == name
        account = run.named(f"dataplane-{name}-serviceaccount")
        role = account.get("metadata.annotations")["eks.amazonaws.com/role-arn"]
        expected = "acme-research-agent" if name == "research-agent" else "acme-langgraph-servers"
        assert role == f"arn:aws:iam::123456789012:role/{expected}"
        queue = run.named(f"dataplane-{name}-queue").get("spec.template.spec")
        assert queue["priorityClassName"] == "acme-agents-critical"
        assert [c["topologyKey"] for c in queue["topologySpreadConstraints"]] == [
            "topology.kubernetes.io/zone"
        ]
    for kind in ("apps/v1:StatefulSet", "apps/v1:Deployment"):
        for w in run.of_type(f"kubernetes:{kind}"):
            assert w.get("spec.template.spec.priorityClassName") == "acme-agents-critical"
            assert w.get("metadata.labels")["acme.com/cost-center"] == "ml-platform"


def test_dev_example_stays_in_cluster() -> None:
    path = next(p for p in STACKS if p.name == "Pulumi.dev.yaml")
    _, run, _ = run_stack(path)
    assert run.value["public"] == {}
    assert run.count("kubernetes:core/v1:ServiceAccount") == 0


def test_revisions_output_is_the_image_that_runs() -> None:
    mirror = "registry.acme.internal/mirror"
    raw, secret_keys, _ = load(next(p for p in STACKS if p.name == "Pulumi.dev.yaml"))
    raw[f"{NAMESPACE}:images"] = json.dumps({"registry": mirror})
    config = parsed(raw, secret_keys)
    discovery = discovery_for(config)

    def program() -> Any:
        return build_stack(config, discovery).revisions

    run = run_program(program, config=raw, secret_keys=secret_keys)
    image = run.named("dataplane-extra-agent-api").get("spec.template.spec.containers.0.image")
    assert image == f"{mirror}/agents/mock:1.0.0"  # MOCK_IMAGE, moved to the mirror
    assert run.value == {"extra-agent": {"revision": "rev-extra-agent", "image": image}}
