"""The policy pack through the real engine: `pulumi preview --policy-pack policy`.

Every preview is the toolchain's CLI with the pack in its own virtualenv (policy/.venv).

- A purpose-built program (tests/policy/program) previewed as three stacks of one project:
  `compliant` keeps every rule; `violating` adds, for each rule, resources that break that
  rule and no other (and its config clashes with two other stack files of the project);
  `optout` declares the Postgres resources unprotected and opts out. The tests check which
  rule reported which resource, exactly, from the engine's own events, and that the CLI
  printed each message and failed the preview.
- The project's example stacks, run by the language host as users run them: `dev` against
  the local control plane, and `acme-prod` from a copy of its file aimed at it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

from components.controlplane import ControlPlaneClient
from devtools.engine import DEV_PASSPHRASE, REPO, Engine
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import AdminClient
from policy.dataplane_rules.catalog import RULES
from tests.integration.dataplane_project import DataplaneProject
from tests.integration.dataplane_project import engine as load_engine
from tests.policy.pack_runs import PackPreview, copy_fixture, open_stack, preview, write_stack_file

pytestmark = pytest.mark.integration

PASSPHRASE = "policy-fixture-passphrase"
ACME_PASSPHRASE = "acme-example-passphrase"  # documented in stacks/Pulumi.acme-prod.yaml
RULE_NAMES = [rule.name for rule in RULES]
STACK = "policy-fixture-violating"  # the root resource: where stack-wide violations point

# What each rule reports in the `violating` stack: the Pulumi names of the resources.
EXPECTED: dict[str, list[str]] = {
    "images-pinned": ["unpinned"],
    "images-from-registry": ["foreign-image"],
    "store-versions": ["old-postgres", "old-redis-deployment"],
    "postgres-deletion-protection": [
        "pg-unguarded-data",
        "pg-unguarded-password",
        "pg-unguarded-secret",
    ],
    "container-resources": ["no-limits"],
    "container-security": ["root"],
    "secrets-not-in-env": ["literal-secret"] * 3,
    "served-deployments-unique": ["agent-a-api"],
    "namespaces-restricted": ["elsewhere", "ns-team-b"],
    "listener-namespaces-exclusive": [STACK] * 2,
}
# A phrase of each rule's messages there, as the CLI prints it.
PHRASES: dict[str, list[str]] = {
    "images-pinned": ["image 'registry.example.com/mirror/library/busybox:latest' is not pinned"],
    "images-from-registry": [
        "image 'ghcr.io/acme/tool:1.0.0' is not under the registry prefix "
        "'registry.example.com/mirror'"
    ],
    "store-versions": ["runs Postgres 13, older than", "runs Redis 6.0, older than"],
    "postgres-deletion-protection": [
        "The Postgres data volume (PersistentVolumeClaim team-a/pg-unguarded-data",
        "The Postgres password Secret (Secret team-a/pg-unguarded",
        "The Postgres generated password (RandomPassword 'pg-unguarded-password'",
    ],
    "container-resources": ["container 'tool' has no cpu limit, no memory limit"],
    "container-security": [
        "runAsNonRoot is not true; runAsUser is 0 (root); seccompProfile.type is unset, "
        "not RuntimeDefault; capabilities.drop does not hold ALL; allowPrivilegeEscalation "
        "is not false"
    ],
    "secrets-not-in-env": [
        # The first of the two Secrets that hold it (the duplicate server has one too).
        "env 'UPSTREAM_AUTH' is a literal value that holds the value of Secret "
        "team-a/agent-a-again-env key 'OPENAI_API_KEY'",
        "env 'DB_PASSWORD' is a literal value that is named like a credential",
        "env 'CACHE_URL' is a literal value that is a URL with a password in it",
    ],
    "served-deployments-unique": [
        "Deployment team-a/agent-a-api is declared by 2 resources ('agent-a-again-api', "
        "'agent-a-api') (servers of the served deployments 'agent-a')"
    ],
    "namespaces-restricted": [
        "Namespace team-b enforces Pod Security baseline, not restricted",
        "Deployment elsewhere/elsewhere runs in namespace 'elsewhere'",
    ],
    "listener-namespaces-exclusive": [
        "stack 'twin' registers the same listener as this stack (listenerComputeId "
        "'fixture-shared'",
        "stack 'neighbour' also watches 'team-a' on the same cluster",
    ],
}


def fixture_config(root: Path, kubeconfig: str | None, compute_id: str) -> dict[str, Any]:
    """A fixture stack's config: the `dataplane:` keys the pack reads, and where to render."""
    config: dict[str, Any] = {
        "dataplane:controlPlane": {
            "url": "http://controlplane.invalid",
            "listenerComputeId": compute_id,
        },
        "dataplane:namespaces": {"names": ["team-a"]},
        "dataplane:images": {"registry": "registry.example.com/mirror"},
        "fixture:renderDir": str(root / "render"),
    }
    if kubeconfig:
        config["dataplane:kubeconfig"] = kubeconfig
    return config


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine()


