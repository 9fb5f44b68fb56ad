"""The fleet preview's and the drift check's pieces without the engine: outcomes built from
real captures (fixtures/), what blocks a merge, the Markdown, the per-stack environment and
the command's usage errors. The engine runs them in tests/integration/test_fleet_preview.py
and test_drift_check.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from preview_report import analyze, load_preview
from preview_report.drift_report import StackDrift, drifted_object, exit_code, render_drift
from preview_report.fleet import main as fleet_main
from preview_report.fleet_files import summary_json
from preview_report.fleet_model import FleetResult, PolicyViolation, StackOutcome, max_overlap
from preview_report.fleet_render import FLEET_MARKER, render_fleet
from preview_report.render import marker
from preview_report.workspaces import Fleet, Overrides, Project
from tests.preview_report.pr_fixtures import fixture_path

REPO = Path(__file__).resolve().parents[2]
PACK = {"langgraph-dataplane": "0.1.0"}
LISTENER = PolicyViolation(
    "listener-namespaces-exclusive",
    "mandatory",
    "langgraph-dataplane-dev",
    "stack 'twin' registers the same listener as this stack",
)


def outcome(stack: str, fixture: str, **kwargs: object) -> StackOutcome:
    report = analyze(load_preview(f"{stack}={fixture_path(fixture)}"))
    return StackOutcome(stack, report, policy_packs=dict(PACK), **kwargs)  # type: ignore[arg-type]


def test_max_overlap() -> None:
    assert max_overlap([]) == 0
    assert max_overlap([(0, 1), (1, 2), (2, 3)]) == 1  # one ends as the next starts
    assert max_overlap([(0, 5), (1, 2), (1.5, 3), (4, 6)]) == 3


def test_what_blocks() -> None:
    clean = outcome("dev", "new-revision")
    assert clean.blocking == [] and not clean.failed
    risky = outcome("dev", "database-replace")
    assert risky.blocking == ["4 data-loss risks not accepted"]
    risky.data_loss_accepted = True
    assert risky.blocking == []
    failed = outcome("dev", "failed-preview")
    assert failed.failed and failed.blocking == ["the preview failed"]
    advisory = outcome(
        "dev", "new-revision", violations=[PolicyViolation("x", "advisory", "r", "m")]
    )
    assert advisory.blocking == []
    setup = outcome("locked", "no-changes", setup_error="no passphrase for stack 'locked'")
    assert setup.failed and setup.errors == ["no passphrase for stack 'locked'"]
    result = FleetResult([clean, risky, advisory], jobs=2)
    assert result.exit_code == 0
    assert FleetResult([clean, failed], jobs=2).exit_code == 1


def test_a_policy_failure_is_not_a_broken_preview() -> None:
    """The engine's only error for a preview the pack failed is "preview failed"."""
    run = outcome("dev", "new-revision", violations=[LISTENER])
    run.report.errors = ["preview failed"]
    assert run.policy_failed and not run.failed
    assert run.blocking == ["1 mandatory policy violation"]
    run.report.errors.append("something else broke")
    assert run.failed and run.errors == ["something else broke"]


def test_the_fleet_report() -> None:
    dev = outcome("dev", "database-replace", violations=[LISTENER])
    dev.report.errors = ["preview failed"]
    acme = outcome("acme-prod", "new-revision")
    broken = outcome("broken", "failed-preview")
    result = FleetResult([acme, broken, dev], jobs=2)
    md = render_fleet(result, title="Fleet preview (abc1234)")
    assert md.startswith(FLEET_MARKER + "\n\n## Fleet preview (abc1234)")
    assert "**❌ Blocked:** `broken`: the preview failed; `dev`: 1 mandatory policy " in md
    assert "| `acme-prod` | changes | 5 update | 1 | 0 | 0 | — |" in md
    assert "| `dev` | ❌ policy | 5 update, 4 replace | 1 | 🛑 4 | ❌ 1 mandatory | — |" in md
    assert "| `broken` | ❌ failed |" in md and "is BUILD_FAILED" in md
    assert "policy pack `langgraph-dataplane@0.1.0`" in md
    # Each stack's section is folded; those that block are open.
    assert "<details>\n<summary><b>acme-prod</b>: changes</summary>" in md
    assert "<details open>\n<summary><b>dev</b>: ❌ policy</summary>" in md
    assert "| `listener-namespaces-exclusive` | mandatory | `langgraph-dataplane-dev` |" in md
    # No stack's own marker: the workflow finds each stack's comment by it.
    for stack in ("acme-prod", "broken", "dev"):
        assert marker(stack) not in md
    summary = summary_json(result)
    assert summary["exit_code"] == 1
    assert [s["stack"] for s in summary["stacks"]] == ["acme-prod", "broken", "dev"]
    assert summary["stacks"][0]["has_changes"] and summary["stacks"][0]["report"] == "acme-prod.md"


