"""The merge of a sharded fleet preview (`preview_report.fleet_merge`) without the engine:
outcomes built from real captures (fixtures/) go through partial reports and back, and the
merge of the shards is the single run's report. The engine runs it in
tests/integration/test_fleet_preview.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from preview_report import analyze, load_preview
from preview_report.fleet_files import outcome_of, part_json, part_name, summary_json
from preview_report.fleet_merge import main as merge_main
from preview_report.fleet_model import FleetResult, PolicyViolation, StackOutcome
from preview_report.fleet_render import render_fleet
from preview_report.fleet_shard import Shard, assign, timings_digest
from tests.preview_report.pr_fixtures import fixture_path

REPO = Path(__file__).resolve().parents[2]
PACK = {"langgraph-dataplane": "0.1.0"}
FIXTURES = (
    "new-revision",
    "database-replace",
    "failed-preview",
    "no-changes",
    "scale-change",
    "deployment-deleted",
    "new-deployment",
    "initial",
)
# The fields of fleet.json that are clock readings: a shard's differ from a single run's.
TIMING_FIELDS = {"seconds", "started", "finished"}


def outcome(stack: str, fixture: str, start: float, **kwargs: Any) -> StackOutcome:
    report = analyze(load_preview(f"{stack}={fixture_path(fixture)}"))
    return StackOutcome(
        stack, report, policy_packs=dict(PACK), started=start, finished=start + 5, **kwargs
    )


def fleet(accept: frozenset[str] = frozenset()) -> list[StackOutcome]:
    """Eleven stacks: clean ones, data-loss risks, a failure, a policy violation, a stack
    that could not be opened; in the order of their names."""
    outcomes = [
        outcome(f"customer-{i:02d}", fixture, float(i))
        for i, fixture in enumerate(FIXTURES * 2)
        if i < 10
    ]
    outcomes[4].violations = [PolicyViolation("x", "advisory", "r", "an advisory | message")]
    outcomes[5].violations = [PolicyViolation("listener", "mandatory", "l", "shared")]
    outcomes[5].report.errors = ["preview failed"]
    locked = outcome("locked", "no-changes", 0.0, setup_error="no passphrase for stack 'locked'")
    locked.policy_packs = {}
    outcomes.append(locked)
    for o in outcomes:
        o.data_loss_accepted = o.stack in accept
    return sorted(outcomes, key=lambda o: o.stack)


def write_parts(
    tmp_path: Path,
    outcomes: list[StackOutcome],
    count: int,
    overrides: dict[int, dict[str, Any]] | None = None,
) -> list[Path]:
    """The partial reports `--shard i/count` would write for `outcomes`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    stacks = [o.stack for o in outcomes]
    split = assign(stacks, count, {})
    paths = []
    for i, members in enumerate(split, start=1):
        mine = [o for o in outcomes if o.stack in members]
        part = part_json(
            FleetResult(mine, jobs=2),
            Shard(i, count),
            stacks=stacks,
            digest=timings_digest(stacks, {}),
            title="Fleet preview (abc1234)",
            fold_after=10,
        )
        part.update((overrides or {}).get(i, {}))
        path = tmp_path / part_name(Shard(i, count))
        path.write_text(json.dumps(part))
        paths.append(path)
    return paths


def without_times(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in s.items() if k not in TIMING_FIELDS} for s in summary["stacks"]]


def merged(paths: list[Path], out: Path, *extra: str) -> tuple[int, str, dict[str, Any]]:
    code = merge_main(
        ["--out-dir", str(out), "-o", str(out / "stdout.md"), *extra, *map(str, paths)]
    )
    return code, (out / "fleet.md").read_text(), json.loads((out / "fleet.json").read_text())


def test_an_outcome_survives_its_partial_report() -> None:
    for o in fleet(frozenset({"customer-01"})):
        part = part_json(
            FleetResult([o], jobs=1),
            Shard(1, 1),
            stacks=[o.stack],
            digest="",
            title=None,
            fold_after=10,
        )
        back = outcome_of(json.loads(json.dumps(part))["outcomes"][0])
        assert back == o
        assert back.blocking == o.blocking and back.failed == o.failed


@pytest.mark.parametrize("count", [1, 2, 3, 4, 11, 13])
def test_the_merge_of_the_shards_is_the_single_run(tmp_path: Path, count: int) -> None:
    outcomes = fleet()
    single = FleetResult(outcomes, jobs=2)
    expected_md = render_fleet(single, title="Fleet preview (abc1234)")
    code, md, summary = merged(write_parts(tmp_path, outcomes, count), tmp_path / "out")
    assert code == single.exit_code == 1
    assert md == expected_md
    assert (tmp_path / "out" / "stdout.md").read_text() == md
    expected = summary_json(single)
    assert without_times(summary) == without_times(expected)
    assert summary["shards"] == count and summary["jobs"] == 2
    assert summary["exit_code"] == expected["exit_code"]
    assert [s["stack"] for s in summary["stacks"]] == sorted(o.stack for o in outcomes)