@pytest.fixture(scope="module")
def fixture_previews(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> dict[str, Any]:
    """The three fixture stacks' previews, in one project whose stacks/ is the fleet."""
    root = copy_fixture(tmp_path_factory.mktemp("policy") / "fixture")
    stacks = {
        "compliant": fixture_config(root, "/clusters/own.yaml", "fixture-own"),
        "violating": {
            **fixture_config(root, "/clusters/shared.yaml", "fixture-shared"),
            "fixture:violations": list(EXPECTED),
        },
        "optout": {
            **fixture_config(root, None, "fixture-optout"),
            "dataplane:postgres": {"deletionProtection": False},
            "fixture:unguardedPostgres": True,
        },
        # Only files: the other stacks the pack compares with.
        "neighbour": fixture_config(root, "/clusters/shared.yaml", "neighbour"),
        "twin": fixture_config(root, "/clusters/twin.yaml", "fixture-shared"),
    }
    for name, config in stacks.items():
        write_stack_file(root, name, config)
    pack_config = {"listener-namespaces-exclusive": {"projectDir": str(root)}}
    return {
        name: preview(engine, open_stack(engine, root, name, PASSPHRASE), pack_config=pack_config)
        for name in ("compliant", "violating", "optout")
    }


def checked_everything(run: PackPreview) -> None:
    """Every rule ran: each resource rule on every resource, each stack rule on the stack."""
    resource_rules = {r.name for r in RULES if r.resource_check}
    urns = {
        e["resourcePreEvent"]["metadata"]["urn"]
        for e in run.events
        if "resourcePreEvent" in e
        and e["resourcePreEvent"]["metadata"]["type"].startswith(("kubernetes:", "random:"))
    }
    assert urns, "the preview registered no resources"
    for rule in resource_rules:
        assert run.resource_policies_run[rule] >= urns, f"{rule} skipped resources"
    passed, failed = run.stack_policies
    assert passed | failed == {r.name for r in RULES if r.stack_check}


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_the_rule_reports_its_violations(rule: str, fixture_previews: dict[str, Any]) -> None:
    run = fixture_previews["violating"]
    assert run.where(rule) == sorted(EXPECTED[rule]), run.output
    level = next(r.level for r in RULES if r.name == rule)
    assert {v.level for v in run.violations if v.policy == rule} == {level}
    messages = [v.message for v in run.violations if v.policy == rule]
    for phrase in PHRASES[rule]:
        assert any(phrase in m for m in messages), f"{phrase!r} not in {messages}"


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_the_rule_passes_a_compliant_stack(rule: str, fixture_previews: dict[str, Any]) -> None:
    run = fixture_previews["compliant"]
    assert run.where(rule) == [], run.output
    checked_everything(run)


def test_a_violation_fails_the_preview_with_the_rules_message(
    fixture_previews: dict[str, Any],
) -> None:
    run = fixture_previews["violating"]
    assert run.returncode != 0
    assert "error: preview failed" in run.output
    # Nothing but the expected violations, and the CLI printed each one's message.
    expected = Counter((rule, name) for rule, names in EXPECTED.items() for name in names)
    assert Counter((v.policy, v.resource) for v in run.violations) == expected
    printed = {line.strip() for line in run.output.splitlines()}
    for violation in run.violations:
        assert f"[mandatory]  {violation.policy}" in run.output
        # The event's message is the rule's description, then the message itself.
        for line in violation.message.strip().splitlines():
            assert line.strip() in printed, line
    assert fixture_previews["compliant"].returncode == 0, fixture_previews["compliant"].output


def test_the_postgres_opt_out_is_honoured(fixture_previews: dict[str, Any]) -> None:
    """Unprotected Postgres resources pass when the stack says deletionProtection: false
    (in `violating`, without the opt-out, the same resources fail)."""
    run = fixture_previews["optout"]
    assert run.returncode == 0, run.output
    assert run.violations == []
    checked = {
        urn.rsplit("::", 1)[-1] for urn in run.resource_policies_run["postgres-deletion-protection"]
    }
    assert {"pg-data", "pg-password", "pg-secret"} <= checked


def example_stack_passes(run: PackPreview) -> None:
    assert run.returncode == 0, run.output
    assert run.violations == [], run.output
    checked_everything(run)
    assert "langgraph-dataplane@v" in run.output  # the CLI's policy summary


def test_the_dev_stack_passes_the_pack(
    tmp_path: Path, base_url: str, admin: AdminClient, engine: Engine
) -> None:
    """The dev stack as `pulumi preview --stack dev --policy-pack policy` runs it (the fleet:
    the checkout's stack files)."""
    project = DataplaneProject.create(tmp_path / "project", base_url)
    run = preview(engine, open_stack(engine, project.root, "dev", DEV_PASSPHRASE))
    example_stack_passes(run)
    # The dev stack opts out of deletion protection: its Postgres resources were checked.
    checked = run.resource_policies_run["postgres-deletion-protection"]
    assert any(urn.endswith("-postgres-data") for urn in checked)


def test_the_acme_prod_stack_passes_the_pack(
    tmp_path: Path, base_url: str, admin: AdminClient, engine: Engine
) -> None:
    """acme-prod's stack file, aimed at the local control plane: its control-plane key and
    kubeconfig are local ones; every other setting is the file's."""
    project = DataplaneProject.create(tmp_path / "project", base_url)
    doc = yaml.safe_load((REPO / "stacks" / "Pulumi.acme-prod.yaml").read_text())
    config = doc["config"]
    names = config["dataplane:namespaces"]["names"]
    config["dataplane:controlPlane"] = {
        "url": base_url,
        "listenerComputeId": config["dataplane:controlPlane"]["listenerComputeId"],
    }
    del config["dataplane:kubeconfig"]  # render instead of applying
    config["dataplane:renderDir"] = str(tmp_path / "manifests")
    (project.root / "stacks" / "Pulumi.acme-prod.yaml").write_text(yaml.safe_dump(doc))
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=base_url) as client:
        listener = client.create_listener(
            config["dataplane:controlPlane"]["listenerComputeId"], names
        )
        for name, namespace in zip(config["dataplane:deployments"], names, strict=False):
            client.create_deployment(
                {
                    "name": name,
                    "source": "external_docker",
                    "source_config": {
                        "listener_id": listener.id,
                        "listener_config": {"k8s_namespace": namespace},
                        "resource_spec": {"min_scale": 1, "max_scale": 3},
                    },
                    "source_revision_config": {
                        "image_uri": "docker.io/langchain/langgraph-api:0.4.20-py3.11"
                    },
                    "secrets": [{"name": "OPENAI_API_KEY", "value": "sk-acme-fake-not-real"}],
                }
            )
    stack = open_stack(engine, project.root, "acme-prod", ACME_PASSPHRASE)
    stack.set_config("dataplane:apiKey", auto.ConfigValue(DEFAULT_API_KEY, secret=True))
    run = preview(engine, stack)
    example_stack_passes(run)
    # Production guards its databases: the rule saw the protected volumes and passed them.
    checked = run.resource_policies_run["postgres-deletion-protection"]
    assert any(urn.endswith("research-agent-postgres-data") for urn in checked), checked
