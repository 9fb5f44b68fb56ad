"""docs/benchmarks.md from the raw results of `run`: tables, targets, verdicts."""

from __future__ import annotations

import itertools
import math
from typing import Any

from components.controlplane.client import MAX_PAGE_SIZE

from .fit import increments, line, linear_or_better, median, spread
from .procmem import mib
from .profiles import AREAS

OPS = ("preview", "up", "noop-preview")
TARGET_RATIO = 1.2
TOLERANCE = 1.25  # fit.linear_or_better's default
PAGE = MAX_PAGE_SIZE  # deployments per page of the list
AREA_OURS = AREAS[0][0]
X, DASH, MINUS = "\u00d7", "\u2013", "\u2212"  # x, en dash, minus sign


def op_runs(result: dict[str, Any], op: str) -> list[dict[str, Any]]:
    return [r for r in result["runs"] if r["op"] == op]


def wall(result: dict[str, Any], op: str) -> float:
    return median([r["wall_s"] for r in op_runs(result, op)])


def noise(result: dict[str, Any], op: str) -> float:
    lo, hi = spread([r["wall_s"] for r in op_runs(result, op)])
    return hi - lo


def requests(result: dict[str, Any], op: str) -> list[int]:
    return sorted({r["requests"] for r in op_runs(result, op)})


def pair_ratios(ours: dict[str, Any], base: dict[str, Any], op: str) -> list[float]:
    """Ours / baseline per pair of runs made one after the other (the programs take turns),
    so a change of the machine's load between pairs cancels out."""
    a = [r["wall_s"] for r in op_runs(ours, op)]
    b = [r["wall_s"] for r in op_runs(base, op)]
    return [x / y for x, y in zip(a, b, strict=False)]


def ratio_text(ratios: list[float]) -> str:
    lo, hi = spread(ratios)
    return f"{median(ratios):.2f}{X} (pairs {lo:.2f}{DASH}{hi:.2f})"


def ratio_verdict(ratios: list[float], target: float) -> str:
    lo, hi = spread(ratios)
    text = verdict(median(ratios) <= target)
    return f"{text}, within the noise" if lo <= target <= hi else text


def s(x: float) -> str:
    return f"{x:.2f} s"


def ms(x: float) -> str:
    return f"{x * 1000:.2f} ms" if abs(x) < 0.01 else f"{x * 1000:.1f} ms"


def timing(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f} s"
    lo, hi = spread(values)
    return f"{median(values):.2f} s ({lo:.2f}{DASH}{hi:.2f})"


def mem(values: list[float]) -> str:
    return f"{mib(median(values)):.0f}"


def counts(values: list[int]) -> str:
    return "/".join(str(v) for v in values)


def table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def cpu_rows(loads: list[dict[str, Any]]) -> list[list[str]]:
    """Per phase, from one /proc/stat snapshot to the next: busy and stolen shares."""
    rows = []
    for start, end in itertools.pairwise(loads):
        delta = [b - a for a, b in zip(start["cpu"], end["cpu"], strict=False)]
        total = sum(delta[:8]) or 1  # user nice system idle iowait irq softirq steal
        idle, stolen = delta[3] + delta[4], delta[7]
        rows.append(
            [
                start["phase"],
                f"{start['load'][0]:.2f}",
                f"{100 * (total - idle - stolen) / total:.0f}%",
                f"{100 * stolen / total:.0f}%",
            ]
        )
    return rows


