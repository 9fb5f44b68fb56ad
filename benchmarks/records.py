"""The figures of a run, one record each, and the targets judged on them.

A record is what docs/benchmarks.json holds per figure: its name, the program, the number of
served deployments N, the delay added to each control-plane request, the median, min and max
of its repeats, the baseline it is judged against (by name, with its median) and the ratio:
the median of the ratios of runs made one after the other (programs take turns, so a change
of the machine's load between pairs cancels out), with their min and max. The Markdown page
is rendered from the same records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .fit import line, linear_or_better, median, spread

OPS = ("preview", "up", "noop-preview")
OP_NAMES = {"preview": "preview", "up": "first up", "noop-preview": "no-op preview"}
PROGRAM_NAMES = {
    "dataplane": "full data plane",
    "static": "static program",
    "empty": "empty program",
}

# The targets of issue 23, as ratios against the static program in the same run.
PREVIEW_RATIO = 1.20
REMOTE_RATIO = 1.20
REMOTE_LATENCY = 0.05
NOOP_RATIO = 1.30
MEMORY_RATIO = 1.10
MEMORY = "peak memory of the process tree"


@dataclass
class Record:
    """One figure."""

    name: str
    """The figure in words: program, operation, N, latency, and what is measured."""
    kind: str
    """What is measured: `time`, `peak memory of the process tree`, `control-plane
    requests`, `time against the engine's floor`."""
    program: str
    op: str
    n: int
    """Served deployments."""
    latency_ms: float
    """Added to each control-plane request (0: loopback)."""
    unit: str
    median: float
    min: float
    max: float
    runs: int
    baseline: str | None = None
    baseline_median: float | None = None
    ratio: float | None = None
    ratio_min: float | None = None
    ratio_max: float | None = None
    values: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def label(program: str, op: str, n: int, latency_s: float = 0.0) -> str:
    where = "loopback" if not latency_s else f"{latency_s * 1000:.0f} ms per request"
    return f"{PROGRAM_NAMES[program]}, {OP_NAMES[op]}, N={n}, {where}"


def runs_of(runs: list[dict[str, Any]], program: str, op: str) -> list[dict[str, Any]]:
    return [r for r in runs if r["program"] == program and r["op"] == op]


def pair_ratios(ours: list[float], base: list[float]) -> list[float]:
    return [a / b for a, b in zip(ours, base, strict=False) if b > 0]


def figure(
    kind: str,
    unit: str,
    program: str,
    op: str,
    n: int,
    latency_s: float,
    values: list[float],
    baseline: tuple[str, list[float]] | None = None,
) -> Record:
    lo, hi = spread(values)
    record = Record(
        name=f"{label(program, op, n, latency_s)}: {kind}",
        kind=kind,
        program=program,
        op=op,
        n=n,
        latency_ms=round(latency_s * 1000, 3),
        unit=unit,
        median=median(values),
        min=lo,
        max=hi,
        runs=len(values),
        values=values,
    )
    if baseline is not None and baseline[1]:
        base_name, base_values = baseline
        ratios = pair_ratios(values, base_values) or [median(values) / median(base_values)]
        record.baseline = base_name
        record.baseline_median = median(base_values)
        record.ratio = median(ratios)
        record.ratio_min, record.ratio_max = spread(ratios)
    return record


def engine_records(runs: list[dict[str, Any]], n: int, latency_s: float) -> list[Record]:
    """Time, memory and requests of the data plane and the static program in one worker's
    runs; the data plane's judged against the static program's, run in turns with it."""
    out: list[Record] = []
    for program in ("dataplane", "static"):
        for op in OPS:
            mine = runs_of(runs, program, op)
            if not mine:
                continue
            times = [r["wall_s"] for r in mine]
            memory = [float(r["tree_peak_bytes"]) for r in mine]
            base_time = base_memory = None
            if program == "dataplane":
                static = runs_of(runs, "static", op)
                base = label("static", op, n, latency_s)
                base_time = (base, [r["wall_s"] for r in static])
                base_memory = (base, [float(r["tree_peak_bytes"]) for r in static])
            out.append(figure("time", "s", program, op, n, latency_s, times, base_time))
            out.append(
                figure(
                    "peak memory of the process tree",
                    "bytes",
                    program,
                    op,
                    n,
                    latency_s,
                    memory,
                    base_memory,
                )
            )
            if program == "dataplane":
                requests = [float(r["requests"]) for r in mine]
                record = figure(
                    "control-plane requests", "requests", program, op, n, latency_s, requests
                )
                record.baseline = "N+2"
                record.baseline_median = float(n + 2)
                record.ratio = record.max / (n + 2)
                record.ratio_min, record.ratio_max = record.min / (n + 2), record.ratio
                out.append(record)
    return out


def floor_records(floor: list[dict[str, Any]]) -> list[Record]:
    """The empty program: the engine's floor."""
    out = []
    for op in OPS:
        mine = runs_of(floor, "empty", op)
        if mine:
            out.append(figure("time", "s", "empty", op, 0, 0.0, [r["wall_s"] for r in mine]))
            memory = [float(r["tree_peak_bytes"]) for r in mine]
            out.append(
                figure("peak memory of the process tree", "bytes", "empty", op, 0, 0.0, memory)
            )
    return out


