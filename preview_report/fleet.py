"""The fleet preview: every stack of the project, previewed concurrently with the policy pack.

    python -m preview_report.fleet [options] [STACK ...]

One Automation API workspace per stack (`preview_report.workspaces`), one backend, at most
`--jobs` previews at once, the policy pack on each (`--policy-pack`, default the project's
`policy/`). Writes one Markdown report (`preview_report.fleet_render`) and, with
`--out-dir`, each stack's own report, preview JSON, CLI log and a `fleet.json` summary
(what the pull-request workflow posts).

`--shard i/n` previews only shard i of n (`preview_report.fleet_shard`, balanced by the
times in `--timings FILE`) and writes its partial report to `--out-dir`;
`python -m preview_report.fleet_merge` makes the fleet's report of the n partial reports.

Exit status: 0 when nothing blocks; 1 when a stack failed, has a mandatory policy
violation, or has a data-loss risk that `--accept-data-loss STACK` did not accept; 2 on a
usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pulumi import automation as auto

from .analyze import analyze
from .fleet_files import measured_seconds, part_json, part_name, publish
from .fleet_model import FleetResult, PolicyViolation, StackOutcome
from .fleet_shard import Shard, parse_shard, read_timings, shard_of, timings_digest, write_timings
from .load import PreviewDocument
from .masking import Scrubber
from .render import render_stack
from .workspaces import (
    Fleet,
    FleetSetupError,
    Project,
    add_options,
    chosen_stacks,
    overrides_of,
    preview_json,
)

DEFAULT_JOBS = 2


@dataclass(frozen=True)
class PackSettings:
    """The policy pack every preview runs, and its config file (if any)."""

    path: Path
    config: Path | None = None


def pack_config_for(project: Project, pack: Path, work_dir: Path) -> Path | None:
    """A config that points the project pack's fleet-wide rules at `project`'s stack files
    (they read `projectDir`, by default the pack's parent folder). None for another pack."""
    try:
        from policy.dataplane_rules import catalog
    except ImportError:
        return None
    if Path(catalog.__file__).resolve().parents[1] != pack:
        return None
    rules = catalog.RULES
    config = {r.name: {"projectDir": str(project.root)} for r in rules if r.uses_fleet}
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / "policy-pack-config.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def preview_one(
    fleet: Fleet, stack: str, pack: PackSettings | None, lock: threading.Lock
) -> tuple[StackOutcome, str, str]:
    """One stack's preview: its outcome, the CLI's stdout (the JSON) and stderr."""
    started = time.monotonic()
    try:
        # `stack select` writes the CLI's workspace file: one at a time.
        with lock:
            handle, config_file = fleet.open(stack)
    except FleetSetupError as exc:
        doc = PreviewDocument(stack, stack, None, str(exc))
        outcome = StackOutcome(stack, analyze(doc), setup_error=str(exc), started=started)
        outcome.finished = time.monotonic()
        return outcome, "", ""
    events: list[auto.EngineEvent] = []
    doc, out, err = preview_json(
        handle,
        config_file,
        policy_packs=[str(pack.path)] if pack else None,
        policy_pack_configs=[str(pack.config)] if pack and pack.config else None,
        on_event=events.append,
    )
    finished = time.monotonic()
    scrub = Scrubber.for_document(doc.data)
    outcome = StackOutcome(
        stack,
        analyze(doc, err),
        violations=_violations(events, stack, scrub),
        policy_packs=_packs(events),
        started=started,
        finished=finished,
    )
    return outcome, out, scrub(err)


def _violations(
    events: list[auto.EngineEvent], stack: str, scrub: Scrubber
) -> list[PolicyViolation]:
    found = []
    for event in events:
        policy = event.policy_event
        if policy is None:
            continue
        urn = policy.resource_urn or ""
        found.append(
            PolicyViolation(
                policy.policy_name,
                policy.enforcement_level,
                urn.rsplit("::", 1)[-1] if urn else stack,
                scrub(_without_description(policy.message)),
            )
        )
    return found


def _without_description(message: str) -> str:
    """The engine's message is the policy's description, a newline, then the violation."""
    _, sep, rest = message.strip().partition("\n")
    return rest.strip() if sep and rest.strip() else message.strip()


def _packs(events: list[auto.EngineEvent]) -> dict[str, str]:
    packs: dict[str, str] = {}
    for event in events:
        if event.summary_event:
            for key, version in (event.summary_event.policy_packs or {}).items():
                # A local pack is keyed `name|local|path`.
                packs[str(key).split("|", 1)[0]] = str(version)
    return packs