class Report:
    def __init__(self, results: dict[str, Any]):
        self.r = results
        self.meta = results["meta"]
        self.sizes: list[int] = self.meta["sizes"]
        self.engine = results["engine"]
        self.mocks = results["mocks"]
        self.lines: list[str] = []

    # -- helpers -----------------------------------------------------------------------------

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def eng(self, program: str, size: int) -> dict[str, Any]:
        return self.engine[program][str(size)]  # type: ignore[no-any-return]

    def mock_values(self, variant: str, size: int, key: str) -> list[float]:
        runs = self.mocks[variant][str(size)]
        return [run["cold"][key] for run in runs if key in run["cold"]]

    def ratios(self, size: int, op: str) -> list[float]:
        return pair_ratios(self.eng("synced", size), self.eng("static", size), op)

    def mock_ratios(self, size: int) -> list[float]:
        """Synced / static per pair of fresh processes run one after the other."""
        synced = self.mock_values("synced", size, "total_s")
        static = self.mock_values("static", size, "total_s")
        return [a / b for a, b in zip(synced, static, strict=False)]

    def growth(self, program: str, op: str) -> tuple[list[float], bool, Any]:
        ys = [wall(self.eng(program, n), op) for n in self.sizes]
        spreads = [noise(self.eng(program, n), op) for n in self.sizes]
        return (
            increments(self.sizes, ys),
            linear_or_better(self.sizes, ys, spreads),
            line(self.sizes, ys),
        )

    def mock_growth(self, variant: str) -> tuple[list[float], bool, Any]:
        values = [self.mock_values(variant, n, "total_s") for n in self.sizes]
        ys = [median(v) for v in values]
        spreads = [spread(v)[1] - spread(v)[0] for v in values]
        return (
            increments(self.sizes, ys),
            linear_or_better(self.sizes, ys, spreads),
            line(self.sizes, ys),
        )

    # -- sections ----------------------------------------------------------------------------

    def header(self) -> None:
        m, mach = self.meta, self.meta["machine"]
        loads = self.meta["loads"]
        ones = [row["load"][0] for row in loads]
        self.add(
            "# Benchmarks: what a sync costs, and how it grows",
            "",
            "Generated by the benchmark script, in one run on one machine; do not edit by hand.",
            "To refresh every figure on this page, from the root of the repository:",
            "",
            "```bash",
            m["command"],
            "```",
            "",
            f"Run on {m['started']}, {m['duration_s'] / 60:.1f} minutes, {m['repeats']} runs "
            f"per figure (median, with min{DASH}max), commit `{m['git']['commit']}`"
            + (
                f" with uncommitted changes in {', '.join(d[3:] for d in m['git']['dirty'])}."
                if m["git"]["dirty"]
                else "."
            )
            + " Raw results: `.work/benchmarks/results.json` (not committed).",
            "",
            "## Machine",
            "",
            *table(
                ["", ""],
                [
                    ["cores", mach["cores"]],
                    ["CPU", mach["cpu"]],
                    ["memory", f"{mach['memory_gib']} GiB"],
                    ["OS", mach["os"]],
                    ["Python", mach["python"]],
                    ["Pulumi CLI (engine)", mach["pulumi_cli"]],
                    ["Pulumi Python SDK", mach["pulumi_sdk"]],
                    ["pulumi-kubernetes SDK", mach["pulumi_kubernetes_sdk"]],
                    [
                        "resource plugins",
                        f"kubernetes {mach['kubernetes_plugin']}, random {mach['random_plugin']}",
                    ],
                    [
                        "load average (1 min) during the run",
                        f"{min(ones):.2f} to {max(ones):.2f}",
                    ],
                ],
            ),
            "",
            "The machine is shared (another engineer runs engine tests on it, and the "
            'hypervisor\'s other guests take CPU time: "stolen"), so the conditions moved '
            f"during the run; the min{DASH}max spreads below show how much that mattered. Per "
            "phase: the 1-minute load average as it started, and the share of both cores "
            "that was busy (this benchmark keeps about one busy) or stolen, from /proc/stat:",
            "",
            *table(["phase", "load (1 min)", "CPU busy", "CPU stolen"], cpu_rows(loads)),
            "",
        )

    def targets(self) -> None:
        big = max(self.sizes)
        preview_ratios = self.ratios(big, "preview")
        request_ok = all(
            max(requests(self.eng("synced", n), op)) <= n + 2
            for n in self.sizes
            for op in ("preview", "noop-preview")
        )
        up_extra = max(max(requests(self.eng("synced", n), "up")) - n for n in self.sizes)
        _, linear, fit = self.growth("synced", "preview")
        _, mock_linear, mock_fit = self.mock_growth("synced")
        self.add(
            "## Targets",
            "",
            *table(
                ["target", "measured", "verdict"],
                [
                    [
                        f"`preview` at {big} deployments at most {TARGET_RATIO}{X} the static "
                        "baseline (engine: the control-plane half)",
                        f"{s(wall(self.eng('synced', big), 'preview'))} vs "
                        f"{s(wall(self.eng('static', big), 'preview'))}: "
                        f"{ratio_text(preview_ratios)}",
                        ratio_verdict(preview_ratios, TARGET_RATIO),
                    ],
                    *self.latency_target(),
                    [
                        f"same, for the program side of the full data plane (mocks, "
                        f"{big} deployments)",
                        ratio_text(self.mock_ratios(big)),
                        ratio_verdict(self.mock_ratios(big), TARGET_RATIO),
                    ],
                    [
                        "at most N+2 control-plane requests per `preview` (and no-op preview)",
                        ", ".join(
                            f"N={n}: {counts(requests(self.eng('synced', n), 'preview'))}"
                            for n in self.sizes
                        ),
                        verdict(request_ok),
                    ],
                    [
                        "at most N+2 per `up` of a new stack",
                        ", ".join(
                            f"N={n}: {counts(requests(self.eng('synced', n), 'up'))}"
                            for n in self.sizes
                        ),
                        verdict(up_extra <= 2)
                        + (
                            f": N+{up_extra}, see [requests](#2-control-plane-requests)"
                            if up_extra > 2
                            else ""
                        ),
                    ],
                    [
                        "`preview` time grows linearly or better with N (engine)",
                        f"{ms(fit.slope)} per deployment over a {s(fit.intercept)} base "
                        f"(r² {fit.r2:.2f})",
                        verdict(linear),
                    ],
                    [
                        "program time grows linearly or better with N (mocks, full data plane)",
                        f"{ms(mock_fit.slope)} per deployment over {s(mock_fit.intercept)} "
                        f"(r² {mock_fit.r2:.2f})",
                        verdict(mock_linear),
                    ],
                    [
                        "`preview`/`up` of the full data plane (Kubernetes resources) in the "
                        "engine",
                        "not measured",
                        "**not measurable here**: the `kubernetes` and `random` resource "
                        "plugins cannot be built on this machine (docs/toolchain.md)",
                    ],
                ],
            ),
            "",
        )

    def sampling_share(self) -> float:
        shares = [
            100 * r.get("sampling_s", 0.0) / r["wall_s"]
            for program in ("synced", "static")
            for result in self.engine[program].values()
            for r in result["runs"]
        ]
        return median(shares)

    def latency_target(self) -> list[list[str]]:
        rows = []
        for lat in self.r.get("latency", []):
            ratios = pair_ratios(lat["synced"], lat["static"], "preview")
            rows.append(
                [
                    f"same, with {lat['latency_s'] * 1000:.0f} ms added to every control-plane "
                    "request (a remote control plane)",
                    f"{s(wall(lat['synced'], 'preview'))} vs "
                    f"{s(wall(lat['static'], 'preview'))}: {ratio_text(ratios)}",
                    ratio_verdict(ratios, TARGET_RATIO),
                ]
            )
        return rows

    def method(self) -> None:
        self.add(
            "## What was measured, and how",
            "",
            "- **Control plane**: the project's local server (`local_controlplane`) on "
            "loopback, in the benchmark's own process. For each size N it is reset to its "
            "example state and a listener `bench-cluster` gets exactly N deployments "
            "(`AdminClient.seed`, no secrets, `resource_spec` min/max scale 1) in namespace "
            "`langgraph`; the workspace then holds N+3 deployments.",
            "- **Engine** (`benchmarks/engine_worker.py`): the real Pulumi CLI through the "
            "Automation API, `file://` backend, the program inline (no language host can be "
            "built here). `synced` is the control-plane half of the real program (config, "
            "discovery, the listener registration, one `RevisionSync` per deployment: "
            "`sync_program` of tests/integration/test_sync_engine.py). `static` is its "
            "baseline: exactly the same resources (same types, names, inputs, secret outputs) "
            "declared from a discovery made in advance, with providers that answer `check`, "
            "`create` and `read` from their inputs (`benchmarks/static_providers.py`): no "
            "request at all. `empty` declares nothing: the engine's floor. Per repeat: a "
            "`preview` of a stack with no state, an `up` of a fresh stack, then a `preview` "
            "of that stack with nothing changed (no-op).",
            "- **Time** is the wall time of the Automation API call (it spawns the CLI, "
            "which starts the dynamic-provider host). **Memory** is the resident memory of "
            "the whole process tree, sampled every 200 ms from /proc: the worker process "
            "(which runs the program inline, like a language host would) plus the CLI and "
            "the provider host; the engine column is the CLI and provider host alone.",
            "- **Sampling cost**: the memory sampler runs in a thread of the program's process; "
            f"its CPU time was {self.sampling_share():.1f}% of the operations' wall time "
            "(median): its perturbation of the timings.",
            "- **Requests** are the server's own counters (`/_admin/stats`), reset before "
            "each operation.",
            "- **Full data plane** (`benchmarks/mocks_worker.py`): the real "
            "`components.program.main()` (config, discovery over HTTP, `build_stack`, "
            "exports) with every resource registered against `pulumi.runtime.set_mocks` "
            "(tests/unit/harness.py's mocks). `synced` serves the discovered deployments; "
            "`static` declares the same ones as `dataplane:deployments.<name>.static` with "
            "discovery off. Each run is the first in a fresh process (what a `pulumi "
            "preview` pays), after the imports; the peak Python memory comes from one more "
            "run under `tracemalloc`.",
            "",
        )

    def engine_section(self) -> None:
        rows = []
        for n in self.sizes:
            for program in ("synced", "static"):
                res = self.eng(program, n)
                pre = op_runs(res, "preview")
                rows.append(
                    [
                        n,
                        program,
                        timing([r["wall_s"] for r in pre]),
                        timing([r["wall_s"] for r in op_runs(res, "up")]),
                        timing([r["wall_s"] for r in op_runs(res, "noop-preview")]),
                        f"{mem([r['tree_peak_bytes'] for r in pre])} "
                        f"({mem([r['engine_peak_bytes'] for r in pre])})",
                        mem([r["tree_peak_bytes"] for r in op_runs(res, "up")]),
                        " / ".join(counts(requests(res, op)) for op in OPS),
                    ]
                )
        empty = self.engine["empty"]
        floor = op_runs(empty, "preview")
        ratio_rows = [
            [
                n,
                *(ratio_text(self.ratios(n, op)) for op in OPS),
                s(wall(self.eng("synced", n), "preview") - wall(self.eng("static", n), "preview")),
            ]
            for n in self.sizes
        ]
        self.add(
            "## 1. The engine: the control-plane half",
            "",
            *table(
                [
                    "N",
                    "program",
                    "preview",
                    "up",
                    "no-op preview",
                    "preview peak MiB: tree (engine)",
                    "up peak MiB",
                    "requests: preview / up / no-op",
                ],
                rows,
            ),
            "",
            f"**Floor**: `preview` of the empty program: {timing([r['wall_s'] for r in floor])}"
            f", peak {mem([r['tree_peak_bytes'] for r in floor])} MiB "
            f"({mem([r['engine_peak_bytes'] for r in floor])} MiB engine). Everything above "
            "is on top of that.",
            "",
            "Ours / static baseline: the median of the ratios of runs made one after the "
            "other, and their range:",
            "",
            *table(
                ["N", "preview", "up", "no-op preview", f"preview: ours {MINUS} baseline"],
                ratio_rows,
            ),
            "",
        )
        big = max(self.sizes)
        cpu_rows_ = []
        for program in ("empty", "synced", "static"):
            res = self.engine["empty"] if program == "empty" else self.eng(program, big)
            for op in OPS:
                runs = op_runs(res, op)
                if not runs or "cpu_program_s" not in runs[0]:
                    continue
                by = [r.get("cpu_by_command_s", {}) for r in runs]
                cpu_rows_.append(
                    [
                        program,
                        op,
                        s(median([r["wall_s"] for r in runs])),
                        s(median([r["cpu_program_s"] for r in runs])),
                        s(median([b.get("pulumi", 0.0) for b in by])),
                        s(median([b.get("python", 0.0) for b in by])),
                    ]
                )
        if cpu_rows_:
            self.add(
                f"Where the CPU goes at N={big} (and in the empty program), medians: the "
                "program's process (the inline program and its gRPC server), the CLI (the Go "
                "engine: plan, steps, state) and the dynamic-provider host (Python: "
                "`check`, `create`). Two cores: CPU seconds above the wall time ran in "
                "parallel.",
                "",
                *table(
                    ["program", "operation", "wall", "program process", "CLI", "provider host"],
                    cpu_rows_,
                ),
                "",
            )
        growth_rows = []
        for program in ("synced", "static"):
            for op in OPS:
                steps, ok, fit = self.growth(program, op)
                growth_rows.append(
                    [
                        program,
                        op,
                        ", ".join(ms(x) for x in steps),
                        f"{s(fit.intercept)} + {ms(fit.slope)} {X} N (r² {fit.r2:.2f})",
                        "linear or better" if ok else "**faster than linear** (beyond the noise)",
                    ]
                )
        sizes = self.sizes
        step_names = ", ".join(f"{a} to {b}" for a, b in itertools.pairwise(sizes))
        self.add(
            "Growth: cost per added deployment between sizes, and a least-squares line. A "
            f"step counts as faster than linear only when its cost per deployment exceeds "
            f"{TOLERANCE}{X} the step before by more than the spread of the repeats at its "
            "three sizes explains.",
            "",
            *table(
                ["program", "operation", f"per deployment ({step_names})", "fit", "growth"],
                growth_rows,
            ),
            "",
        )

    def requests_section(self) -> None:
        rows = []
        for n in self.sizes:
            res = self.eng("synced", n)
            routes = op_runs(res, "preview")[0]["by_route"]
            up_routes = op_runs(res, "up")[0]["by_route"]
            rows.append(
                [
                    n,
                    counts(requests(res, "preview")),
                    counts(requests(res, "noop-preview")),
                    counts(requests(res, "up")),
                    n + 2,
                    "<br>".join(f"{k}: {v}" for k, v in sorted(routes.items())),
                    "<br>".join(f"{k}: {v}" for k, v in sorted(up_routes.items())),
                    max(r["connections"] for r in res["runs"]),
                ]
            )
        self.add(
            "## 2. Control-plane requests",
            "",
            *table(
                [
                    "N",
                    "preview",
                    "no-op preview",
                    "up (new stack)",
                    "target N+2",
                    "preview, by route",
                    "up, by route",
                    "connections (max)",
                ],
                rows,
            ),
            "",
            "A preview makes one request for the listener list, one per page of the "
            "deployment list, and one per served deployment (its target revision; one more "
            "for a deployment whose latest revision is newer than its active one and not "
            f"pinned, to say why it is not rolled out). Pages hold {PAGE}: discovery lists "
            "every deployment of the workspace, served or not, so a workspace of D "
            f"deployments costs ⌈D/{PAGE}⌉ list requests and a preview makes "
            f"N + 1 + ⌈D/{PAGE}⌉; the N+2 target holds while the workspace has at most "
            f"{PAGE} deployments (here D = N+3, one page), and each further {PAGE} add one "
            "request. The static baseline makes none. An `up` of a new stack adds the "
            "listener registration: `POST /v2/listeners` answers 409 (the listener already "
            "exists: deployments are bound to it) and the provider adopts it through one more "
            "listener list, so a first `up` is N+4. Connections: the program's "
            "client and the provider host's shared client (requests reuse them).",
            "",
        )
        big = max(self.sizes)
        pages = {n: 1 + math.ceil((n + 3) / PAGE) + n for n in (big, 100, 250)}
        self.add(
            "Expected preview requests by the rule above (D = N+3): "
            + ", ".join(f"N={n}: {v}" for n, v in pages.items())
            + ".",
            "",
        )

    def latency_section(self) -> None:
        latencies = self.r.get("latency", [])
        if not latencies:
            return
        big = max(self.sizes)
        on_loopback = wall(self.eng("synced", big), "preview") - wall(
            self.eng("static", big), "preview"
        )
        rows = []
        serial = True
        for lat in latencies:
            delay, synced, static = lat["latency_s"], lat["synced"], lat["static"]
            gap = wall(synced, "preview") - wall(static, "preview")
            sent = max(requests(synced, "preview"))
            one_by_one = sent * delay
            added = gap - on_loopback
            serial = serial and added >= 0.75 * one_by_one
            rows.append(
                [
                    f"{delay * 1000:.0f} ms",
                    timing([r["wall_s"] for r in op_runs(synced, "preview")]),
                    timing([r["wall_s"] for r in op_runs(static, "preview")]),
                    ratio_text(pair_ratios(synced, static, "preview")),
                    s(gap),
                    f"{sent} {X} {delay * 1000:.0f} ms = {s(one_by_one)}",
                ]
            )
        self.add(
            "### A remote control plane (simulated)",
            "",
            f"The same previews at N={big}, with the server delaying every request (a latency "
            "fault of the local server; a round trip to a hosted control plane is of that "
            f"order). On loopback ours took {s(on_loopback)} more than the baseline.",
            "",
            *table(
                [
                    "delay per request",
                    "ours",
                    "baseline",
                    "ours / baseline",
                    f"ours {MINUS} baseline",
                    "the delay if requests are made one at a time",
                ],
                rows,
            ),
            "",
            (
                "The gap grows by the full delay of every request: they are made one at a "
                "time. The engine asks the provider host to `check` one resource after "
                "another, and each check waits for its request, so the sync costs N round "
                "trips end to end; with a remote control plane that is the largest part of "
                "what the sync adds to a preview."
                if serial
                else "The gap grows by less than the delay of every request: some requests overlap."
            ),
            "",
        )

    def mocks_section(self) -> None:
        rows = []
        for n in self.sizes:
            for variant in ("synced", "static"):
                runs = self.mocks[variant][str(n)]
                traced = [r["python_peak_bytes"] for r in runs if r.get("python_peak_bytes")]
                rows.append(
                    [
                        n,
                        variant,
                        runs[0]["cold"]["resources"],
                        timing([r["cold"]["total_s"] for r in runs]),
                        timing([r["cold"]["declare_s"] for r in runs]),
                        timing([r["cold"]["config_and_discovery_s"] for r in runs]),
                        timing([r["warm"]["total_s"] for r in runs if r.get("warm")]),
                        mem(traced) if traced else DASH,
                        mem([r["max_rss_bytes"] for r in runs]),
                    ]
                )
        ratio_rows = [
            [
                n,
                ratio_text(self.mock_ratios(n)),
                s(
                    median(self.mock_values("synced", n, "total_s"))
                    - median(self.mock_values("static", n, "total_s"))
                ),
            ]
            for n in self.sizes
        ]
        small = min(self.sizes)
        loading = median(self.mock_values("synced", small, "total_s")) - median(
            [r["warm"]["total_s"] for r in self.mocks["synced"][str(small)] if r.get("warm")]
        )
        growth_rows = []
        for variant in ("synced", "static"):
            steps, ok, fit = self.mock_growth(variant)
            growth_rows.append(
                [
                    variant,
                    ", ".join(ms(x) for x in steps),
                    f"{s(fit.intercept)} + {ms(fit.slope)} {X} N (r² {fit.r2:.2f})",
                    "linear or better" if ok else "**faster than linear** (beyond the noise)",
                ]
            )
        self.add(
            "## 3. The full data plane, program side (mocks)",
            "",
            *table(
                [
                    "N",
                    "variant",
                    "resources",
                    "whole run",
                    "of which declaring",
                    "of which config + discovery",
                    "second run, same process (one)",
                    "Python peak MiB",
                    "process max RSS MiB",
                ],
                rows,
            ),
            "",
            '"Whole run" is `main()` until every registration is done; "declaring" is '
            "the `build_stack` call (the components' constructors); the rest is the SDK "
            "serializing inputs and registering (with mocks standing in for the engine). "
            "The second run in the same process has every module loaded: at "
            f"N={small} it is {s(loading)} faster, which is mostly the lazy loading of the "
            "pulumi_kubernetes API groups on first use (section 4); at larger N the "
            "per-resource work dominates either way.",
            "",
            "Synced / static:",
            "",
            *table(["N", "whole run", f"synced {MINUS} static"], ratio_rows),
            "",
            *table(["variant", "per deployment", "fit", "growth"], growth_rows),
            "",
        )

    def imports_section(self) -> None:
        imp = self.r["imports"]
        med = imp["median"]
        rows = [
            ["`import pulumi`", s(med["pulumi"])],
            [
                f"`import pulumi_kubernetes` and the {imp['k8s_modules']} modules the data "
                "plane loads",
                s(med["pulumi_kubernetes"]),
            ],
            ["`import components.program` (our code, pydantic, httpx, ...)", s(med["components"])],
            ["total", s(sum(med.values()))],
        ]
        self.add(
            "## 4. Import cost (fresh processes)",
            "",
            *table(["import", "median"], rows),
            "",
            "Heaviest modules by their own import time (`python -X importtime`, one run; "
            "for ranking only):",
            "",
            *table(
                ["module", "self", "cumulative"],
                [[f"`{m}`", ms(a), ms(b)] for m, a, b in imp["heaviest"]],
            ),
            "",
        )

    def checks_section(self) -> None:
        c = self.r["checks"]
        big = max(self.sizes)
        extra = wall(self.eng("synced", big), "preview") - wall(self.eng("static", big), "preview")
        self.add(
            "## 5. One `check`, outside the engine",
            "",
            f"`RevisionSyncProvider.check` called once per deployment ({c['checks']}), one "
            "after the other, in a fresh process against the same server: "
            f"{ms(c['real_median_s'])} each (median; the first, which opens the client and "
            f"its connection: {ms(c['first_check_s'])}); the static provider's check: "
            f"{ms(c['static_median_s'])}. {c['checks']} checks are therefore about "
            f"{s(c['checks'] * (c['real_median_s'] - c['static_median_s']))} of work, against "
            f"{s(extra)} measured between ours and the baseline in the engine at N={big} "
            "(which also holds the discovery requests and the noise of the runs).",
            "",
            "Where one pass of the checks spends its time (cProfile, own time by library):",
            "",
            *table(
                ["library", "own time"],
                [[k, ms(v)] for k, v in c["profile"]["by_area"].items()],
            ),
            "",
        )

    def profile_section(self) -> None:
        p = self.r["mocks_profile"]
        big = max(self.sizes)
        floor = wall(self.engine["empty"], "preview")
        base = wall(self.eng("static", big), "preview")
        ours = wall(self.eng("synced", big), "preview")
        per_resource = len(self.mock_values("synced", big, "resources")) and (
            median(self.mock_values("synced", big, "resources")) / big
        )
        summary = [
            [
                f"the sync, loopback control plane (engine, ours {MINUS} baseline)",
                ms((ours - base) / big),
            ],
            *(
                [
                    f"the sync, {lat['latency_s'] * 1000:.0f} ms per request (engine)",
                    ms((wall(lat["synced"], "preview") - wall(lat["static"], "preview")) / big),
                ]
                for lat in self.r.get("latency", [])
            ),
            [
                f"the engine's own work for one dynamic resource (baseline {MINUS} floor)",
                ms((base - floor) / big),
            ],
            [
                f"the program side of the full data plane (mocks, about {per_resource:.0f} "
                "resources per deployment; fit of the whole run)",
                ms(self.mock_growth("synced")[2].slope),
            ],
        ]
        self.add(
            "## 6. What stands in the way",
            "",
            f"Per deployment, at N={big} (differences of medians, so as noisy as the runs):",
            "",
            *table(["what", "per deployment"], summary),
            "",
            "Per deployment, the program side of the Kubernetes resources costs "
            f"{self.mock_growth('synced')[2].slope / max(ours - base, 1e-3) * big:.0f}{X} "
            "what the sync adds on loopback, before the Kubernetes provider's own work "
            "(not measurable here). With a distant control plane the sync adds about one "
            "round trip per deployment, one after the other (section 2).",
            "",
            f"**In the engine, at N={big}** (`preview`, medians): the empty program's floor "
            f"is {s(floor)}, the static baseline {s(base)} ({ms((base - floor) / big)} per "
            f"resource of engine, provider host and program work), ours {s(ours)} "
            f"({ms((ours - base) / big)} per deployment for the sync itself). The floor "
            f"is {100 * floor / ours:.0f}% of our preview: starting the CLI, reading the "
            "state, the inline program's gRPC server and the Python provider host. ",
            "",
            f"**In the program, at N={big}** (the full data plane under mocks; cProfile of the "
            "program's thread in a second run in the process, modules already loaded: "
            f"{s(p['total_s'])} of own time; cProfile slows the run down, so the shares "
            "matter, not the seconds). Our code's own time is "
            f"{100 * p['by_area'].get(AREA_OURS, 0.0) / p['total_s']:.0f}% of it; the rest "
            "is the Pulumi SDK turning each resource's inputs into a registration (Outputs, "
            "asyncio tasks, serialization), about the same for every resource, so the lever "
            "our code has is the number of resources per deployment, not their construction:",
            "",
            *table(
                ["library", "own time", "share"],
                [[k, s(v), f"{100 * v / p['total_s']:.0f}%"] for k, v in p["by_area"].items()],
            ),
            "",
            "Heaviest functions by own time:",
            "",
            *table(
                ["function", "library", "calls", "own", "cumulative"],
                [
                    [
                        f"`{r['function']}`",
                        r["area"],
                        r["calls"],
                        s(r["tottime_s"]),
                        s(r["cumtime_s"]),
                    ]
                    for r in p["heaviest"]
                ],
            ),
            "",
            "Our functions by cumulative time (including what they call):",
            "",
            *table(
                ["function", "calls", "cumulative"],
                [
                    [f"`{r['function']}`", r["calls"], s(r["cumtime_s"])]
                    for r in p["ours_by_cumtime"]
                ],
            ),
            "",
        )

    def unmeasured(self) -> None:
        self.add(
            "## What could not be measured here",
            "",
            "- **The full data plane in the engine.** `pulumi preview`/`up` of the whole "
            "program needs the `kubernetes` and `random` resource plugins, and the Go module "
            "proxy this machine reaches refuses their provider modules (docs/toolchain.md), so "
            "the engine runs only the control-plane half here. The Kubernetes provider's own "
            "cost (its `check`/`diff` of about 20 objects per deployment, rendering manifests "
            "or calling the API server) is therefore not in these figures; section 3 gives "
            "the program's share of it, under mocks.",
            "- **A `pulumi preview` from the CLI** (`pulumi preview` in the project folder) "
            "needs the `pulumi-language-python` host, which cannot be built either; the "
            "inline program runs in the worker process instead, which is what its memory "
            "column counts.",
            "- **A real remote control plane.** Requests go to loopback; section 2 simulates "
            "distance with a fixed delay per request, but real round trips vary, and the "
            "first request of each client (program and provider host) also pays a TLS "
            "handshake, which loopback HTTP does not.",
            "",
        )

    def render(self) -> str:
        self.header()
        self.targets()
        self.method()
        self.engine_section()
        self.requests_section()
        self.latency_section()
        self.mocks_section()
        self.imports_section()
        self.checks_section()
        self.profile_section()
        self.unmeasured()
        return "\n".join(self.lines).rstrip() + "\n"


def render(results: dict[str, Any]) -> str:
    return Report(results).render()
