"""The fleet's report from the partial reports of its shards.

    python -m preview_report.fleet_merge [--out-dir DIR] [-o FILE] [--timings FILE] PART ...

Each PART is a `part-<i>-of-<n>.json` that `python -m preview_report.fleet --shard i/n`
wrote. The merge writes what a single run writes: the Markdown (to `-o`, else stdout) and,
with `--out-dir`, `fleet.md` and `fleet.json`, the stacks in the single run's order. With
`--timings FILE` it records every stack's measured time there, for the next split.

It refuses (exit 2, saying why) parts that do not make one fleet: different shard counts,
a shard missing or given twice, different stack lists, titles or splits, a stack in two
shards or in none. Otherwise the exit status is the fleet's: 0 when nothing blocks, 1 when a
stack failed, has a mandatory policy violation or an unaccepted data-loss risk.
Needs no engine and no Pulumi SDK.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .fleet_files import PART_KIND, PART_VERSION, measured_seconds, outcome_of, publish
from .fleet_model import FleetResult, StackOutcome
from .fleet_shard import Shard, write_timings


class MergeError(ValueError):
    """The partial reports do not make one fleet."""


def read_part(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise MergeError(f"{path}: not a partial report ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") != PART_KIND:
        raise MergeError(f"{path}: not a partial report of the fleet preview")
    if data.get("version") != PART_VERSION:
        raise MergeError(
            f"{path}: partial report version {data.get('version')}, this merge reads {PART_VERSION}"
        )
    return data


def merge(parts: list[tuple[Path, dict[str, Any]]]) -> FleetResult:
    """One fleet result of the parts of every shard; MergeError when they do not fit."""
    if not parts:
        raise MergeError("no partial report")
    shards = [(path, Shard(p["shard"]["index"], p["shard"]["count"])) for path, p in parts]
    counts = sorted({s.count for _, s in shards})
    if len(counts) > 1:
        listed = ", ".join(f"{path.name} is {s}" for path, s in shards)
        raise MergeError(f"partial reports of different shard counts ({listed})")
    (count,) = counts
    seen: dict[int, Path] = {}
    for path, shard in shards:
        if shard.index in seen:
            raise MergeError(f"shard {shard} given twice: {seen[shard.index]} and {path}")
        seen[shard.index] = path
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing:
        raise MergeError(f"missing shard{'s' * (len(missing) > 1)} {', '.join(missing)}")
    first = parts[0][1]
    for key, what in (
        ("stacks", "stack lists"),
        ("title", "titles"),
        ("fold_after", "--fold-after"),
        ("timings_digest", "splits (different --timings files)"),
    ):
        if any(p[key] != first[key] for _, p in parts):
            raise MergeError(f"partial reports of different runs: different {what}")
    found: dict[str, tuple[Shard, StackOutcome]] = {}
    for (_, part), (_, shard) in zip(parts, shards, strict=True):
        for data in part["outcomes"]:
            outcome = outcome_of(data)
            if outcome.stack in found:
                raise MergeError(
                    f"stack {outcome.stack!r} is in shards {found[outcome.stack][0]} and {shard}"
                )
            found[outcome.stack] = (shard, outcome)
    stacks = list(first["stacks"])
    unknown = sorted(set(found) - set(stacks))
    if unknown:
        raise MergeError(f"stacks not in the fleet's list: {', '.join(unknown)}")
    absent = [s for s in stacks if s not in found]
    if absent:
        raise MergeError(f"stacks in no shard: {', '.join(absent)}")
    return FleetResult(
        [found[s][1] for s in stacks],
        jobs=max(p["jobs"] for _, p in parts),
        shards=count,
        peak=max(p["max_concurrent"] for _, p in parts),
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m preview_report.fleet_merge",
        description="The fleet preview's report from its shards' partial reports. Exit 1 "
        "when a stack failed, has a mandatory policy violation or an unaccepted data-loss "
        "risk; 2 when the parts do not make one fleet.",
    )
    p.add_argument("parts", nargs="+", type=Path, metavar="PART", help="part-<i>-of-<n>.json")
    p.add_argument("--out-dir", type=Path, help="also write fleet.md and fleet.json there")
    p.add_argument("-o", "--output", type=Path, help="the report (default: stdout)")
    p.add_argument(
        "--timings",
        type=Path,
        metavar="FILE",
        help="record each stack's measured preview time in FILE (for the next --shard split)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        parts = [(path, read_part(path)) for path in args.parts]
        result = merge(parts)
    except MergeError as exc:
        p.error(str(exc))
    except (KeyError, TypeError) as exc:
        p.error(f"a partial report is malformed: {exc!r}")
    first = parts[0][1]
    if args.timings:
        write_timings(args.timings, measured_seconds(result))
    publish(
        result,
        title=first["title"],
        fold_after=first["fold_after"],
        out_dir=args.out_dir,
        output=args.output,
    )
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