def test_a_pack_that_did_not_run_is_said() -> None:
    silent = outcome("dev", "new-revision")
    silent.policy_packs = {}
    md = render_fleet(FleetResult([silent], jobs=1))
    assert "⚠️ pack did not run" in md and "no policy pack ran" in md
    assert "**✅ Nothing blocks the merge.**" in md


def test_drifted_objects() -> None:
    urn = "urn:pulumi:dev::p::kubernetes:apps/v1:Deployment::api"
    assert drifted_object("same", urn, "kubernetes:apps/v1:Deployment", {}, {}) is None
    gone = drifted_object("delete", urn, "kubernetes:apps/v1:Deployment", {"a": 1}, None)
    assert gone is not None and gone.change == "gone" and gone.name == "api"
    changed = drifted_object(
        "update",
        urn,
        "kubernetes:apps/v1:Deployment",
        {"spec": {"replicas": 2, "x": 1}, "__inputs": {}},
        {"spec": {"replicas": 5, "x": 1}},
    )
    assert changed is not None and changed.paths == ["spec.replicas"]


def test_the_drift_report() -> None:
    synced = StackDrift("acme-prod", analyze(load_preview(str(fixture_path("no-changes")))))
    behind = StackDrift("dev", analyze(load_preview(str(fixture_path("new-revision")))))
    behind.drifted.append(
        drifted_object(
            "update",
            "urn:pulumi:dev::p::kubernetes:apps/v1:Deployment::dataplane-agent-alpha-api",
            "kubernetes:apps/v1:Deployment",
            {"spec": {"replicas": 2}},
            {"spec": {"replicas": 7}},
        )  # type: ignore[arg-type]
    )
    assert exit_code([synced]) == 0 and exit_code([synced, behind]) == 1
    md = render_drift([synced, behind])
    assert "**⚠️ drift in `dev`.**" in md
    assert "| `acme-prod` | ✅ in sync | 0 | 0 | 0 |" in md
    assert "| `dev` | ⚠️ drift | 1 | 1 | 5 |" in md
    assert "| `agent-alpha` | new revision |" in md
    assert "| `dataplane-agent-alpha-api` | Deployment | changed | `spec.replicas` |" in md


def test_each_stack_gets_its_own_passphrase_and_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "shared")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_ACME_PROD", "acme")
    monkeypatch.setenv("DATAPLANE_KUBECONFIG_ACME_PROD", "/k/acme.yaml")
    monkeypatch.delenv("DATAPLANE_KUBECONFIG", raising=False)
    fleet = Fleet(Project(REPO), "file:///state", Path("/tmp/x"))
    acme, dev = fleet.env("acme-prod"), fleet.env("dev")
    assert (
        acme["PULUMI_CONFIG_PASSPHRASE"] == "acme" and dev["PULUMI_CONFIG_PASSPHRASE"] == "shared"
    )
    assert acme["DATAPLANE_KUBECONFIG"] == "/k/acme.yaml" and "DATAPLANE_KUBECONFIG" not in dev
    assert acme["PULUMI_BACKEND_URL"] == dev["PULUMI_BACKEND_URL"] == "file:///state"
    assert acme["PULUMI_RUNTIME_VIRTUALENV"] == str(REPO / ".venv")
    dry = Fleet(Project(REPO), "file:///state", Path("/tmp/x"), Overrides(render_dir=Path("/r")))
    assert dry.env("acme-prod")["DATAPLANE_KUBECONFIG"] == ""  # render, whatever is set


def test_the_project_stacks() -> None:
    stacks = Project(REPO).stacks()
    assert {"dev", "acme-prod"} <= set(stacks)
    assert stacks == sorted(p.name[7:-5] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", ""], "no backend"),
        (["--backend", "file:///x", "nope"], "no stack file for nope"),
        (["--backend", "file:///x", "--jobs", "0"], "--jobs must be 1 or more"),
        (["--backend", "file:///x", "--accept-data-loss", "nope", "dev"], "not previewed"),
        (["--backend", "file:///x", "--project-dir", "/nonexistent"], "holds no Pulumi.yaml"),
    ],
)
def test_usage_errors(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    with pytest.raises(SystemExit) as exit_:
        fleet_main(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_the_docs_name_every_option() -> None:
    from preview_report.drift import parser as drift_parser
    from preview_report.fleet import parser as fleet_parser
    from preview_report.fleet_merge import parser as merge_parser

    doc = (REPO / "docs" / "fleet-preview.md").read_text()
    for p in (fleet_parser(), drift_parser(), merge_parser()):
        for action in p._actions:
            longest = max(action.option_strings, key=len, default=None)
            if longest and longest != "--help":
                assert f"`{longest}" in doc or f"{longest} " in doc, longest
    assert "<!-- pulumi-fleet-preview -->" in doc  # the examples are fleet reports
    assert "| `acme-prod` | changes |" in doc and "| `dev` | changes |" in doc
