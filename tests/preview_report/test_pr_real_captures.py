"""The report of REAL `pulumi preview --json` captures from the project's own engine runs.

Nothing here is constructed: each fixture is the CLI's stdout, unchanged (fixtures/README.md).
Expected values are read from the fixtures' steps where they are run-specific (revision ids).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pr_fixtures import REAL, fixture_doc, fixture_path

from preview_report import analyze, load_preview, render_report
from preview_report.render import marker

OLD_ALPHA = "docker.io/langchain/langgraph-api:0.4.20-py3.11"
NEW_ALPHA = "registry.example.com/agents/alpha:2.0.0"


def sync_step(name: str, deployment: str) -> dict:
    steps = fixture_doc(name)["steps"]
    return next(s for s in steps if s["urn"].endswith(f"::revision-{deployment}"))


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


@pytest.mark.parametrize("name", REAL)
def test_real_fixtures_are_engine_output(name: str) -> None:
    doc = fixture_doc(name)
    if name == "no-language-host":
        assert doc == {}  # what the CLI prints with --json when it cannot start the program
        return
    assert set(doc) >= {"config", "steps", "changeSummary"}
    for step in doc["steps"]:
        assert step["urn"].startswith("urn:pulumi:dev::langgraph-dataplane::")
        assert "kubernetes:" not in step["urn"]  # the plugins cannot be built here


def test_new_revision(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("new-revision")
    step = sync_step("new-revision", "agent-alpha")
    old_rev = step["oldState"]["outputs"]["revision_id"][:8]
    new_rev = step["newState"]["inputs"]["revision_id"][:8]
    assert md.startswith(marker("dev"))
    assert "[!CAUTION]" not in md and "[!WARNING]" not in md
    assert "**Summary:** 1 revision change, 0 scale/resource changes, 0 data-loss risks" in md
    assert "0 to create, 1 to update, 0 to replace, 0 to delete, 3 unchanged" in md
    revisions = section(md, "LangGraph deployments changing revision")
    assert (
        f"| `agent-alpha` | new revision | `{OLD_ALPHA}` → `{NEW_ALPHA}` | "
        f"`{old_rev}` → `{new_rev}` |"
    ) in revisions
    changes = section(md, "Resource changes")
    assert re.search(r"\| ✏️ update \| `revision-agent-alpha` \| RevisionSync \| .*`image`", changes)
    assert "Scale and resources" not in md


def test_the_show_secrets_capture_is_the_same_document(report_of: Callable) -> None:
    # Pulumi 3.259.0 prints `[secret]` in --json previews whatever --show-secrets says
    # (pkg/backend/display/json.go): the two captures differ only in their duration.
    plain, shown = fixture_doc("new-revision"), fixture_doc("new-revision-show-secrets")
    plain.pop("duration"), shown.pop("duration")
    assert plain == shown
    assert report_of("new-revision").revisions == report_of("new-revision-show-secrets").revisions


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
    }
    md = markdown_of("scale-change")
    scale = section(md, "Scale and resources")
    # Scale first, in the order a reviewer reads them.
    assert scale.index("`min_scale`") < scale.index("`max_scale`") < scale.index("`cpu`")
    assert "| `agent-beta` | `max_scale` | `2` → `5` |" in scale
    # The PATCH made a new revision with the same image.
    (rev,) = report.revisions
    assert rev.change == "new revision" and rev.old_image == rev.new_image
    assert f"`{rev.new_image}` (unchanged)" in md


def test_new_deployment(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("new-deployment")
    step = sync_step("new-deployment", "agent-delta-0003")
    image = step["newState"]["inputs"]["image"]
    assert (
        f"| `agent-delta-0003` | new deployment | — → `{image}` | "
        f"— → `{step['newState']['inputs']['revision_id'][:8]}` | scale 1 to 1 |"
    ) in md
    assert "| ➕ create | `revision-agent-delta-0003` | RevisionSync | new in the program |" in md  # noqa: RUF001
    assert "1 to create, 0 to update, 0 to replace, 0 to delete, 4 unchanged" in md


def test_no_changes(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("no-changes")
    assert "No changes" in md
    assert "0 to create, 0 to update, 0 to replace, 0 to delete, 4 unchanged" in md
    assert "####" not in md and "|---|" not in md


def test_initial_preview_lists_every_deployment(report_of: Callable) -> None:
    report = report_of("initial")
    assert [(r.deployment, r.change) for r in report.revisions] == [
        ("agent-alpha", "new deployment"),
        ("agent-beta", "new deployment"),
    ]
    # The Stack itself and the default provider are not listed as changes.
    assert [c.name for c in report.changes] == [
        "listener-registration",
        "revision-agent-alpha",
        "revision-agent-beta",
    ]


def test_deployment_deleted_is_a_warning_not_a_data_loss(markdown_of: Callable[..., str]) -> None:
    md = markdown_of("deployment-deleted")
    assert "> [!WARNING]" in md and "[!CAUTION]" not in md
    assert "**LangGraph deployment `agent-beta` leaves this data plane**" in md
    assert md.index("[!WARNING]") < md.index("**Summary:**")
    assert "| `agent-beta` | removed |" in md
    assert "| 🗑️ delete | `revision-agent-beta` | RevisionSync | no longer declared |" in md


def test_deployment_recreated_is_a_replacement_with_its_reason(
    markdown_of: Callable[..., str],
) -> None:
    md = markdown_of("deployment-recreated")
    assert "| 🔁 replace | `revision-agent-beta` | RevisionSync | `deployment_id` |" in md
    assert "recreated" in md and "new control-plane deployment id" in md
    assert "0 to create, 0 to update, 1 to replace, 0 to delete" in md


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
