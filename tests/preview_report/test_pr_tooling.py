"""The command line, the touched-stacks matrix and the local command (the workflows:
test_workflows.py)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from preview_report.cli import main
from preview_report.render import MARKER
from preview_report.touched import env_suffix, matrix, stacks_in, touched
from tests.preview_report.pr_fixtures import fixture_path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "preview-report.sh"


# --- python -m preview_report ---------------------------------------------------------


def test_cli_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.md"
    assert main([str(fixture_path("new-revision")), "-o", str(out)]) == 0
    assert out.read_text().startswith(MARKER.format(stack="dev"))
    assert capsys.readouterr().out == ""
    assert main([f"x={fixture_path('no-changes')}"]) == 0
    assert "### Pulumi preview: stack `x`" in capsys.readouterr().out


def test_cli_fold_after(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(fixture_path("scale-change")), "--fold-after", "3"])
    assert "<summary><b>Scale and resources</b> (20)</summary>" in capsys.readouterr().out
    main([str(fixture_path("scale-change"))])  # 20 rows: more than the default 10
    assert "<summary><b>Scale and resources</b> (20)</summary>" in capsys.readouterr().out
    main([str(fixture_path("scale-change")), "--fold-after", "20"])
    assert "#### Scale and resources" in capsys.readouterr().out


def test_cli_reports_unreadable_documents(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = tmp_path / "preview-staging.json"
    empty.write_text("")
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    code = main([str(empty), str(garbage), str(tmp_path / "missing.json"), "--fail-on-error"])
    md = capsys.readouterr().out
    assert code == 1
    assert "### Pulumi preview: stack `staging`" in md  # from preview-<stack>.json
    assert "empty output: the preview failed before printing its JSON" in md
    assert "no JSON document in the output" in md
    assert "cannot read" in md
    assert md.count("❌ failed") == 3  # the overview table
    assert main([str(empty)]) == 0  # without --fail-on-error the report is the result


def test_cli_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(fixture_path("new-deployment").read_text()))
    assert main(["-"]) == 0
    assert "agent-delta-0003" in capsys.readouterr().out


def test_module_entry_point() -> None:
    done = subprocess.run(
        [str(REPO / ".venv/bin/python"), "-m", "preview_report", str(fixture_path("no-changes"))],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "No changes" in done.stdout


# --- the stacks a change touches -------------------------------------------------------


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["stacks/Pulumi.dev.yaml"], ["dev"]),
        (["stacks/Pulumi.acme-prod.yaml", "README.md"], ["acme-prod"]),
        (["components/resources/postgres.py"], ["acme-prod", "dev"]),
        (["__main__.py"], ["acme-prod", "dev"]),
        (["requirements.txt"], ["acme-prod", "dev"]),
        (["requirements-dev.txt"], ["acme-prod", "dev"]),
        (["Pulumi.yaml"], ["acme-prod", "dev"]),
        (["README.md", "docs/x.md", "tests/unit/test_x.py"], []),
        (["stacks/Pulumi.gone.yaml"], []),  # a deleted stack file: nothing to preview
        (["local_controlplane/app.py"], []),
    ],
)
def test_touched_stacks(changed: list[str], expected: list[str]) -> None:
    assert touched(changed, ["acme-prod", "dev"]) == expected


def test_the_repository_stacks_and_matrix() -> None:
    assert {"dev", "acme-prod"} <= set(stacks_in(REPO))
    assert env_suffix("acme-prod") == "ACME_PROD"
    assert matrix(["acme-prod"]) == [{"stack": "acme-prod", "env_suffix": "ACME_PROD"}]


def test_touched_command(tmp_path: Path) -> None:
    changed = tmp_path / "changed.txt"
    changed.write_text("stacks/Pulumi.dev.yaml\n")
    done = subprocess.run(
        [
            str(REPO / ".venv/bin/python"),
            "-m",
            "preview_report.touched",
            "--changed-files",
            str(changed),
            "--matrix",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == [{"stack": "dev", "env_suffix": "DEV"}]


# --- scripts/preview-report.sh ---------------------------------------------------------

FAKE_PULUMI = """#!/usr/bin/env bash
# A stand-in for the CLI: `preview --stack S --json` prints the fixture of stack S.
stack=""
while [ $# -gt 0 ]; do case $1 in --stack) stack=$2; shift 2;; *) shift;; esac; done
case $stack in
  dev) cat "$FIXTURES/new-revision.json" ;;
  acme-prod) echo '{}'; echo "error: could not decrypt configuration value" >&2; exit 255 ;;
