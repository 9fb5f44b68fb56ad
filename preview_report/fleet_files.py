"""The files of a fleet preview: `fleet.md` and `fleet.json` of the whole fleet, and the
partial report a shard writes (`part-<i>-of-<n>.json`) for the merge to read back.

A partial report holds each stack's outcome as data (its analysed report, violations, packs,
times), so the merge renders exactly what a single run would, without the engine or the SDK.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .analyze import (
    ImageChange,
    ResourceChange,
    RevisionChange,
    SettingChange,
    StackReport,
)
from .fleet_model import FleetResult, PolicyViolation, StackOutcome
from .fleet_render import render_fleet
from .fleet_shard import Shard
from .risks import Risk

PART_KIND = "pulumi-fleet-preview-part"
PART_VERSION = 1


def summary_json(result: FleetResult) -> dict[str, Any]:
    """`fleet.json`: what the workflow needs to post each stack's comment."""
    return {
        "exit_code": result.exit_code,
        "jobs": result.jobs,
        "shards": result.shards,
        "max_concurrent": result.max_concurrent(),
        "stacks": [
            {
                "stack": o.stack,
                "has_changes": o.report.has_changes,
                "failed": o.failed,
                "errors": o.errors,
                "data_risks": o.data_risks,
                "data_loss_accepted": o.data_loss_accepted,
                "violations": [v.__dict__ for v in o.violations],
                "policy_packs": o.policy_packs,
                "blocking": o.blocking,
                "report": f"{o.stack}.md",
                "seconds": round(o.finished - o.started, 3),
                "started": o.started,
                "finished": o.finished,
            }
            for o in result.outcomes
        ],
    }


def part_name(shard: Shard) -> str:
    return f"part-{shard.index}-of-{shard.count}.json"


def part_json(
    result: FleetResult,
    shard: Shard,
    *,
    stacks: list[str],
    digest: str,
    title: str | None,
    fold_after: int,
) -> dict[str, Any]:
    """A shard's partial report: its outcomes, and what the merge checks them against
    (`stacks`: every stack of the fleet, in the report's order)."""
    return {
        "kind": PART_KIND,
        "version": PART_VERSION,
        "shard": {"index": shard.index, "count": shard.count},
        "stacks": stacks,
        "timings_digest": digest,
        "title": title,
        "fold_after": fold_after,
        "jobs": result.jobs,
        "max_concurrent": result.max_concurrent(),
        "exit_code": result.exit_code,
        "outcomes": [_outcome_json(o) for o in result.outcomes],
    }


def _outcome_json(outcome: StackOutcome) -> dict[str, Any]:
    return {
        "stack": outcome.stack,
        "report": asdict(outcome.report),
        "violations": [asdict(v) for v in outcome.violations],
        "policy_packs": outcome.policy_packs,
        "setup_error": outcome.setup_error,
        "data_loss_accepted": outcome.data_loss_accepted,
        "started": outcome.started,
        "finished": outcome.finished,
    }


def outcome_of(data: dict[str, Any]) -> StackOutcome:
    """A stack's outcome back from its partial report (KeyError/TypeError when malformed)."""
    return StackOutcome(
        data["stack"],
        report_of(data["report"]),
        violations=[PolicyViolation(**v) for v in data["violations"]],
        policy_packs=dict(data["policy_packs"]),
        setup_error=data["setup_error"],
        data_loss_accepted=bool(data["data_loss_accepted"]),
        started=float(data["started"]),
        finished=float(data["finished"]),
    )


def report_of(data: dict[str, Any]) -> StackReport:
    """The inverse of `dataclasses.asdict` on a StackReport."""
    fields = dict(data)
    return StackReport(
        **{
            **fields,
            "revisions": [RevisionChange(**x) for x in fields["revisions"]],
            "images": [ImageChange(**x) for x in fields["images"]],
            "settings": [SettingChange(**x) for x in fields["settings"]],
            "changes": [ResourceChange(**x) for x in fields["changes"]],
            "risks": [Risk(**x) for x in fields["risks"]],
        }
    )


def publish(
    result: FleetResult,
    *,
    title: str | None,
    fold_after: int,
    out_dir: Path | None,
    output: Path | None,
) -> None:
    """The fleet's report to `output` (else stdout), `fleet.md` and `fleet.json` to
    `out_dir`, and each blocking stack's reasons to stderr."""
    text = render_fleet(result, title=title, fold_after=fold_after)
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "fleet.md").write_text(text)
        (out_dir / "fleet.json").write_text(json.dumps(summary_json(result), indent=2) + "\n")
    if output:
        output.write_text(text)
    else:
        sys.stdout.write(text)
    for outcome in result.outcomes:
        if outcome.blocking:
            print(f"fleet: {outcome.stack}: {', '.join(outcome.blocking)}", file=sys.stderr)


def measured_seconds(result: FleetResult) -> dict[str, float]:
    """Each previewed stack's time, for the timings file (not stacks that never started)."""
    return {o.stack: o.finished - o.started for o in result.outcomes if not o.setup_error}
