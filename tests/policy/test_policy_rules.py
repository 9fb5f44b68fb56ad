"""The pack's rules as plain functions: the cases the engine tests do not reach, the rules'
reading of the real stack files, and the places where the pack and the product must agree.
The engine tests (test_policy_pack.py) are the proof that the pack works in a preview."""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.fields import CONTROL_PLANE_URL_ENV
from components.config.schema import (
    ControlPlaneConfig,
    NamespacesConfig,
    PostgresConfig,
    RedisConfig,
    StackConfig,
)
from components.controlplane import REGION_BASE_URLS
from components.controlplane.derive import CLOUD_API_REGIONS as PROGRAM_CLOUD_API_REGIONS
from components.core.names import POSTGRES_TYPE, REDIS_TYPE, SERVER_TYPE
from components.spec.args import POSTGRES_IMAGE, REDIS_IMAGE
from devtools.engine import REPO, pins
from devtools.registrations import GOLDEN, stack_config, stack_files, stack_name
from policy.dataplane_rules.catalog import RULES
from policy.dataplane_rules.containers import container_resources, container_security
from policy.dataplane_rules.images import images_from_registry, images_pinned, store_versions
from policy.dataplane_rules.model import UNKNOWN, Resource, parse_urn
from policy.dataplane_rules.protection import postgres_deletion_protection
from policy.dataplane_rules.secrets import secrets_not_in_env
from policy.dataplane_rules.settings import (
    CLOUD_API_REGIONS,
    DEFAULT_NAMESPACES,
    StackSettings,
    other_stacks,
)
from policy.dataplane_rules.stack_rules import (
    listener_namespaces_exclusive,
    namespaces_restricted,
    served_deployments_unique,
)

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NO_SETTINGS = StackSettings("langgraph-dataplane", "test", {})


def urn(type_: str, name: str, parent: str | None = None) -> str:
    chain = f"{parent}${type_}" if parent else type_
    return f"urn:pulumi:test::langgraph-dataplane::{chain}::{name}"


def good_container(image: str = "docker.io/library/busybox:1.37.0", **fields: Any) -> dict:
    return {
        "name": "main",
        "image": image,
        "resources": {
            "requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "200m", "memory": "64Mi"},
        },
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        **fields,
    }


def workload(
    *containers: dict,
    name: str = "w",
    namespace: Any = "ns",
    parent: str | None = None,
    pod_security: dict | None = None,
    type_: str = DEPLOYMENT,
) -> Resource:
    security = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    pod = {"securityContext": security if pod_security is None else pod_security}
    props = {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"template": {"spec": {**pod, "containers": list(containers)}}},
    }
    return Resource(urn(type_, name, parent), type_, name, props)


def settings(**values: Any) -> StackSettings:
    return StackSettings(
        "langgraph-dataplane", "test", {f"dataplane:{k}": v for k, v in values.items()}
    )


# --- The pack and the product agree ---


def test_the_default_namespaces_are_the_programs() -> None:
    assert list(DEFAULT_NAMESPACES) == NamespacesConfig().names


def test_the_packs_cloud_api_hosts_are_the_programs() -> None:
    assert CLOUD_API_REGIONS == PROGRAM_CLOUD_API_REGIONS


def test_the_pack_and_the_program_share_one_copy_of_each_constant() -> None:
    """Defaults, store floors and the Pod Security label: the pack reads the program's own
    objects (components/core/defaults.py, images.py, names.py), never a copy."""
    from components.controlplane import client
    from components.core import defaults, names
    from components.core import images as program_images
    from policy.dataplane_rules import images as pack_images
    from policy.dataplane_rules import settings as pack_settings
    from policy.dataplane_rules import stack_rules

    same = [
        (pack_settings.DEFAULT_NAMESPACES, defaults.DEFAULT_NAMESPACES),
        (pack_settings.DEFAULT_REGION, defaults.DEFAULT_REGION),
        (client.DEFAULT_REGION, defaults.DEFAULT_REGION),
        (pack_settings.CLOUD_API_REGIONS, defaults.CLOUD_API_REGIONS),
        (PROGRAM_CLOUD_API_REGIONS, defaults.CLOUD_API_REGIONS),
        (pack_images.POSTGRES_MINIMUM, program_images.POSTGRES_MINIMUM),
        (pack_images.REDIS_MINIMUM, program_images.REDIS_MINIMUM),
        (pack_images.store_version, program_images.store_version),
        (pack_images.POSTGRES_IMAGE, defaults.POSTGRES_IMAGE),
        (pack_images.REDIS_IMAGE, defaults.REDIS_IMAGE),
        (POSTGRES_IMAGE, defaults.POSTGRES_IMAGE),
        (REDIS_IMAGE, defaults.REDIS_IMAGE),
        (stack_rules.POD_SECURITY_LABEL, names.POD_SECURITY_LABEL),
        (stack_rules.POD_SECURITY_LEVEL, names.POD_SECURITY_LEVEL),
    ]
    assert [pack is program for pack, program in same] == [True] * len(same)
    # The program's models default to the same values.
    assert NamespacesConfig().names == list(defaults.DEFAULT_NAMESPACES)
    assert PostgresConfig().image == defaults.POSTGRES_IMAGE
    assert RedisConfig().image == defaults.REDIS_IMAGE
    assert PostgresConfig().mode == RedisConfig().mode == defaults.STORE_MODE
    assert StackConfig.model_fields["render_dir"].default == defaults.DEFAULT_RENDER_DIR
    assert StackConfig.model_fields["mongo"].default.mode == defaults.MONGO_MODE
    assert ControlPlaneConfig(listenerComputeId="c").base_url == REGION_BASE_URLS["us"]