def run_fleet(
    fleet: Fleet,
    stacks: Sequence[str],
    *,
    jobs: int,
    pack: PackSettings | None,
    accept_data_loss: set[str],
    out_dir: Path | None = None,
) -> FleetResult:
    """Preview `stacks`, at most `jobs` at once; with `out_dir`, keep what each printed."""
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="fleet") as pool:
        futures = [pool.submit(preview_one, fleet, s, pack, lock) for s in stacks]
        results = [f.result() for f in futures]
    for outcome, out, err in results:
        outcome.data_loss_accepted = outcome.stack in accept_data_loss
        if out_dir:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{outcome.stack}.json").write_text(out)
            (out_dir / f"{outcome.stack}.log").write_text(err)
            (out_dir / f"{outcome.stack}.md").write_text(render_stack(outcome.report) + "\n")
    return FleetResult([r[0] for r in results], jobs)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m preview_report.fleet",
        description="Preview every stack of the project (or the given ones) with the policy "
        "pack, concurrently, and write one Markdown report. Exit 1 when a stack failed, has a "
        "mandatory policy violation or an unaccepted data-loss risk.",
    )
    add_options(p, default_jobs=DEFAULT_JOBS)
    p.add_argument(
        "--policy-pack",
        type=Path,
        help="the policy pack folder (default: <project>/policy); `none` runs no pack",
    )
    p.add_argument("--policy-pack-config", type=Path, help="the pack's config file (JSON)")
    p.add_argument(
        "--accept-data-loss",
        action="append",
        default=[],
        metavar="STACK",
        help="accept the data-loss risks of STACK (repeat, or comma-separate, per stack)",
    )
    p.add_argument(
        "--create-missing",
        action="store_true",
        help="create stacks the backend lacks (a new stack file; a fresh backend)",
    )
    p.add_argument(
        "--out-dir",
        type=Path,
        help="also write <stack>.md (that stack's comment), <stack>.json, <stack>.log, "
        "fleet.md and fleet.json",
    )
    p.add_argument("--fold-after", type=int, default=10, metavar="N")
    p.add_argument(
        "--shard",
        metavar="I/N",
        help="preview only shard I of N and write its partial report part-I-of-N.json to "
        "--out-dir (merge them with python -m preview_report.fleet_merge)",
    )
    p.add_argument(
        "--timings",
        type=Path,
        metavar="FILE",
        help="each stack's last preview time (JSON), to balance the shards; a run without "
        "--shard rewrites it with the times it measured",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    project, stacks = chosen_stacks(p, args)
    accepted = {s.strip() for spec in args.accept_data_loss for s in spec.split(",") if s.strip()}
    if accepted - set(stacks):
        p.error(f"--accept-data-loss names stacks not previewed: {sorted(accepted - set(stacks))}")
    shard = _shard(p, args)
    try:
        timings = read_timings(args.timings)
    except ValueError as exc:
        p.error(str(exc))
    mine = shard_of(stacks, shard, timings) if shard else stacks
    with tempfile.TemporaryDirectory(prefix="fleet-") as scratch:
        work = Path(scratch)
        pack = _pack(args, project, work)
        fleet = Fleet(
            project,
            args.backend,
            work / "config",
            overrides_of(args),
            create_missing=args.create_missing,
        )
        result = run_fleet(
            fleet,
            mine,
            jobs=args.jobs,
            pack=pack,
            accept_data_loss=accepted,
            out_dir=args.out_dir,
        )
    if shard:
        part = part_json(
            result,
            shard,
            stacks=list(stacks),
            digest=timings_digest(stacks, timings),
            title=args.title,
            fold_after=args.fold_after,
        )
        args.out_dir.mkdir(parents=True, exist_ok=True)
        (args.out_dir / part_name(shard)).write_text(json.dumps(part, indent=1) + "\n")
        # The shard's own report, for its log; fleet.md and fleet.json come from the merge.
        publish(
            result, title=args.title, fold_after=args.fold_after, out_dir=None, output=args.output
        )
    else:
        if args.timings:
            write_timings(args.timings, measured_seconds(result))
        publish(
            result,
            title=args.title,
            fold_after=args.fold_after,
            out_dir=args.out_dir,
            output=args.output,
        )
    return result.exit_code


def _shard(p: argparse.ArgumentParser, args: argparse.Namespace) -> Shard | None:
    if args.shard is None:
        return None
    try:
        shard = parse_shard(args.shard)
    except ValueError as exc:
        p.error(str(exc))
    if args.out_dir is None:
        p.error("--shard needs --out-dir: the partial report goes there")
    return shard


def _pack(args: argparse.Namespace, project: Project, work: Path) -> PackSettings | None:
    if args.policy_pack is not None and str(args.policy_pack) == "none":
        return None
    path = (args.policy_pack or project.root / "policy").resolve()
    config = args.policy_pack_config or pack_config_for(project, path, work)
    return PackSettings(path, config.resolve() if config else None)


if __name__ == "__main__":
    sys.exit(main())
