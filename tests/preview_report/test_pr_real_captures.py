"""The report of REAL `pulumi preview --json` captures from the project's own engine runs.

Nothing here is constructed: each fixture is the CLI's stdout, unchanged, of a preview of
the whole program, Kubernetes and random resources included (fixtures/README.md).
Expected values are read from the fixtures' steps where they are run-specific (revision
ids). The engine lists steps in the order the (asynchronous) program registered them,
which varies from run to run, so lists that follow it are compared as sets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from local_controlplane.seed import DEFAULT_API_KEY
from preview_report import analyze, load_preview, render_report
from preview_report.render import marker
from preview_report.steps import steps_of
from tests.preview_report.pr_fixtures import REAL, fixture_doc, fixture_path

OLD_ALPHA = "docker.io/langchain/langgraph-api:0.4.20-py3.11"
NEW_ALPHA = "registry.example.com/agents/alpha:2.0.0"
LICENCE = "lgp-local-dev-fake-licence-key"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"


def sync_step(name: str, deployment: str) -> dict:
    steps = fixture_doc(name)["steps"]
    return next(s for s in steps if s["urn"].endswith(f"::revision-{deployment}"))


def steps_named(name: str, suffix: str) -> list[dict]:
    return [s for s in fixture_doc(name)["steps"] if s["urn"].endswith(suffix)]


def section(markdown: str, title: str) -> str:
    """The text of one `#### title` section (or folded `<summary><b>title</b>`)."""
    start = markdown.index(title)
    end = min(
        [
            i
            for i in (markdown.find("\n####", start + 1), markdown.find("<details>", start + 1))
            if i > 0
        ]
        or [len(markdown)]
    )
    return markdown[start:end]


def unordered(value: Any) -> Any:
    """`value` with every list sorted: documents compared regardless of the engine's order."""
    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


@pytest.mark.parametrize("name", REAL)
def test_real_fixtures_are_engine_output(name: str) -> None:
    doc = fixture_doc(name)
    if name == "no-language-host":
        assert doc == {}  # what the CLI prints with --json when it cannot start the program
        return
    assert set(doc) >= {"config", "steps", "changeSummary"}
    stack = "external-postgres" if name.endswith("external-postgres") else "dev"
    for step in doc["steps"]:
        assert step["urn"].startswith(f"urn:pulumi:{stack}::langgraph-dataplane::")
    # The CLI masks the stack's secret config, whatever it was asked.
    assert doc["config"]["dataplane:apiKey"] == "[secret]"
    text = fixture_path(name).read_text()
    assert DEFAULT_API_KEY not in text and LICENCE not in text


def test_real_captures_hold_the_whole_program() -> None:
    types = {s["urn"].split("::")[2].split("$")[-1] for s in fixture_doc("initial")["steps"]}
    assert {
        "pulumi:providers:kubernetes",
        "kubernetes:core/v1:Namespace",
        "kubernetes:apps/v1:Deployment",
        STATEFUL_SET,
        PVC,
        "kubernetes:core/v1:Secret",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "random:index/randomPassword:RandomPassword",
        "pulumi-python:dynamic:Resource",
        "langgraph:dataplane:Postgres",
        "langgraph:dataplane:Redis",
    } <= types
    assert fixture_doc("initial")["changeSummary"] == {"create": 52}


