"""Which stacks one shard of the fleet preview runs (`--shard i/n`), and the recorded preview
times that balance the shards (`--timings FILE`).

The assignment depends only on the set of stacks, n and the recorded times: not on the order
the stacks were given in, nor on the machine, so every shard of one CI run, each on its own
runner, computes the same split. Longest first (LPT): each stack, slowest first, goes to the
shard with the least recorded time so far. A stack with no recorded time counts as the
median of those recorded (1 s when none is), so with no timings at all the split is by count
(sizes differ by at most one) in the order of a hash of the names.

The timings file: `{"version": 1, "seconds": {"<stack>": 12.3, ...}}`. A full run and the
merge rewrite it with what they measured, keeping the stacks they did not run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

TIMINGS_VERSION = 1
UNKNOWN_SECONDS = 1.0


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count`, 1-based as written: `2/4`."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """`i/n` with 1 <= i <= n; ValueError saying what is wrong otherwise."""
    index, sep, count = text.partition("/")
    if not sep or not index.strip().isdigit() or not count.strip().isdigit():
        raise ValueError(f"--shard {text!r}: expected i/n, such as 1/4")
    shard = Shard(int(index), int(count))
    if shard.count < 1 or not 1 <= shard.index <= shard.count:
        raise ValueError(f"--shard {text!r}: i must be from 1 to n, and n at least 1")
    return shard


def _tiebreak(stack: str) -> str:
    # A hash rather than the name, so that stacks named alike (acme-01, acme-02...) spread.
    return hashlib.sha256(stack.encode()).hexdigest()


def weights(stacks: Iterable[str], timings: Mapping[str, float]) -> dict[str, int]:
    """Each stack's recorded milliseconds (integers: the same sums on every machine)."""
    names = sorted(set(stacks))
    known = sorted(timings[s] for s in names if s in timings)
    fallback = known[len(known) // 2] if known else UNKNOWN_SECONDS
    return {s: max(1, round(1000 * timings.get(s, fallback))) for s in names}


def assign(stacks: Iterable[str], count: int, timings: Mapping[str, float]) -> list[list[str]]:
    """The stacks of each shard (index 0 is shard 1), each list sorted by name."""
    cost = weights(stacks, timings)
    shards: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for stack in sorted(cost, key=lambda s: (-cost[s], _tiebreak(s), s)):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        shards[lightest].append(stack)
        loads[lightest] += cost[stack]
    return [sorted(s) for s in shards]


def shard_of(stacks: Iterable[str], shard: Shard, timings: Mapping[str, float]) -> list[str]:
    """The stacks shard `shard` runs, in the order they were given."""
    stacks = list(stacks)
    mine = set(assign(stacks, shard.count, timings)[shard.index - 1])
    return [s for s in stacks if s in mine]


def read_timings(path: Path | None) -> dict[str, float]:
    """The recorded seconds per stack; none when `path` is None or does not exist yet.

    ValueError when the file is there but is not a timings file."""
    if path is None or not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a timings file ({exc})") from None
    seconds = doc.get("seconds") if isinstance(doc, dict) else None
    if not isinstance(seconds, dict) or not all(
        isinstance(v, int | float) and v >= 0 for v in seconds.values()
    ):
        raise ValueError(f'{path}: not a timings file (expected {{"seconds": {{stack: s}}}})')
    return {str(k): float(v) for k, v in seconds.items()}


def timings_digest(stacks: Iterable[str], timings: Mapping[str, float]) -> str:
    """A short digest of what the split depends on, so a merge can tell two splits apart."""
    cost = weights(stacks, timings)
    return hashlib.sha256(json.dumps(cost, sort_keys=True).encode()).hexdigest()[:16]


def write_timings(path: Path, measured: Mapping[str, float]) -> None:
    """Record `measured` in `path`, keeping the stacks it does not name."""
    seconds = read_timings(path) if path.exists() else {}
    seconds.update({s: round(v, 3) for s, v in measured.items()})
    doc = {"version": TIMINGS_VERSION, "seconds": dict(sorted(seconds.items()))}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n")