def test_the_merge_keeps_the_exit_rules(tmp_path: Path) -> None:
    # customer-01 and customer-09 risk data (database-replace); customer-05 violates.
    clean = [o for o in fleet() if o.stack not in ("customer-05", "locked", "customer-02")]
    code, md, _ = merged(write_parts(tmp_path / "a", clean, 3), tmp_path / "out-a")
    assert code == 1 and "4 data-loss risks not accepted" in md
    accepted = [
        o
        for o in fleet(frozenset({"customer-01", "customer-09"}))
        if o.stack in {c.stack for c in clean}
    ]
    code, md, summary = merged(write_parts(tmp_path / "b", accepted, 3), tmp_path / "out-b")
    assert code == 0 and summary["exit_code"] == 0
    assert "**✅ Nothing blocks the merge.** Data-loss risks accepted for" in md


def test_the_merge_records_the_times(tmp_path: Path) -> None:
    timings = tmp_path / "timings.json"
    merged(write_parts(tmp_path, fleet(), 2), tmp_path / "out", "--timings", str(timings))
    seconds = json.loads(timings.read_text())["seconds"]
    # Five seconds each; the stack that never opened has no preview time.
    assert seconds == {o.stack: 5.0 for o in fleet() if o.stack != "locked"}


def refusal(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        merge_main([str(p) for p in paths])
    assert exit_.value.code == 2
    return capsys.readouterr().err


def test_the_merge_refuses_parts_of_different_fleets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = fleet()
    two = write_parts(tmp_path / "two", outcomes, 2)
    three = write_parts(tmp_path / "three", outcomes, 3)
    err = refusal([two[0], three[1]], capsys)
    assert "different shard counts (part-1-of-2.json is 1/2, part-2-of-3.json is 2/3)" in err
    assert "missing shard 2/2" in refusal(two[:1], capsys)
    assert "missing shards 1/3, 3/3" in refusal(three[1:2], capsys)
    assert "shard 1/2 given twice" in refusal([two[0], two[0], two[1]], capsys)

    # A stack previewed by two shards (shard 1 ran customer-00 too).
    doubled = json.loads(two[0].read_text())
    other = json.loads(two[1].read_text())
    doubled["outcomes"].append(other["outcomes"][0])
    two[0].write_text(json.dumps(doubled))
    stack = other["outcomes"][0]["stack"]
    assert f"stack {stack!r} is in shards 1/2 and 2/2" in refusal(two, capsys)

    # A stack no shard previewed.
    dropped = write_parts(tmp_path / "dropped", outcomes, 2)
    part = json.loads(dropped[1].read_text())
    gone = part["outcomes"].pop()["stack"]
    dropped[1].write_text(json.dumps(part))
    assert f"stacks in no shard: {gone}" in refusal(dropped, capsys)

    other_list = write_parts(tmp_path / "list", outcomes, 2, {2: {"stacks": ["dev"]}})
    assert "different stack lists" in refusal(other_list, capsys)
    other_split = write_parts(tmp_path / "split", outcomes, 2, {2: {"timings_digest": "x"}})
    assert "different splits" in refusal(other_split, capsys)

    junk = tmp_path / "junk.json"
    junk.write_text('{"kind": "something else"}')
    assert "not a partial report of the fleet preview" in refusal([junk], capsys)
    junk.write_text("{")
    assert "junk.json: not a partial report" in refusal([junk], capsys)
    malformed = write_parts(tmp_path / "malformed", outcomes, 1)
    part = json.loads(malformed[0].read_text())
    del part["outcomes"][0]["report"]
    malformed[0].write_text(json.dumps(part))
    assert "malformed" in refusal(malformed, capsys)


def test_the_merge_imports_no_pulumi() -> None:
    """The merge job runs on a bare Python: no SDK, no virtualenv."""
    code = (
        "import sys, preview_report.fleet_merge;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pulumi', 'pydantic', 'httpx', 'yaml'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_cut_report_is_cut_alike(tmp_path: Path) -> None:
    """A fleet too big for one comment: the merge cuts it where the single run does."""
    outcomes = [
        outcome(f"customer-{i:03d}", FIXTURES[i % len(FIXTURES)], float(i)) for i in range(120)
    ]
    expected = render_fleet(FleetResult(outcomes, jobs=2), title="Fleet preview (abc1234)")
    assert "…report cut at 60000 characters" in expected
    _, md, _ = merged(write_parts(tmp_path, outcomes, 4), tmp_path / "out")
    assert md == expected


def test_a_merged_result_keeps_the_shards_figures() -> None:
    result = FleetResult(fleet()[:2], jobs=3, shards=4, peak=2)
    assert result.max_concurrent() == 2  # not from the spans: other runners' clocks
    summary = summary_json(result)
    assert summary["shards"] == 4 and summary["max_concurrent"] == 2
    assert "2 stacks, at most 3 previewed at once" in render_fleet(result)
