"""The fleet preview's split into shards (`preview_report.fleet_shard`): every stack in exactly
one shard, the same split whatever the order and the machine, and balanced by the recorded
times. The engine runs the shards in tests/integration/test_fleet_preview.py."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from preview_report.fleet import main as fleet_main
from preview_report.fleet_shard import (
    Shard,
    assign,
    parse_shard,
    read_timings,
    shard_of,
    timings_digest,
    weights,
    write_timings,
)

REPO = Path(__file__).resolve().parents[2]


def names(n: int) -> list[str]:
    bases = ("dev", "acme-prod", "standalone-example", "globex")
    return [f"{bases[i % len(bases)]}-{i // len(bases):02d}" for i in range(n)]


def loads(split: list[list[str]], seconds: dict[str, float]) -> list[float]:
    return [sum(seconds[s] for s in shard) for shard in split]


def test_parse_shard() -> None:
    assert parse_shard("1/1") == Shard(1, 1)
    assert str(parse_shard(" 3/4")) == "3/4"
    for bad in ("0/2", "3/2", "1/0", "1", "a/b", "1/2/3", "-1/2", ""):
        with pytest.raises(ValueError, match="--shard"):
            parse_shard(bad)


@pytest.mark.parametrize("timed", ["none", "some", "all"])
def test_every_stack_in_exactly_one_shard(timed: str) -> None:
    rng = random.Random(23)
    for total, count in itertools.product((0, 1, 2, 3, 7, 60, 500), (1, 2, 3, 4, 7, 20)):
        stacks = names(total)
        known = {"none": [], "some": stacks[::3], "all": stacks}[timed]
        timings = {s: rng.uniform(0.5, 30) for s in known}
        split = assign(stacks, count, timings)
        assert len(split) == count
        flat = [s for shard in split for s in shard]
        assert sorted(flat) == sorted(stacks), (total, count)  # each once, none lost
        per_shard = [shard_of(stacks, Shard(i, count), timings) for i in range(1, count + 1)]
        assert [sorted(s) for s in per_shard] == split


def test_without_timings_the_split_is_by_count() -> None:
    for total, count in itertools.product((5, 60, 61, 500), (2, 4, 20)):
        sizes = [len(s) for s in assign(names(total), count, {})]
        assert max(sizes) - min(sizes) <= 1, (total, count, sizes)


def test_the_split_ignores_the_order_and_the_process() -> None:
    stacks = names(60)
    timings = {s: float(i % 7 + 1) for i, s in enumerate(stacks)}
    split = assign(stacks, 4, timings)
    shuffled = list(stacks)
    random.Random(1).shuffle(shuffled)
    assert assign(shuffled, 4, timings) == split
    assert assign(reversed(stacks), 4, dict(reversed(timings.items()))) == split
    # shard_of keeps the order it was given (the report's order is the fleet's).
    mine = shard_of(shuffled, Shard(2, 4), timings)
    assert mine == [s for s in shuffled if s in set(split[1])]
    # Another interpreter, with another string hash seed, splits alike.
    code = (
        "import json, sys; from preview_report.fleet_shard import assign;"
        "a = json.load(sys.stdin); print(json.dumps(assign(a['stacks'], 4, a['timings'])))"
    )
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps({"stacks": shuffled, "timings": timings}),
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(done.stdout) == split


def test_a_new_stack_without_time_counts_as_the_median() -> None:
    timings = {"a": 1.0, "b": 2.0, "c": 9.0}
    assert weights(["a", "b", "c", "new"], timings) == {
        "a": 1000,
        "b": 2000,
        "c": 9000,
        "new": 2000,
    }
    assert weights(["x", "y"], {}) == {"x": 1000, "y": 1000}
    assert timings_digest(["a", "b"], timings) != timings_digest(["a", "b"], {"a": 2.0})
    assert timings_digest(["b", "a"], timings) == timings_digest(["a", "b"], timings)


def optimum(seconds: list[float], count: int) -> float:
    """The best possible slowest shard, by trying every split."""
    return min(
        max(sum(s for s, k in zip(seconds, ks, strict=True) if k == i) for i in range(count))
        for ks in itertools.product(range(count), repeat=len(seconds))
    )


def test_the_recorded_times_balance_the_shards() -> None:
    rng = random.Random(4)
    # Small fleets: within 4/3 of the best split (the longest-first bound), often equal.
    for trial in range(30):
        count = 2 + trial % 2
        stacks = names(rng.randint(count, 8))
        seconds = {s: round(rng.uniform(1, 40), 3) for s in stacks}
        best = optimum(list(seconds.values()), count)
        slowest = max(loads(assign(stacks, count, seconds), seconds))
        assert slowest <= best * 4 / 3 + 1e-6, (seconds, count)
    # A fleet of many stacks: the slowest shard within a few percent of the mean.
    stacks = names(500)
    seconds = {s: rng.lognormvariate(2, 0.6) for s in stacks}
    for count in (2, 4, 20):
        per_shard = loads(assign(stacks, count, seconds), seconds)
        bound = max(sum(seconds.values()) / count, max(seconds.values()))
        assert max(per_shard) <= bound * 1.02, (count, max(per_shard), bound)


def test_the_times_beat_a_split_by_count() -> None:
    """A few slow stacks (a big customer) among fast ones: by count, one shard gets them
    together; by time, they are spread."""
    stacks = names(40)
    seconds = {s: 2.0 for s in stacks}
    slow = [s for s in stacks if s.startswith("globex")][:6]
    seconds.update({s: 30.0 for s in slow})
    by_count = max(loads(assign(stacks, 4, {}), seconds))
    by_time = max(loads(assign(stacks, 4, seconds), seconds))
    mean = sum(seconds.values()) / 4
    assert by_time < by_count
    assert by_time <= mean * 1.1, (by_time, mean)


def test_the_timings_file(tmp_path: Path) -> None:
    path = tmp_path / "t" / "timings.json"
    assert read_timings(path) == {} and read_timings(None) == {}
    write_timings(path, {"dev": 7.12345, "acme-prod": 9.0})
    write_timings(path, {"dev": 6.5})  # keeps acme-prod, which this run did not preview
    assert read_timings(path) == {"acme-prod": 9.0, "dev": 6.5}
    assert json.loads(path.read_text())["version"] == 1
    for bad in ("[1, 2]", '{"seconds": {"dev": "slow"}}', "not json", '{"seconds": {"a": -1}}'):
        path.write_text(bad)
        with pytest.raises(ValueError, match="not a timings file"):
            read_timings(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "3/2"], "i must be from 1 to n"),
        (["--shard", "half"], "expected i/n"),
        (["--shard", "1/2"], "--shard needs --out-dir"),
        (["--timings", "{bad}"], "not a timings file"),
    ],
)
def test_shard_usage_errors(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(REPO)
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    args = [str(bad) if a == "{bad}" else a for a in args]
    with pytest.raises(SystemExit) as exit_:
        fleet_main(["--backend", "file:///x", *args])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