esac
"""


@pytest.fixture
def fake_toolchain(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("pulumi", FAKE_PULUMI), ("pulumi-language-python", "#!/bin/sh\n")):
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return {
        **os.environ,
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PREVIEW_REPORT_NO_TOOLCHAIN_ENV": "1",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "",
        "FIXTURES": str(fixture_path("x").parent),
        "PREVIEW_REPORT_WORK_DIR": str(tmp_path / "work"),
    }


def run_script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args], cwd=REPO, env=env, capture_output=True, text=True
    )


def test_local_command_reports_every_stack(fake_toolchain: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    done = run_script(fake_toolchain, "-o", str(out))
    assert done.returncode == 1, done.stderr  # acme-prod's preview failed
    md = out.read_text()
    assert md == done.stdout
    assert md.startswith("## Pulumi preview report")
    assert "| `acme-prod` | ❌ failed |" in md and "| `dev` | changes | 1 | 0 |" in md
    assert "could not decrypt configuration value" in md  # the end of acme-prod's log
    assert "`registry.example.com/agents/alpha:2.0.0`" in md


def test_local_command_given_stacks(fake_toolchain: dict[str, str]) -> None:
    done = run_script(fake_toolchain, "dev")
    assert done.returncode == 0, done.stderr
    assert "acme-prod" not in done.stdout and "stack `dev`" in done.stdout
    assert run_script(fake_toolchain, "nope").returncode == 2


def test_local_command_says_when_the_toolchain_is_incomplete(
    fake_toolchain: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "bin" / "pulumi-language-python").unlink()
    env = {
        **fake_toolchain,
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_HOME": str(tmp_path / "home"),
    }
    done = run_script(env, "dev")
    assert done.returncode == 3
    assert "the Pulumi toolchain is incomplete" in done.stderr
    assert "no `pulumi-language-python` language host" in done.stderr
    assert "no `kubernetes` resource plugin" in done.stderr
    assert "no `random` resource plugin" in done.stderr
    assert "No preview was run" in done.stderr
    assert done.stdout == ""


def test_local_command_without_a_cli(fake_toolchain: dict[str, str], tmp_path: Path) -> None:
    shutil.rmtree(tmp_path / "bin")
    done = run_script(fake_toolchain)
    assert done.returncode == 3
    assert "no `pulumi` CLI on PATH" in done.stderr


# --- docs/preview-report.md ------------------------------------------------------------


@pytest.mark.parametrize("name", ["new-revision", "database-replace"])
def test_the_documented_examples_are_the_reports_of_the_fixtures(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = (REPO / "docs" / "preview-report.md").read_text()
    begin, end = (
        f"<!-- example:{name}:begin -->\n````markdown\n",
        f"````\n<!-- example:{name}:end -->",
    )
    shown = doc[doc.index(begin) + len(begin) : doc.index(end)]
    main([str(fixture_path(name))])
    assert shown == capsys.readouterr().out


def test_the_report_imports_no_pulumi() -> None:
    # It shares the project's names (components/core/names.py) but runs on a bare Python in CI.
    code = (
        "import sys, preview_report, preview_report.touched;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulumi', 'pydantic', 'httpx'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    assert (
        "components.core.names"
        in subprocess.run(
            [sys.executable, "-c", "import sys, preview_report; print(sorted(sys.modules))"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