def noop_vs_floor(runs: list[dict[str, Any]], n: int) -> Record | None:
    """The full data plane's no-op preview against the empty program's, run in turns."""
    mine = runs_of(runs, "dataplane", "noop-preview")
    empty = runs_of(runs, "empty", "noop-preview")
    if not mine or not empty:
        return None
    return figure(
        "time against the engine's floor",
        "s",
        "dataplane",
        "noop-preview",
        n,
        0.0,
        [r["wall_s"] for r in mine],
        (label("empty", "noop-preview", 0), [r["wall_s"] for r in empty]),
    )


@dataclass
class Fit:
    """Time against N for one program and operation: a least-squares line and a verdict."""

    program: str
    op: str
    sizes: list[int]
    medians: list[float]
    intercept_s: float
    per_deployment_s: float
    r2: float
    linear_or_better: bool

    def as_json(self) -> dict[str, Any]:
        return {"name": "time against N", **asdict(self)}


def fits(records: list[Record]) -> list[Fit]:
    out = []
    for program in ("dataplane", "static"):
        for op in OPS:
            rows = sorted(
                (
                    r
                    for r in records
                    if r.kind == "time"
                    and r.program == program
                    and r.op == op
                    and r.latency_ms == 0
                ),
                key=lambda r: r.n,
            )
            if len({r.n for r in rows}) < 2:
                continue
            xs = [float(r.n) for r in rows]
            ys = [r.median for r in rows]
            fitted = line(xs, ys)
            ok = len(xs) < 3 or linear_or_better(xs, ys, [r.max - r.min for r in rows])
            out.append(
                Fit(
                    program,
                    op,
                    [r.n for r in rows],
                    ys,
                    fitted.intercept,
                    fitted.slope,
                    fitted.r2,
                    ok,
                )
            )
    return out


@dataclass
class Target:
    figure: str
    target: str
    measured: str
    met: bool | None
    """None: not measured in this run."""
    within_noise: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def find(records: list[Record], **match: Any) -> Record | None:
    for r in records:
        if all(getattr(r, k) == v for k, v in match.items()):
            return r
    return None


def ratio_text(r: Record) -> str:
    assert r.baseline_median is not None
    if r.unit == "bytes":
        mine, base = f"{r.median / 2**20:.0f} MiB", f"{r.baseline_median / 2**20:.0f} MiB"
    else:
        mine, base = f"{r.median:.2f} s", f"{r.baseline_median:.2f} s"
    return f"{mine} vs {base}: {r.ratio:.2f}\u00d7 (pairs {r.ratio_min:.2f}\u2013{r.ratio_max:.2f})"