def test_the_packs_store_messages_quote_the_default_images() -> None:
    old = {"redis": "docker.io/library/redis:6.0.16", "postgres": "docker.io/library/postgres:13"}
    for kind, default in (("redis", REDIS_IMAGE), ("postgres", POSTGRES_IMAGE)):
        [message] = store_versions(workload(good_container(old[kind])), NO_SETTINGS)
        assert f"the default is {default!r}" in message


@pytest.mark.parametrize(
    ("control_plane", "env", "endpoint"),
    [
        ({"url": "https://cp.example.com/api-host/", "region": "eu"}, "https://e", "https://cp.example.com/api-host"),
        ({"region": "eu", "langsmithUrl": "https://ls.example.com"}, "https://e", "region eu"),
        ({"langsmithUrl": "https://ls.example.com"}, "https://e.example.com/api-host/", "https://e.example.com/api-host"),
        ({"langsmithUrl": "https://ls.example.com/api/v1/"}, None, "https://ls.example.com/api-host"),
        ({"langsmithUrl": "https://api.smith.langchain.com"}, None, "region us"),
        ({"langsmithUrl": "https://eu.api.smith.langchain.com/"}, None, "region eu"),
        ({}, None, "region us"),
    ],
)  # fmt: skip
def test_the_listeners_endpoint_follows_the_programs_order(
    control_plane: dict[str, str], env: str | None, endpoint: str
) -> None:
    config = {"dataplane:controlPlane": json.dumps({"listenerComputeId": "c", **control_plane})}
    settings = StackSettings.from_engine("p", "s", config, None, env)
    assert settings.listener == (endpoint, None, "c")
    # The program's control plane is the same one.
    cp = ControlPlaneConfig.model_validate(
        {"listenerComputeId": "c", **control_plane},
        context={CONTROL_PLANE_URL_ENV: env and env.rstrip("/")},
    )
    region = endpoint.removeprefix("region ")
    assert cp.base_url == (REGION_BASE_URLS[region] if region != endpoint else endpoint)


def test_the_packs_pulumi_is_the_engines() -> None:
    lines = (REPO / "policy" / "requirements.txt").read_text().splitlines()
    assert f"pulumi=={pins()['PULUMI_VERSION']}" in lines
    assert any(line.startswith("pulumi-policy==") for line in lines)


def test_the_docs_list_every_rule_with_its_level() -> None:
    doc = (REPO / "docs" / "policy-pack.md").read_text()
    for rule in RULES:
        row = re.search(rf"^\| `{re.escape(rule.name)}` \|.*$", doc, re.MULTILINE)
        assert row, f"docs/policy-pack.md has no row for {rule.name}"
        assert f"| {rule.level} |" in row[0], row[0]


def test_the_product_defaults_pass() -> None:
    for image in (POSTGRES_IMAGE, REDIS_IMAGE):
        kind = POSTGRES_TYPE if "pgvector" in image else REDIS_TYPE
        resource = workload(good_container(image), parent=kind)
        assert store_versions(resource, NO_SETTINGS) == []
        assert images_pinned(resource, NO_SETTINGS) == []


