"""Markdown of a fleet preview: one comment for every stack of the project.

A hidden marker (to find and update the comment), the verdict (what blocks the merge), one
summary table with a row per stack (changes, data-loss risks, policy violations, failures),
then each stack's section of today's report folded in `<details>` (open when the stack
blocks the merge), with the pack's violations above it.
"""

from __future__ import annotations

from .fleet_model import FleetResult, PolicyViolation, StackOutcome
from .render import SUMMARY_OPS, code, fit, plain, render_stack

FLEET_MARKER = "<!-- pulumi-fleet-preview -->"
MAX_FAILURE = 160


def changes_cell(outcome: StackOutcome) -> str:
    """`3 create, 5 update` from the engine's counts; `none`; `—` when nothing is known."""
    counts = outcome.report.counts
    if not counts:
        return "—"
    labels = dict(SUMMARY_OPS)
    ordered = [op for op, _ in SUMMARY_OPS] + sorted(set(counts) - set(labels) - {"same"})
    parts = [f"{counts[op]} {op}" for op in ordered if counts.get(op)]
    return ", ".join(parts) or "none"


def result_cell(outcome: StackOutcome) -> str:
    if outcome.failed:
        return "❌ failed"
    if outcome.policy_failed:
        return "❌ policy"
    if outcome.data_risks:
        return "⚠️ data loss accepted" if outcome.data_loss_accepted else "🛑 data loss"
    return "changes" if outcome.report.has_changes else "no changes"


def risks_cell(outcome: StackOutcome) -> str:
    n = outcome.data_risks
    if not n:
        return "0"
    return f"{n} (accepted)" if outcome.data_loss_accepted else f"🛑 {n}"


def violations_cell(outcome: StackOutcome) -> str:
    if not outcome.violations:
        if not outcome.policy_packs and (outcome.failed or outcome.setup_error):
            return "—"  # the pack never got to run
        return "0" if outcome.policy_packs else "⚠️ pack did not run"
    mandatory = sum(v.blocking for v in outcome.violations)
    advisory = len(outcome.violations) - mandatory
    parts = [f"❌ {mandatory} mandatory"] if mandatory else []
    parts += [f"{advisory} advisory"] if advisory else []
    return ", ".join(parts)


def failure_cell(outcome: StackOutcome) -> str:
    errors = outcome.errors if outcome.failed else []
    if not errors:
        return "—"
    text = plain(errors[0])
    return text if len(text) <= MAX_FAILURE else text[: MAX_FAILURE - 1] + "…"


def verdict(result: FleetResult) -> str:
    blocked = [(o.stack, o.blocking) for o in result.outcomes if o.blocking]
    if not blocked:
        accepted = [o.stack for o in result.outcomes if o.data_risks and o.data_loss_accepted]
        note = (
            f" Data-loss risks accepted for {', '.join(code(s) for s in accepted)}."
            if accepted
            else ""
        )
        return f"**✅ Nothing blocks the merge.**{note}"
    items = "; ".join(f"{code(stack)}: {', '.join(reasons)}" for stack, reasons in blocked)
    return f"**❌ Blocked:** {items}."


def summary_table(result: FleetResult) -> str:
    header = (
        "| stack | result | changes | revision changes | data-loss risks | policy violations "
        "| failure |"
    )
    rows = [
        [
            code(o.stack),
            result_cell(o),
            changes_cell(o),
            str(len(o.report.revisions)),
            risks_cell(o),
            violations_cell(o),
            failure_cell(o),
        ]
        for o in result.outcomes
    ]
    lines = [header, "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def violations_table(violations: list[PolicyViolation]) -> str:
    rows = sorted(violations, key=lambda v: (not v.blocking, v.policy, v.resource, v.message))
    lines = [
        f"#### Policy violations ({len(rows)})",
        "",
        "| policy | level | resource | message |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {code(v.policy)} | {v.level} | {code(v.resource)} | {plain(v.message)} |" for v in rows
    ]
    return "\n".join(lines)


def stack_section(outcome: StackOutcome, *, fold_after: int) -> str:
    summary = f"<b>{outcome.stack}</b>: {result_cell(outcome)}"
    state = " open" if outcome.blocking else ""
    body = []
    if outcome.violations:
        body.append(violations_table(outcome.violations))
    body.append(render_stack(outcome.report, fold_after=fold_after, with_marker=False))
    inner = "\n\n".join(body)
    return f"<details{state}>\n<summary>{summary}</summary>\n\n{inner}\n\n</details>"


def render_fleet(result: FleetResult, *, title: str | None = None, fold_after: int = 10) -> str:
    """The fleet's comment: verdict, the summary table, then every stack's section."""
    n = len(result.outcomes)
    packs = sorted({f"{k}@{v}" for o in result.outcomes for k, v in o.policy_packs.items()})
    # No shard count here: a merged report is the single run's, to the byte (and to where
    # `fit` cuts it); fleet.json says how many shards ran.
    footer = [
        f"{n} stack{'s' if n != 1 else ''}, at most {result.jobs} previewed at once",
        f"policy pack {', '.join(code(p) for p in packs)}" if packs else "no policy pack ran",
    ]
    parts = [
        FLEET_MARKER,
        f"## {title or 'Fleet preview'}",
        verdict(result),
        summary_table(result),
        "<sub>" + " · ".join(footer) + "</sub>",
    ]
    parts += [stack_section(o, fold_after=fold_after) for o in result.outcomes]
    return fit("\n\n".join(parts))