def test_new_revision(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("new-revision")
    step = sync_step("new-revision", "agent-alpha")
    old_rev = step["oldState"]["outputs"]["revision_id"][:8]
    new_rev = step["newState"]["inputs"]["revision_id"][:8]
    assert md.startswith(marker("dev"))
    assert "[!CAUTION]" not in md and "[!WARNING]" not in md
    assert "**Summary:** 1 revision change, 0 scale/resource changes, 0 data-loss risks" in md
    assert "0 to create, 5 to update, 0 to replace, 0 to delete, 47 unchanged" in md
    revisions = section(md, "LangGraph deployments changing revision")
    assert (
        f"| `agent-alpha` | new revision | `{OLD_ALPHA}` → `{NEW_ALPHA}` | "
        f"`{old_rev}` → `{new_rev}` |"
    ) in revisions
    changes = section(md, "Resource changes")
    assert re.search(r"\| ✏️ update \| `revision-agent-alpha` \| RevisionSync \| .*`image`", changes)
    assert "Scale and resources" not in md


def test_kubernetes_workloads_show_their_new_image(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("new-revision")
    images = section(md, "Kubernetes workloads getting a new image")
    for workload, container in (("api", "api-server"), ("queue", "queue-worker")):
        assert (
            f"| `dataplane-agent-alpha-{workload}` | Deployment | `{container}` | "
            f"`{OLD_ALPHA}` → `{NEW_ALPHA}` |"
        ) in images
    changes = section(md, "Resource changes")
    assert (
        "| ✏️ update | `dataplane-agent-alpha-api` | Deployment | "
        '`metadata.labels["langgraph.ai/revision-id"]`, '
        '`spec.template.metadata.labels["langgraph.ai/revision-id"]`, '
        "`spec.template.spec.containers[0].image` |"
    ) in changes
    assert (
        "| ✏️ update | `dataplane-agent-alpha-api-hpa` | HorizontalPodAutoscaler | "
        '`metadata.labels["langgraph.ai/revision-id"]` |'
    ) in changes


def test_the_show_secrets_capture_is_the_same_document(report_of: Callable) -> None:
    # Pulumi 3.259.0 prints `[secret]` in --json previews whatever --show-secrets says
    # (pkg/backend/display/json.go): the two captures differ only in their duration and in
    # the order the engine listed steps, dependencies and diagnostics.
    plain, shown = fixture_doc("new-revision"), fixture_doc("new-revision-show-secrets")
    plain.pop("duration"), shown.pop("duration")
    assert unordered(plain) == unordered(shown)
    assert report_of("new-revision").revisions == report_of("new-revision-show-secrets").revisions


def test_database_replacement_is_a_warning_at_the_top(markdown_of: Callable[..., str]) -> None:
    """The PR sets `dataplane:postgres.storageClass` on the dev stack (no deletion
    protection): pulumi-kubernetes 4.32.0 cannot change a PVC's `spec.storageClassName` in
    place, so it replaces each Postgres volume, deleting it first (a fixed name), and the
    engine replaces the StatefulSet that mounts it too."""
    doc = fixture_doc("database-replace")
    assert json.loads(doc["config"]["dataplane:postgres"]) == {
        "deletionProtection": False,
        "storageClass": "gp3-encrypted",
    }
    for deployment in ("alpha", "beta"):
        (pvc,) = steps_named("database-replace", f"::dataplane-agent-{deployment}-postgres-data")
        assert pvc["op"] == "replace" and pvc["replaceReasons"] == ["spec.storageClassName"]
        assert pvc["detailedDiff"]["spec.storageClassName"]["kind"] == "add-replace"
        assert pvc["oldState"]["pendingReplacement"] is True  # deleted before its replacement
        (sts,) = steps_named("database-replace", f"-{deployment}-postgres-statefulset")
        # A dependent of a delete-before-replace resource: no reason of its own.
        assert sts["op"] == "replace" and not sts.get("detailedDiff")
    md = markdown_of("database-replace")
    caution = md.index("> [!CAUTION]")
    assert caution < md.index("**Summary:**") < md.index("####")
    assert "**🛑 Data-loss risk: 4 resources holding data would be replaced or deleted.**" in md
    for deployment in ("alpha", "beta"):
        assert (
            f"> - **replace** data volume (PersistentVolumeClaim) of Postgres "
            f"`dataplane-agent-{deployment}-postgres-data`: a new, empty volume replaces it"
        ) in md
        assert (
            f"> - **replace** Postgres StatefulSet `dataplane-agent-{deployment}-postgres-"
            "statefulset`: the database pods are deleted and recreated"
        ) in md
    assert md.count("Because of: `spec.storageClassName`.") == 2
    assert "4 data-loss risks" in md and "4 to replace" in md
    assert (
        "| 🔁 replace | `dataplane-agent-alpha-postgres-data` | PersistentVolumeClaim | "
        "`spec.storageClassName` |"
    ) in md
    # The same PR's new image for agent-alpha is in the same report.
    assert f"| `dataplane-agent-alpha-api` | Deployment | `api-server` | `{OLD_ALPHA}` → " in md


def test_a_replacement_in_several_steps_is_one_change(report_of: Callable) -> None:
    """`--show-replacement-steps` adds the engine's `delete-replaced` and
    `create-replacement` steps around each `replace`: the report is the same."""
    doc = fixture_doc("database-replace-replacement-steps")
    ops = [
        s["op"] for s in doc["steps"] if s["urn"].endswith("::dataplane-agent-alpha-postgres-data")
    ]
    assert sorted(ops) == ["create-replacement", "delete-replaced", "replace"]
    steps = {s.name: s for s in steps_of(doc)}
    assert len(steps) == len({s["urn"] for s in doc["steps"]})  # one per resource
    volume = steps["dataplane-agent-alpha-postgres-data"]
    assert volume.op == "replace" and volume.reasons() == ["spec.storageClassName"]
    one, several = report_of("database-replace"), report_of("database-replace-replacement-steps")
    assert several.counts == one.counts
    assert {(r.op, r.name) for r in several.risks} == {(r.op, r.name) for r in one.risks}
    assert {(c.op, c.name) for c in several.changes} == {(c.op, c.name) for c in one.changes}
    # Only the replacement steps say why a StatefulSet is replaced along with its volume.
    sts = next(r for r in several.risks if r.name == "dataplane-agent-alpha-postgres-statefulset")
    assert sts.reasons == ["spec.selector", "spec.serviceName"]


def test_scale_change(markdown_of: Callable[..., str], report_of: Callable) -> None:
    report = report_of("scale-change")
    settings = {(s.subject, s.setting): (s.old, s.new) for s in report.settings}
    assert settings == {
        ("agent-beta", "min_scale"): ("1", "2"),
        ("agent-beta", "max_scale"): ("2", "5"),
        ("agent-beta", "queue_min_scale"): ("1", "2"),
        ("agent-beta", "queue_max_scale"): ("3", "6"),
        ("agent-beta", "cpu"): ("1", "2"),
        ("agent-beta", "cpu_limit"): ("—", "4"),
        ("agent-beta", "memory_mb"): ("2048", "4096"),
        ("agent-beta", "memory_limit_mb"): ("—", "8192"),
        # The Kubernetes objects, as the provider's check normalised the quantities.
        ("dataplane-agent-beta-api", "api-server: requests.cpu"): ("1", "2"),
        ("dataplane-agent-beta-api", "api-server: requests.memory"): ("2Gi", "4Gi"),
        ("dataplane-agent-beta-api", "api-server: limits.cpu"): ("2", "4"),
        ("dataplane-agent-beta-api", "api-server: limits.memory"): ("4Gi", "8Gi"),
        ("dataplane-agent-beta-queue", "queue-worker: requests.cpu"): ("1", "2"),
        ("dataplane-agent-beta-queue", "queue-worker: requests.memory"): ("2Gi", "4Gi"),
        ("dataplane-agent-beta-queue", "queue-worker: limits.cpu"): ("2", "4"),
        ("dataplane-agent-beta-queue", "queue-worker: limits.memory"): ("4Gi", "8Gi"),
        ("dataplane-agent-beta-api-hpa", "HPA minReplicas"): ("1", "2"),
        ("dataplane-agent-beta-api-hpa", "HPA maxReplicas"): ("2", "5"),
        ("dataplane-agent-beta-queue-hpa", "HPA minReplicas"): ("1", "2"),
        ("dataplane-agent-beta-queue-hpa", "HPA maxReplicas"): ("3", "6"),
    }
    assert not report.risks
    md = markdown_of("scale-change", fold_after=50)
    scale = section(md, "Scale and resources")
    # Scale first, in the order a reviewer reads them.
    assert scale.index("`min_scale`") < scale.index("`max_scale`") < scale.index("`cpu`")
    assert "| `agent-beta` | `max_scale` | `2` → `5` |" in scale
    assert "| `dataplane-agent-beta-api-hpa` | `HPA maxReplicas` | `2` → `5` |" in scale
    # The PATCH made a new revision with the same image.
    (rev,) = report.revisions
    assert rev.change == "new revision" and rev.old_image == rev.new_image
    assert f"`{rev.new_image}` (unchanged)" in md
    assert "0 to create, 5 to update, 0 to replace, 0 to delete, 47 unchanged" in md


def test_new_deployment(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("new-deployment")
    step = sync_step("new-deployment", "agent-delta-0003")
    image = step["newState"]["inputs"]["image"]
    assert (
        f"| `agent-delta-0003` | new deployment | — → `{image}` | "
        f"— → `{step['newState']['inputs']['revision_id'][:8]}` | scale 1 to 1 |"
    ) in md
    assert "| ➕ create | `revision-agent-delta-0003` | RevisionSync | new in the program |" in md  # noqa: RUF001
    for resource, kind in (
        ("dataplane-agent-delta-0003-api", "Deployment"),
        ("dataplane-agent-delta-0003-postgres-data", "PersistentVolumeClaim"),
        ("dataplane-agent-delta-0003-postgres-password", "RandomPassword"),
    ):
        assert f"| ➕ create | `{resource}` | {kind} | new in the program |" in md  # noqa: RUF001
    assert "23 to create, 0 to update, 0 to replace, 0 to delete, 52 unchanged" in md
    assert "[!CAUTION]" not in md  # creating a database loses nothing


def test_no_changes(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("no-changes")
    assert "No changes" in md
    assert "0 to create, 0 to update, 0 to replace, 0 to delete, 52 unchanged" in md
    assert "####" not in md and "|---|" not in md


def test_initial_preview_lists_every_deployment(report_of: Callable) -> None:
    report = report_of("initial")
    assert sorted((r.deployment, r.change) for r in report.revisions) == [
        ("agent-alpha", "new deployment"),
        ("agent-beta", "new deployment"),
    ]
    # Everything but the Stack itself and the default provider is listed as a change.
    names = [c.name for c in report.changes]
    assert len(names) == 52 - 2 and set(c.op for c in report.changes) == {"create"}
    assert {"listener-registration", "revision-agent-alpha", "revision-agent-beta"} <= set(names)
    assert "dataplane-agent-alpha-postgres-data" in names
    assert not report.risks


def test_removed_deployment_lists_every_data_risk(report_of: Callable, markdown_of) -> None:
    """agent-beta deleted in the control plane: with the dev stack's deletionProtection
    off, its servers, Postgres and Redis are deleted."""
    report = report_of("deployment-deleted")
    risks = {(r.name, r.what) for r in report.data_risks}
    assert risks == {
        ("dataplane-agent-beta-postgres-data", "data volume (PersistentVolumeClaim) of Postgres"),
        ("dataplane-agent-beta-postgres-statefulset", "Postgres StatefulSet"),
        ("dataplane-agent-beta-postgres", "Postgres database (component)"),
        ("dataplane-agent-beta-postgres-password", "Postgres password (RandomPassword)"),
        ("dataplane-agent-beta-postgres-secret", "Postgres password Secret"),
        ("dataplane-agent-beta-redis", "Redis (component)"),
        ("dataplane-agent-beta-redis-deployment", "Redis workload"),
    }
    assert all(not r.notes for r in report.data_risks)  # nothing protected or retained
    password = next(r for r in report.data_risks if r.type.startswith("random:"))
    assert "locks the data" in password.consequence
    md = markdown_of("deployment-deleted")
    assert "7 resources holding data" in md
    # 23 deletions: the resource table folds, the warnings do not.
    assert "<details>\n<summary><b>Resource changes</b> (23)</summary>" in md
    assert md.index("[!CAUTION]") < md.index("<details>")
    assert "0 to create, 0 to update, 0 to replace, 23 to delete, 52 unchanged" in md


def test_deployment_deleted_is_also_a_warning(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("deployment-deleted")
    assert "> [!WARNING]" in md
    assert "**LangGraph deployment `agent-beta` leaves this data plane**" in md
    assert md.index("[!CAUTION]") < md.index("[!WARNING]") < md.index("**Summary:**")
    assert "| `agent-beta` | removed |" in md
    assert "| 🗑️ delete | `revision-agent-beta` | RevisionSync | no longer declared |" in md


def test_protected_and_retained_deletions_say_so(report_of: Callable, markdown_of) -> None:
    """The production default, `deletionProtection: true`: the engine refuses to delete
    the protected volume and password Secret, so the preview itself fails."""
    report = report_of("deployment-deleted-protected")
    assert report.failed
    protected = [e for e in report.errors if "because it is protected" in e]
    assert any("dataplane-agent-beta-postgres-data" in e for e in protected)
    risks = {r.name: r for r in report.data_risks}
    volume = risks["dataplane-agent-beta-postgres-data"]
    assert volume.type == PVC
    assert any("protected" in n for n in volume.notes)
    assert any("retainOnDelete" in n for n in volume.notes)
    # Every risk on a protected resource says so, and no other does.
    doc = fixture_doc("deployment-deleted-protected")
    steps = {s["urn"].rsplit("::", 1)[1]: s for s in doc["steps"]}
    for risk in report.data_risks:
        is_protected = bool(steps[risk.name]["oldState"].get("protect"))
        assert any("protected" in n for n in risk.notes) is is_protected, risk.name
        assert is_protected is any(f'::{risk.name}"' in e for e in protected), risk.name
    md = markdown_of("deployment-deleted-protected")
    assert "> [!CAUTION]\n> **❌ The preview failed.**" in md
    assert (
        "| 🗑️ delete | `dataplane-agent-beta-postgres-data` | PersistentVolumeClaim | "
        "no longer declared _(protected, retained in the cluster)_ |"
    ) in md


def test_retained_deletions_say_so(report_of: Callable, markdown_of) -> None:
    """After `pulumi state unprotect` of what the protected preview refused: the volume
    and the password Secret are deleted from the stack but stay in the cluster."""
    report = report_of("deployment-deleted-retained")
    assert not report.failed
    notes = {r.name: r.notes for r in report.data_risks}
    retained = {"dataplane-agent-beta-postgres-data", "dataplane-agent-beta-postgres-secret"}
    for name, risk_notes in notes.items():
        assert not any("protected" in n for n in risk_notes), name
        assert any("retainOnDelete" in n for n in risk_notes) is (name in retained), name
    # The password is not retained: deleting it locks the kept volume's data.
    assert "dataplane-agent-beta-postgres-password" in notes
    md = markdown_of("deployment-deleted-retained")
    assert (
        "| 🗑️ delete | `dataplane-agent-beta-postgres-data` | PersistentVolumeClaim | "
        "no longer declared _(retained in the cluster)_ |"
    ) in md


def test_an_external_database_component_is_no_data_risk(report_of: Callable) -> None:
    """A stack with `dataplane:postgres.mode: external`: the deleted deployment's Postgres
    component has no children (the data lives behind a DSN); its in-cluster Redis does."""
    doc = fixture_doc("deployment-deleted-external-postgres")
    postgres = "dataplane-agent-delta-0003-postgres"
    (component,) = [s for s in doc["steps"] if s["urn"].endswith(f"::{postgres}")]
    assert component["op"] == "delete"
    assert not [
        s for s in doc["steps"] if (s.get("oldState") or {}).get("parent") == component["urn"]
    ]
    report = report_of("deployment-deleted-external-postgres")
    assert report.stack == "external-postgres"
    assert {r.name for r in report.data_risks} == {
        "dataplane-agent-delta-0003-redis",
        "dataplane-agent-delta-0003-redis-deployment",
    }
    assert postgres in {c.name for c in report.changes}  # listed, not a risk


def test_deployment_recreated_is_a_replacement_with_its_reason(
    markdown_of: Callable[..., str],
) -> None:
    md = markdown_of("deployment-recreated")
    assert "| 🔁 replace | `revision-agent-beta` | RevisionSync | `deployment_id` |" in md
    assert "recreated" in md and "new control-plane deployment id" in md
    # The recreated deployment has no ANTHROPIC_API_KEY: Secrets are immutable to
    # pulumi-kubernetes by default, so its revision Secret is replaced (deleted first), and
    # with it the server Deployments and HPAs that depend on it.
    assert (
        "| 🔁 replace | `dataplane-agent-beta-revision-secrets` | Secret | "
        "`data.ANTHROPIC_API_KEY` |"
    ) in md
    for name in ("api", "queue", "api-hpa", "queue-hpa"):
        assert f"| 🔁 replace | `dataplane-agent-beta-{name}` |" in md
    assert "0 to create, 5 to update, 6 to replace, 0 to delete, 64 unchanged" in md
    assert "[!CAUTION]" not in md  # its Postgres and Redis stay


def test_failed_preview(markdown_of: Callable[..., str], report_of: Callable) -> None:
    report = report_of("failed-preview")
    assert report.failed
    (error,) = report.errors
    assert error.startswith("pulumi-python:dynamic:Resource resource 'revision-agent-alpha'")
    assert "is BUILD_FAILED and is never rolled out" in error
    md = markdown_of("failed-preview")
    assert "> [!CAUTION]\n> **❌ The preview failed.**" in md
    assert "**Summary (preview failed):**" in md


def test_no_language_host_shows_the_cli_log(report_of: Callable) -> None:
    log = fixture_path("no-language-host").with_suffix(".log").read_text()
    report = analyze(load_preview(f"dev={fixture_path('no-language-host')}"), log)
    md = render_report([report])
    assert report.failed
    assert "the preview printed an empty document" in md
    assert "no language plugin 'pulumi-language-python' found" in md
    assert "End of the CLI's output" in md


def test_several_stacks_make_one_report_with_an_overview(tmp_path) -> None:
    docs = [
        load_preview(f"acme-prod={fixture_path('scale-change')}"),
        load_preview(str(fixture_path("no-changes"))),
    ]
    md = render_report([analyze(d) for d in docs], title="Pulumi previews")
    assert md.startswith("## Pulumi previews")
    assert "| `acme-prod` | changes | 1 | 0 |" in md
    assert "| `dev` | no changes | 0 | 0 |" in md
    assert marker("acme-prod") in md and marker("dev") in md
    assert md.index(marker("acme-prod")) < md.index(marker("dev"))


def test_the_stack_name_comes_from_the_urns(report_of: Callable) -> None:
    assert report_of("new-revision").stack == "dev"
    assert analyze(load_preview(f"prod={fixture_path('new-revision')}")).stack == "prod"


def test_a_dependent_replacement_says_what_it_goes_with(
    report_of: Callable, markdown_of: Callable[..., str]
) -> None:
    """The engine replaces a StatefulSet with the volume it mounts (deleted first) and gives
    no reason: the report names the dependency instead of `—`."""
    report = report_of("database-replace")
    for deployment in ("alpha", "beta"):
        sts = next(
            c for c in report.changes if c.name.endswith(f"{deployment}-postgres-statefulset")
        )
        assert sts.replaced_with == [f"dataplane-agent-{deployment}-postgres-data"]
        assert sts.deleted_first and sts.reasons == []
        risk = next(r for r in report.data_risks if r.name == sts.name)
        assert (
            f"replaced along with `dataplane-agent-{deployment}-postgres-data`, which it depends on"
            in risk.notes
        )
    md = markdown_of("database-replace")
    assert (
        "| 🔁 replace | `dataplane-agent-alpha-postgres-statefulset` | StatefulSet | replaced "
        "along with `dataplane-agent-alpha-postgres-data`, which it depends on; deleted before "
        "its replacement |"
    ) in md
    # The volume has a reason of its own.
    volume = next(c for c in report.changes if c.name == "dataplane-agent-alpha-postgres-data")
    assert volume.reasons == ["spec.storageClassName"] and not volume.replaced_with


def test_dependents_of_a_replaced_secret_show_no_unrelated_paths(report_of: Callable) -> None:
    """deployment-recreated: the revision Secret is replaced (its data changed); the
    Deployments and HPAs reading it are replaced with it, not for their labels."""
    changes = {c.name: c for c in report_of("deployment-recreated").changes}
    secret = changes["dataplane-agent-beta-revision-secrets"]
    assert secret.reasons == ["data.ANTHROPIC_API_KEY"] and not secret.replaced_with
    for name in ("api", "queue", "api-hpa", "queue-hpa"):
        change = changes[f"dataplane-agent-beta-{name}"]
        assert "dataplane-agent-beta-revision-secrets" in change.replaced_with, name
        assert change.reasons == [], change.reasons  # formerly label paths from the states


def test_one_line_per_warning_with_the_resources_that_gave_it(report_of: Callable) -> None:
    report = report_of("new-revision")
    (warning,) = report.warnings
    assert warning.startswith(
        "rendered YAML will contain a secret value in plaintext (8 resources: "
    )
    assert "`dataplane-agent-alpha-postgres-secret`" in warning


@pytest.mark.parametrize(
    "name", ["new-revision", "database-replace", "deployment-deleted", "scale-change"]
)
def test_the_report_does_not_follow_the_engines_order(name: str, tmp_path) -> None:
    """The engine lists steps and diagnostics in the order the asynchronous program
    registered them; the comment must not reshuffle between two runs of the same change."""
    import random

    doc = fixture_doc(name)
    expected = render_report([analyze(load_preview(f"dev={fixture_path(name)}"))])
    for seed in range(3):
        shuffled = dict(doc)
        rng = random.Random(seed)
        shuffled["steps"] = rng.sample(doc["steps"], len(doc["steps"]))
        shuffled["diagnostics"] = rng.sample(doc["diagnostics"], len(doc["diagnostics"]))
        path = tmp_path / f"{seed}.json"
        path.write_text(json.dumps(shuffled))
        assert render_report([analyze(load_preview(f"dev={path}"))]) == expected, seed


def test_retained_and_protected_deletions_are_worded_as_they_happen(report_of: Callable) -> None:
    retained = {r.name: r for r in report_of("deployment-deleted-retained").data_risks}
    volume = retained["dataplane-agent-beta-postgres-data"]
    assert "stays in the cluster with its data" in volume.consequence
    assert "deleted" not in volume.consequence and volume.notes == ["retainOnDelete"]
    # Not retained: the password is deleted, and that locks the kept volume's data.
    assert "locks the data" in retained["dataplane-agent-beta-postgres-password"].consequence
    protected = {r.name: r for r in report_of("deployment-deleted-protected").data_risks}
    (note,) = [n for n in protected["dataplane-agent-beta-postgres-data"].notes if "protected" in n]
    assert "this preview fails" in note and "pulumi state unprotect" in note


def test_a_leaving_deployment_names_only_the_stores_it_takes(report_of: Callable) -> None:
    (inside,) = report_of("deployment-deleted").review_risks
    assert "its in-cluster Postgres too" in inside.consequence
    assert "its in-cluster Redis too" in inside.consequence
    (outside,) = report_of("deployment-deleted-external-postgres").review_risks
    assert "its Postgres is external" in outside.consequence
    assert "in-cluster Postgres" not in outside.consequence
    assert "its in-cluster Redis too" in outside.consequence