# --- Images ---


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("docker.io/library/redis:7.4.2", True),
        ("ghcr.io/acme/agent@sha256:" + "a" * 64, True),
        ("redis", False),
        ("redis:latest", False),
        ("localhost:5000/agent", False),
    ],
)
def test_images_pinned(image: str, pinned: bool) -> None:
    messages = images_pinned(workload(good_container(image)), NO_SETTINGS)
    assert (messages == []) is pinned, messages


def test_images_unknown_in_a_preview_are_left_to_up() -> None:
    resource = workload(good_container(UNKNOWN))
    assert images_pinned(resource, NO_SETTINGS) == []
    assert images_from_registry(resource, settings(images={"registry": "r.example.com"})) == []


def test_images_from_registry_only_when_one_is_set() -> None:
    resource = workload(
        good_container("r.example.com/library/redis:7.4.2"),
        {**good_container("docker.io/library/busybox:1.37.0"), "name": "sidecar"},
    )
    assert images_from_registry(resource, NO_SETTINGS) == []
    messages = images_from_registry(resource, settings(images={"registry": "r.example.com"}))
    assert len(messages) == 1 and "container 'sidecar'" in messages[0]
    # A prefix is a path prefix, not a string prefix.
    near = workload(good_container("r.example.com.evil.io/x:1"))
    assert images_from_registry(near, settings(images={"registry": "r.example.com"}))


@pytest.mark.parametrize(
    ("image", "parent", "problem"),
    [
        ("docker.io/library/redis:7.4.2", None, None),
        ("docker.io/library/redis:6.2-alpine", None, None),
        ("docker.io/library/redis:7", None, None),
        ("docker.io/library/redis:6", None, "runs Redis 6 (any minor)"),
        ("docker.io/library/redis:6.0.16", None, "runs Redis 6.0"),
        ("docker.io/library/redis@sha256:" + "b" * 64, None, "does not say its Redis version"),
        ("acme.io/cache:5.0.1", REDIS_TYPE, "runs Redis 5.0"),
        ("docker.io/pgvector/pgvector:0.8.0-pg15", None, None),
        ("docker.io/pgvector/pgvector:0.7.0-pg13", None, "runs Postgres 13"),
        ("docker.io/pgvector/pgvector:0.8.0", None, "does not say its Postgres major"),
        ("docker.io/library/postgres:16.4", None, None),
        ("docker.io/library/postgres:13-alpine", None, "runs Postgres 13"),
        ("docker.io/bitnami/postgresql:16.2.0-debian-12-r0", None, None),
        ("acme.io/db:1.2.3-pg12", POSTGRES_TYPE, "runs Postgres 12"),
        ("acme.io/db:1.2.3", POSTGRES_TYPE, "does not say its Postgres major"),
        ("docker.io/library/busybox:1.0", POSTGRES_TYPE, None),  # a sidecar, see below
    ],
)
def test_store_versions(image: str, parent: str | None, problem: str | None) -> None:
    containers = [good_container(image)]
    if image.startswith("docker.io/library/busybox"):
        # Only the first container of a store's workload is the store.
        containers.insert(0, good_container("docker.io/library/postgres:16.4"))
    messages = store_versions(workload(*containers, parent=parent), NO_SETTINGS)
    if problem is None:
        assert messages == []
    else:
        assert len(messages) == 1 and problem in messages[0], messages


# --- Containers ---


def test_container_resources_names_what_is_missing() -> None:
    partial = good_container(resources={"requests": {"cpu": "1"}, "limits": {"memory": "1Gi"}})
    init = {**good_container(), "resources": None}
    resource = workload(partial)
    resource.props["spec"]["template"]["spec"]["initContainers"] = [init]
    messages = container_resources(resource, NO_SETTINGS)
    assert len(messages) == 2
    assert (
        "init container 'main' has no cpu request, no memory request, no cpu limit" in (messages[0])
    )
    assert "container 'main' has no memory request, no cpu limit:" in messages[1]
    assert container_resources(workload(good_container(resources=UNKNOWN)), NO_SETTINGS) == []