def ratio_target(figure_name: str, r: Record | None, limit: float) -> Target:
    if r is None or r.ratio is None:
        return Target(figure_name, f"\u2264 {limit:.2f}\u00d7", "not measured", None)
    assert r.ratio_min is not None and r.ratio_max is not None
    return Target(
        figure_name,
        f"\u2264 {limit:.2f}\u00d7",
        ratio_text(r),
        r.ratio <= limit,
        r.ratio_min <= limit <= r.ratio_max,
    )


def targets(records: list[Record], fitted: list[Fit], biggest: int, smallest: int) -> list[Target]:
    out = [
        ratio_target(
            f"full data plane preview at N={biggest}, loopback, vs the static program",
            find(records, kind="time", program="dataplane", op="preview", n=biggest, latency_ms=0),
            PREVIEW_RATIO,
        ),
        ratio_target(
            f"same, {REMOTE_LATENCY * 1000:.0f} ms per request",
            find(
                records,
                kind="time",
                program="dataplane",
                op="preview",
                n=biggest,
                latency_ms=REMOTE_LATENCY * 1000,
            ),
            REMOTE_RATIO,
        ),
    ]
    requests = [r for r in records if r.kind == "control-plane requests"]
    worst = [r for r in requests if r.max > r.n + 2]
    shown = ", ".join(
        f"{OP_NAMES[r.op]} N={r.n}: {r.max:.0f}"
        for r in sorted(requests, key=lambda r: (r.op, r.n))
        if r.latency_ms == 0
    )
    out.append(
        Target(
            "requests per preview, per no-op preview and per first up",
            "\u2264 N+2",
            shown or "not measured",
            (not worst) if requests else None,
        )
    )
    out.append(
        ratio_target(
            f"no-op preview at N={smallest}, vs the static program",
            find(
                records,
                kind="time",
                program="dataplane",
                op="noop-preview",
                n=smallest,
                latency_ms=0,
            ),
            NOOP_RATIO,
        )
    )
    for op in ("preview", "up"):
        out.append(
            ratio_target(
                f"peak memory of the {OP_NAMES[op]} at N={biggest}, vs the static program",
                find(records, kind=MEMORY, program="dataplane", op=op, n=biggest, latency_ms=0),
                MEMORY_RATIO,
            )
        )
    mine = [f for f in fitted if f.program == "dataplane"]
    out.append(
        Target(
            "time against N (full data plane)",
            "linear or better",
            "; ".join(
                f"{OP_NAMES[f.op]}: {f.intercept_s:.2f} s + {f.per_deployment_s * 1000:.1f} ms"
                f" \u00d7 N (r\u00b2 {f.r2:.2f})"
                for f in mine
            )
            or "not measured",
            all(f.linear_or_better for f in mine) if mine else None,
        )
    )
    return out


def build(results: dict[str, Any]) -> dict[str, Any]:
    """Every figure of a run, its fits and its targets, as docs/benchmarks.json holds them."""
    sizes: list[int] = results["meta"]["sizes"]
    smallest, biggest = min(sizes), max(sizes)
    floor = results["engine"][str(smallest)]["runs"]
    records: list[Record] = floor_records(floor)
    for n in sizes:
        runs = results["engine"][str(n)]["runs"]
        records += engine_records(runs, n, 0.0)
        extra = noop_vs_floor(runs, n)
        if extra:
            records.append(extra)
    for remote in results.get("latency", []):
        records += engine_records(remote["runs"], remote["size"], remote["latency_s"])
    fitted = fits(records)
    return {
        "records": records,
        "fits": fitted,
        "targets": targets(records, fitted, biggest, smallest),
    }


def to_json(results: dict[str, Any]) -> dict[str, Any]:
    built = build(results)
    meta = results["meta"]
    return {
        "command": meta["command"],
        "started": meta["started"],
        "commit": meta["git"]["commit"],
        "quick": meta.get("quick", False),
        "under_load": meta.get("under_load", False),
        "figures": [r.as_json() for r in built["records"]],
        "fits": [f.as_json() for f in built["fits"]],
        "targets": [t.as_json() for t in built["targets"]],
    }
