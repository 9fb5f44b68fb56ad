"""The GitHub workflows: valid for actionlint (with shellcheck on their scripts), and wired to
the fleet commands as the docs say. actionlint is the version pinned in
toolchain/versions.env, installed by scripts/install-actionlint.sh (scripts/test.sh runs it
on the workflows too)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from preview_report.fleet_render import FLEET_MARKER
from preview_report.fleet_shard import read_timings, write_timings
from preview_report.render import MARKER
from preview_report.stack_secrets import stack_env

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
SHELLCHECK = REPO / ".venv" / "bin" / "shellcheck"


@pytest.fixture(scope="module")
def actionlint() -> str:
    done = subprocess.run(
        [REPO / "scripts" / "install-actionlint.sh"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def lint(actionlint: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint, "-no-color", "-shellcheck", str(SHELLCHECK), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_actionlint_is_the_pinned_version(actionlint: str) -> None:
    pinned = next(
        line.split("=", 1)[1]
        for line in (REPO / "toolchain" / "versions.env").read_text().splitlines()
        if line.startswith("ACTIONLINT_VERSION=")
    )
    version = subprocess.run([actionlint, "-version"], capture_output=True, text=True, check=True)
    assert version.stdout.splitlines()[0] == f"v{pinned}"
    assert SHELLCHECK.exists()  # without it actionlint skips the run: scripts silently


def test_the_workflows_pass_actionlint(actionlint: str) -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"preview.yml", "drift.yml"}
    done = lint(actionlint, *files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_refuses_a_broken_workflow(actionlint: str, tmp_path: Path) -> None:
    """The check can fail: a reference to a step that does not exist, a shell bug."""
    broken = tmp_path / ".github" / "workflows" / "preview.yml"
    broken.parent.mkdir(parents=True)
    text = (WORKFLOWS / "preview.yml").read_text()
    text = text.replace(
        "if: steps.fleet.outputs.exit-code != '0'", "if: steps.flet.outputs.exit-code"
    )
    text = text.replace('cat fleet-out/fleet.md >> "$GITHUB_STEP_SUMMARY"', "cat $UNQUOTED")
    broken.write_text(text)
    done = lint(actionlint, broken)
    assert done.returncode == 1
    assert 'property "flet" is not defined' in done.stdout
    assert "SC2086" in done.stdout  # shellcheck's unquoted variable


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in job["steps"])


def test_the_pull_request_workflow_runs_the_shards_as_a_matrix() -> None:
    wf = workflow("preview.yml")
    assert set(wf[True]["pull_request"]["types"]) >= {"synchronize", "labeled", "unlabeled"}
    assert wf["permissions"]["pull-requests"] == "write"
    plan, shard, report = wf["jobs"]["plan"], wf["jobs"]["shard"], wf["jobs"]["report"]
    assert set(wf["jobs"]) == {"plan", "shard", "report"}
    assert "python -m preview_report.touched --base" in runs(plan)
    assert set(plan["outputs"]) == {"stacks", "shards", "count", "timings"}
    restore = next(s for s in plan["steps"] if s.get("uses", "").startswith("actions/cache/"))
    assert restore["uses"].startswith("actions/cache/restore")
    assert restore["with"]["restore-keys"] == "fleet-timings-"

    # The matrix: one job per shard, each the fleet preview of its shard.
    assert shard["needs"] == "plan"
    assert shard["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    assert shard["strategy"]["fail-fast"] is False
    text = runs(shard)
    assert "./scripts/setup-venv.sh" in text  # .venv and the pack's policy/.venv
    assert "python -m preview_report.stack_secrets" in text
    assert '.venv/bin/python -m preview_report.fleet --shard "$SHARD" --timings' in text
    assert "--out-dir fleet-out" in text
    assert "--accept-data-loss=" in text and "accept-data-loss:" in text
    step = next(s for s in shard["steps"] if "preview_report.fleet --shard" in s.get("run", ""))
    assert step["env"]["SHARD"] == "${{ matrix.shard }}/${{ needs.plan.outputs.count }}"
    assert step["env"]["TIMINGS"] == "${{ needs.plan.outputs.timings }}"
    upload = shard["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact")
    assert upload["with"]["name"] == "fleet-part-${{ matrix.shard }}"
    for name in (
        "PULUMI_BACKEND_URL",
        "PULUMI_CONFIG_PASSPHRASE",
        "LANGGRAPH_CONTROL_PLANE_API_KEY",
    ):
        assert name in shard["env"]
        assert name not in report.get("env", {})  # the merge job reads no secret

    # One job merges every shard's part and posts.
    assert report["needs"] == ["plan", "shard"]
    assert "!cancelled()" in report["if"] and "needs.plan.result == 'success'" in report["if"]
    download = next(s for s in report["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"] == {
        "pattern": "fleet-part-*",
        "merge-multiple": True,
        "path": "fleet-out",
    }
    assert (
        "python -m preview_report.fleet_merge --out-dir fleet-out --timings fleet-timings.json "
        "fleet-out/part-*.json" in runs(report)
    )
    assert ".venv" not in runs(report)  # a bare Python: test_fleet_merge checks it imports no SDK
    save = next(s for s in report["steps"] if s.get("uses", "").startswith("actions/cache/save"))
    assert save["with"]["path"] == "fleet-timings.json"
    assert save["with"]["key"].startswith("fleet-timings-")
    script = next(
        s for s in report["steps"] if s.get("uses", "").startswith("actions/github-script")
    )
    js = script["with"]["script"]
    # The markers the script looks for are those the reports start with.
    assert f"'{FLEET_MARKER}'" in js
    assert "`" + MARKER.format(stack="${stack.stack}") + "`" in js
    assert "stack.has_changes" in js and "updateComment" in js and "createComment" in js
    assert "fleet-out/fleet.json" in js
    last = report["steps"][-1]
    assert last["if"] == "steps.fleet.outputs.exit-code != '0'" and "exit 1" in last["run"]


def plan_outputs(tmp_path: Path, stacks: list[str], max_shards: str) -> dict[str, str]:
    """Run the plan job's `Shards` step as the runner would, in `tmp_path`."""
    (step,) = (
        s for s in workflow("preview.yml")["jobs"]["plan"]["steps"] if s.get("id") == "split"
    )
    output = tmp_path / "github-output"
    output.write_text("")
    subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        env={
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "STACKS": json.dumps(stacks),
            "MAX_SHARDS": max_shards,
            "GITHUB_OUTPUT": str(output),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


def test_the_plan_hands_every_shard_the_same_split(tmp_path: Path) -> None:
    stacks = ["acme-prod", "dev", "standalone-example"]
    first = plan_outputs(tmp_path, stacks, "4")
    # No more shards than stacks; no recorded times yet.
    assert first == {"shards": "[1, 2, 3]", "count": "3", "timings": "{}"}
    assert plan_outputs(tmp_path, stacks * 3, "4")["shards"] == "[1, 2, 3, 4]"
    assert plan_outputs(tmp_path, stacks, "1")["shards"] == "[1]"
    # The merge of the last run recorded times (the cache restored them): handed over as
    # one line, which the shard step writes back to a file the fleet reads.
    write_timings(tmp_path / "fleet-timings.json", {"dev": 7.5, "acme-prod": 9.25})
    handed = plan_outputs(tmp_path, stacks, "2")
    assert handed["count"] == "2" and "\n" not in handed["timings"]
    (tmp_path / "shard-timings.json").write_text(handed["timings"] + "\n")
    assert read_timings(tmp_path / "shard-timings.json") == {"dev": 7.5, "acme-prod": 9.25}


def test_the_nightly_drift_workflow() -> None:
    wf = workflow("drift.yml")
    assert wf[True]["schedule"][0]["cron"] == "17 3 * * *"
    assert "workflow_dispatch" in wf[True]
    (job,) = wf["jobs"].values()
    assert ".venv/bin/python -m preview_report.drift" in runs(job)
    assert job["steps"][-1]["if"] == "steps.drift.outputs.exit-code != '0'"


def test_per_stack_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secrets = {
        "KUBECONFIG_ACME_PROD": "apiVersion: v1\nkind: Config\n",
        "PULUMI_CONFIG_PASSPHRASE_ACME_PROD": "acme-pass",
        "PULUMI_CONFIG_PASSPHRASE": "shared",  # the job's env has it already
        "GITHUB_TOKEN": "x",
        "KUBECONFIG_EMPTY": "",
    }
    lines = stack_env(secrets, tmp_path)
    assert lines == [
        f"DATAPLANE_KUBECONFIG_ACME_PROD={tmp_path / 'kubeconfig-acme_prod'}",
        "PULUMI_CONFIG_PASSPHRASE_ACME_PROD=acme-pass",
    ]
    written = tmp_path / "kubeconfig-acme_prod"
    assert written.read_text() == secrets["KUBECONFIG_ACME_PROD"]
    assert written.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError, match="several lines"):
        stack_env({"PULUMI_CONFIG_PASSPHRASE_X": "a\nb"}, tmp_path)
    done = subprocess.run(
        [REPO / ".venv/bin/python", "-m", "preview_report.stack_secrets", "--out-dir", tmp_path],
        cwd=REPO,
        env={"SECRETS_JSON": json.dumps(secrets), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == lines
    assert "acme-pass" not in done.stderr