def test_container_security_reads_container_over_pod() -> None:
    assert container_security(workload(good_container()), NO_SETTINGS) == []
    # The container's own setting wins over the pod's.
    rooted = good_container(
        securityContext={**good_container()["securityContext"], "runAsNonRoot": False}
    )
    assert "runAsNonRoot is not true" in container_security(workload(rooted), NO_SETTINGS)[0]
    # Set on the container only is enough.
    own = good_container(
        securityContext={
            **good_container()["securityContext"],
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
    )
    assert container_security(workload(own, pod_security={}), NO_SETTINGS) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"capabilities": {"drop": ["NET_RAW"]}}, "capabilities.drop does not hold ALL"),
        (
            {"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}},
            "capabilities.add holds SYS_ADMIN",
        ),
        ({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}, None),
        ({"allowPrivilegeEscalation": None}, "allowPrivilegeEscalation is not false"),
        ({"privileged": True}, "privileged is true"),
        ({"seccompProfile": {"type": "Unconfined"}}, "seccompProfile.type is Unconfined"),
        ({"runAsUser": 0}, "runAsUser is 0 (root)"),
        ({"capabilities": UNKNOWN, "allowPrivilegeEscalation": UNKNOWN}, None),
    ],
)
def test_container_security(change: dict, problem: str | None) -> None:
    context = {**good_container()["securityContext"], **change}
    messages = container_security(workload(good_container(securityContext=context)), NO_SETTINGS)
    if problem is None:
        assert messages == []
    else:
        assert len(messages) == 1 and problem in messages[0], messages


def test_jobs_and_cronjobs_are_workloads_too() -> None:
    cron = workload(good_container(resources={}), type_="kubernetes:batch/v1:CronJob")
    cron.props["spec"] = {"jobTemplate": {"spec": cron.props["spec"]}}
    assert container_resources(cron, NO_SETTINGS)


# --- Postgres deletion protection ---


def test_postgres_protection_needs_protect_unless_the_stack_opts_out() -> None:
    pvc = Resource(
        urn("kubernetes:core/v1:PersistentVolumeClaim", "pg-data", POSTGRES_TYPE),
        "kubernetes:core/v1:PersistentVolumeClaim",
        "pg-data",
        {"metadata": {"name": "pg-data", "namespace": "ns"}},
    )
    assert postgres_deletion_protection(pvc, NO_SETTINGS)
    assert (
        postgres_deletion_protection(Resource(**{**pvc.__dict__, "protect": True}), NO_SETTINGS)
        == []
    )
    for flag in (False, "false", "False"):
        opted_out = settings(postgres={"deletionProtection": flag})
        assert postgres_deletion_protection(pvc, opted_out) == []
    for flag in (True, "true", None):
        assert postgres_deletion_protection(pvc, settings(postgres={"deletionProtection": flag}))
    # Another component's volume is not the database's.
    other = Resource(pvc.urn.replace(POSTGRES_TYPE, REDIS_TYPE), pvc.type, pvc.name, pvc.props)
    assert postgres_deletion_protection(other, NO_SETTINGS) == []


# --- Secrets in env ---


def secret(name: str, string_data: dict | None = None, data: dict | None = None) -> Resource:
    props: dict[str, Any] = {"metadata": {"name": name, "namespace": "ns"}}
    if string_data is not None:
        props["stringData"] = string_data
    if data is not None:
        props["data"] = data
    return Resource(
        urn("kubernetes:core/v1:Secret", name), "kubernetes:core/v1:Secret", name, props
    )


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"name": "UPSTREAM", "value": "token-from-data-1234"}, "holds the value of Secret ns/s"),
        ({"name": "DSN", "value": "postgres://u:plain-password-1@db/x"}, "holds the value"),
        ({"name": "DATABASE_URI", "value": "postgres://u:other@db/x"}, "a URL with a password"),
        ({"name": "GITHUB_TOKEN", "value": "x"}, "named like a credential"),
        ({"name": "OPENAI_API_KEY", "value": "x"}, "named like a credential"),
        ({"name": "PORT", "value": "8000"}, None),  # a Secret value this short is not matched
        ({"name": "MONKEY_BUSINESS", "value": "x"}, None),
        ({"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}, None),
        ({"name": "API_KEY", "value": UNKNOWN}, None),
        ({"name": "URL", "value": "https://user@host/path"}, None),
    ],
)
def test_secrets_not_in_env(entry: dict, reason: str | None) -> None:
    encoded = base64.b64encode(b"token-from-data-1234").decode()
    secrets = secret("s", {"PASSWORD": "plain-password-1", "PORT": "8000"}, {"TOKEN": encoded})
    found = secrets_not_in_env([secrets, workload(good_container(env=[entry]))], NO_SETTINGS, None)
    if reason is None:
        assert found == []
    else:
        assert len(found) == 1 and reason in found[0].message, found
        assert found[0].urn.endswith("::w")


# --- Objects, namespaces and the fleet ---


def test_served_deployments_unique() -> None:
    a = workload(good_container(), name="agent-api", parent=SERVER_TYPE)
    b = Resource(a.urn.replace("::agent-api", "::other"), a.type, "other", copy.deepcopy(a.props))
    assert len(served_deployments_unique([a, b], NO_SETTINGS, None)) == 1
    b.props["metadata"]["namespace"] = "elsewhere"
    assert served_deployments_unique([a, b], NO_SETTINGS, None) == []
    b.props["metadata"]["namespace"] = UNKNOWN
    assert served_deployments_unique([a, b], NO_SETTINGS, None) == []
    # A Service and a Deployment may share a name.
    service = Resource(
        urn("kubernetes:core/v1:Service", "svc"), "kubernetes:core/v1:Service", "svc", a.props
    )
    assert served_deployments_unique([a, service], NO_SETTINGS, None) == []


def namespace(name: str, enforce: str | None) -> Resource:
    labels = {"pod-security.kubernetes.io/enforce": enforce} if enforce else {}
    return Resource(
        urn("kubernetes:core/v1:Namespace", f"ns-{name}"),
        "kubernetes:core/v1:Namespace",
        f"ns-{name}",
        {"metadata": {"name": name, "labels": labels}},
    )


def test_namespaces_restricted() -> None:
    check = namespaces_restricted
    assert (
        check([namespace("ns", "restricted"), workload(good_container())], NO_SETTINGS, None) == []
    )
    found = check([namespace("ns", None), workload(good_container())], NO_SETTINGS, None)
    assert len(found) == 1 and "enforces Pod Security nothing" in found[0].message
    # A workload in a namespace the stack does not create: fine only when adopted.
    alone = [workload(good_container())]
    assert len(check(alone, NO_SETTINGS, None)) == 1
    adopted = settings(namespaces={"names": ["ns"], "create": False})
    assert check(alone, adopted, None) == []
    listed_but_created = settings(namespaces={"names": ["ns"]})
    assert len(check(alone, listed_but_created, None)) == 1


STACKS = REPO / "stacks"


def repo_stack(name: str, **changes: Any) -> StackSettings:
    base = StackSettings.from_file("langgraph-dataplane", STACKS / f"Pulumi.{name}.yaml")
    values = {**base.values, **{f"dataplane:{k}": v for k, v in changes.items()}}
    return StackSettings(base.project, f"{name}-copy", values)


def test_the_example_stacks_do_not_clash() -> None:
    for name in ("dev", "acme-prod"):
        current = StackSettings.from_file("langgraph-dataplane", STACKS / f"Pulumi.{name}.yaml")
        others = other_stacks(REPO, current)
        assert others is not None and name not in {o.stack for o in others}
        assert listener_namespaces_exclusive([], current, others) == []


def test_listener_namespaces_exclusive_on_the_same_cluster_only() -> None:
    acme = StackSettings.from_file("langgraph-dataplane", STACKS / "Pulumi.acme-prod.yaml")
    overlapping = repo_stack(
        "dev", kubeconfig="~/.kube/acme-prod.yaml", namespaces={"names": ["acme-agents"]}
    )
    found = listener_namespaces_exclusive([], acme, [overlapping])
    assert len(found) == 1 and "also watches 'acme-agents' on the same cluster" in found[0].message
    elsewhere = repo_stack(
        "dev", kubeconfig="~/.kube/other.yaml", namespaces={"names": ["acme-agents"]}
    )
    assert listener_namespaces_exclusive([], acme, [elsewhere]) == []
    # `~` and a home path name the same file; DATAPLANE_KUBECONFIG replaces the running stack's.
    home = str(Path("~/.kube/acme-prod.yaml").expanduser())
    absolute = repo_stack("dev", kubeconfig=home, namespaces={"names": ["acme-agents"]})
    assert listener_namespaces_exclusive([], acme, [absolute])
    moved = StackSettings(acme.project, acme.stack, acme.values, "/tmp/kind.yaml")
    assert listener_namespaces_exclusive([], moved, [absolute]) == []
    # Stacks that render (no kubeconfig) are compared with none.
    rendering = repo_stack("dev", namespaces={"names": ["acme-agents"]})
    other = {"url": "http://127.0.0.1:8765", "listenerComputeId": "other-cluster"}
    also_rendering = repo_stack("dev", namespaces={"names": ["acme-agents"]}, controlPlane=other)
    assert listener_namespaces_exclusive([], rendering, [also_rendering]) == []


def test_listener_namespaces_exclusive_same_listener() -> None:
    dev = StackSettings.from_file("langgraph-dataplane", STACKS / "Pulumi.dev.yaml")
    twin = repo_stack("dev", namespaces={"names": ["other"]})
    found = listener_namespaces_exclusive([], dev, [twin])
    assert len(found) == 1 and "registers the same listener" in found[0].message
    other_endpoint = repo_stack(
        "dev", controlPlane={"url": "https://cp.example.com", "listenerComputeId": "dev-cluster"}
    )
    assert listener_namespaces_exclusive([], dev, [other_endpoint]) == []


def test_other_stacks_only_of_the_same_project(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: another-project\n")
    assert other_stacks(tmp_path, NO_SETTINGS) is None
    assert other_stacks(tmp_path / "missing", NO_SETTINGS) is None


def test_settings_from_the_engines_config() -> None:
    engine = StackSettings.from_engine(
        "p",
        "s",
        {
            "dataplane:postgres": '{"deletionProtection":false}',
            "dataplane:images": '{"registry":"r.example.com/m"}',
            "dataplane:kubeconfig": "~/.kube/x",
            "dataplane:controlPlane": '{"listenerComputeId":"c"}',
        },
    )
    assert engine.postgres_opted_out and engine.registry == "r.example.com/m"
    assert engine.kubeconfig == "~/.kube/x" and engine.namespaces == ["langgraph"]
    assert engine.listener == ("region us", None, "c")


def test_urns() -> None:
    chain, name = parse_urn("urn:pulumi:s::p::a:b:C$d:e:F::my::name")
    assert chain == ["a:b:C", "d:e:F"] and name == "my::name"


# --- Every recorded stack (tests/unit/registrations) against every rule ---

ROOT = "pulumi:pulumi:Stack"


def recorded(path: Path) -> tuple[list[Resource], StackSettings]:
    """The custom resources a stack file registers under the mocks (its golden snapshot),
    as the pack would see them, and the stack's settings."""
    name = stack_name(path)
    snapshot = json.loads((GOLDEN / f"{name}.json").read_text())
    resources = []
    for r in snapshot["update"]["registrations"]:
        if not r["custom"]:
            continue
        parent = r["parent"] or ""
        chain = r["type"]
        if parent and ROOT not in parent:
            chain = "$".join([*parse_urn(parent)[0], r["type"]])
        resource_urn = f"urn:pulumi:{name}::langgraph-dataplane::{chain}::{r['name']}"
        resources.append(Resource(resource_urn, r["type"], r["name"], r["inputs"], r["protect"]))
    config, _ = stack_config(path)
    return resources, StackSettings.from_engine("langgraph-dataplane", name, config)


def sidecars_without_resources(path: Path) -> set[str]:
    workloads = yaml.safe_load(path.read_text())["config"].get("dataplane:workloads", {})
    return {
        sidecar["name"]
        for kind in workloads.values()
        for sidecar in kind.get("sidecars", [])
        if "resources" not in sidecar
    }


@pytest.mark.parametrize("path", stack_files(), ids=stack_name)
def test_the_recorded_stacks_keep_the_rules(path: Path) -> None:
    """What the program registers for each stack file keeps every rule, but for sidecars
    the stack gives no resources (the pack demands them; the config does not)."""
    resources, stack = recorded(path)
    assert any(r.type == DEPLOYMENT for r in resources)
    found = []
    for rule in RULES:
        if rule.resource_check:
            found += [(rule.name, m) for r in resources for m in rule.resource_check(r, stack)]
        elif rule.stack_check:
            found += [(rule.name, v.message) for v in rule.stack_check(resources, stack, None)]
    bare = sidecars_without_resources(path)
    unexpected = [
        (rule, message)
        for rule, message in found
        if not (rule == "container-resources" and any(f"container {s!r}" in message for s in bare))
    ]
    assert unexpected == []
    assert bool(found) == bool(bare), found


def test_the_dev_stacks_opt_out_is_what_lets_its_postgres_pass() -> None:
    resources, dev = recorded(STACKS / "Pulumi.dev.yaml")
    values = {k: v for k, v in dev.values.items() if k != "dataplane:postgres"}
    strict = StackSettings(dev.project, dev.stack, values)
    found = [m for r in resources for m in postgres_deletion_protection(r, strict)]
    postgres = [r for r in resources if r.type == "kubernetes:apps/v1:StatefulSet"]
    assert postgres and len(found) == 3 * len(postgres), found
