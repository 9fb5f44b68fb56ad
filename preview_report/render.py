"""Markdown of stack reports, for a pull-request comment or a terminal.

Per stack: a hidden marker (to find and update the comment), the title, data-loss warnings
(GitHub alert blocks, never folded), a one-line summary, then the revision, image, scale
and resource tables. A table longer than `fold_after` rows folds into `<details>`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .analyze import ResourceChange, RevisionChange, StackReport
from .risks import Risk

MARKER = "<!-- pulumi-preview-report stack={stack} -->"
# GitHub refuses comments over 65536 characters.
MAX_CHARS = 60000
MAX_ROWS = 150
MAX_CELL = 120

OP_LABEL = {
    "create": "➕ create",  # noqa: RUF001
    "update": "✏️ update",
    "replace": "🔁 replace",
    "delete": "🗑️ delete",
    "import": "📥 import",
}
SUMMARY_OPS = [
    ("create", "to create"),
    ("update", "to update"),
    ("replace", "to replace"),
    ("delete", "to delete"),
]


def marker(stack: str) -> str:
    return MARKER.format(stack=stack)


def code(value: str | None) -> str:
    """An inline code span, safe in a table cell."""
    if value is None or value == "":
        return "—"
    text = str(value).replace("\n", " ")
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(value: str) -> str:
    """Free text in a table cell or a list item."""
    return value.replace("\n", " ").replace("|", "\\|").strip()


def arrow(old: str | None, new: str | None) -> str:
    if old == new:
        return f"{code(new)} (unchanged)"
    return f"{code(old)} → {code(new)}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def summary_line(report: StackReport) -> str:
    """One line: what changes for the reviewer, then the engine's counts."""
    if report.failed and not report.counts:
        return "**Summary:** the preview failed; nothing below is complete."
    parts = [
        _plural(len(report.revisions), "revision change"),
        _plural(len(report.settings), "scale/resource change"),
        _plural(len(report.data_risks), "data-loss risk"),
    ]
    counts = report.counts
    ops = [f"{counts.get(op, 0)} {label}" for op, label in SUMMARY_OPS]
    others = [
        f"{n} {op}"
        for op, n in sorted(counts.items())
        if op not in dict(SUMMARY_OPS) and op != "same"
    ]
    ops += others
    ops.append(f"{counts.get('same', 0)} unchanged")
    prefix = "**Summary (preview failed):**" if report.failed else "**Summary:**"
    return f"{prefix} {', '.join(parts)} — {', '.join(ops)}"


def table(header: Sequence[str], rows: list[list[str]], title: str, fold_after: int) -> str:
    shown = rows[:MAX_ROWS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in shown]
    if len(rows) > len(shown):
        lines.append(f"\n…and {len(rows) - len(shown)} more rows (see the job log).")
    table = "\n".join(lines)
    if len(rows) > fold_after:
        return (
            f"<details>\n<summary><b>{title}</b> ({len(rows)})</summary>\n\n{table}\n\n</details>"
        )
    return f"#### {title}\n\n{table}"


def _risk_item(risk: Risk) -> str:
    if risk.severity != "data":
        return f"> - **{risk.what}** ({code(risk.name)}: {risk.op}): {risk.consequence}."
    reasons = f" Because of: {', '.join(code(r) for r in risk.reasons)}." if risk.reasons else ""
    notes = f" _({'; '.join(risk.notes)})_" if risk.notes else ""
    return f"> - **{risk.op}** {risk.what} {code(risk.name)}: {risk.consequence}.{reasons}{notes}"


def _alerts(report: StackReport) -> list[str]:
    blocks = []
    if report.data_risks:
        n = len(report.data_risks)
        lines = [
            "> [!CAUTION]",
            f"> **🛑 Data-loss risk: {_plural(n, 'resource')} holding data would be "
            "replaced or deleted.** Check before merging.",
        ]
        lines += [_risk_item(r) for r in report.data_risks]
        blocks.append("\n".join(lines))
    if report.review_risks:
        lines = ["> [!WARNING]"] + [_risk_item(r) for r in report.review_risks]
        blocks.append("\n".join(lines))
    if report.failed:
        lines = ["> [!CAUTION]", "> **❌ The preview failed.** Nothing was changed."]
        lines += [f"> - {plain(e)}" for e in report.errors]
        blocks.append("\n".join(lines))
    return blocks


def render_stack(report: StackReport, *, fold_after: int = 10, with_marker: bool = True) -> str:
    """One stack's section; `with_marker=False` inside another comment (the fleet's), so
    that the stack's own comment is not confused with it."""
    parts = [marker(report.stack)] if with_marker else []
    parts.append(f"### Pulumi preview: stack `{report.stack}`")
    parts += _alerts(report)
    parts.append(summary_line(report))
    if not report.has_changes and not report.failed:
        parts.append("No changes: the stack matches the control plane and the code.")
    if report.revisions:
        parts.append(
            revisions_table(report.revisions, "LangGraph deployments changing revision", fold_after)
        )
    if report.images:
        rows = [
            [code(i.workload), i.kind, code(i.container), arrow(i.old, i.new)]
            for i in report.images
        ]
        parts.append(
            table(
                ["workload", "kind", "container", "image"],
                rows,
                "Kubernetes workloads getting a new image",
                fold_after,
            )
        )
    if report.settings:
        rows = [[code(s.subject), code(s.setting), arrow(s.old, s.new)] for s in report.settings]
        parts.append(
            table(
                ["deployment / resource", "setting", "old → new"],
                rows,
                "Scale and resources",
                fold_after,
            )
        )
    if report.changes:
        rows = [
            [
                OP_LABEL.get(c.op, c.op),
                code(c.name),
                c.type,
                _why(c) + (f" _({c.note})_" if c.note else ""),
            ]
            for c in report.changes
        ]
        parts.append(table(["", "resource", "type", "why"], rows, "Resource changes", fold_after))
    if report.warnings:
        items = "\n".join(f"- {plain(w)}" for w in report.warnings)
        parts.append(
            f"<details>\n<summary><b>Warnings</b> ({len(report.warnings)})</summary>\n\n"
            f"{items}\n\n</details>"
        )
    if report.log_tail and report.failed:
        log = "\n".join(report.log_tail)
        fence = "````" if "```" in log else "```"
        parts.append(
            "<details>\n<summary><b>End of the CLI's output</b></summary>\n\n"
            f"{fence}text\n{log}\n{fence}\n\n</details>"
        )
    return "\n\n".join(parts)


def _why(change: ResourceChange) -> str:
    if change.replaced_with:
        names = ", ".join(code(n) for n in change.replaced_with)
        first = "; deleted before its replacement" if change.deleted_first else ""
        return f"replaced along with {names}, which it depends on{first}"
    return _reasons(change.op, change.reasons)


def revisions_table(revisions: Sequence[RevisionChange], title: str, fold_after: int) -> str:
    """Deployment, change, image and revision old → new, notes."""
    rows = [
        [
            code(r.deployment),
            r.change,
            arrow(r.old_image, r.new_image),
            arrow(r.old_revision, r.new_revision),
            plain("; ".join(r.notes)),
        ]
        for r in revisions
    ]
    return table(["deployment", "change", "image", "revision", "notes"], rows, title, fold_after)


def _reasons(op: str, reasons: list[str]) -> str:
    if op == "create":
        return "new in the program"
    if op == "delete":
        return "no longer declared"
    if not reasons:
        return "—"
    shown = ", ".join(code(r) for r in reasons[:6])
    return shown + (f" +{len(reasons) - 6} more" if len(reasons) > 6 else "")


def render_report(
    reports: Sequence[StackReport], *, fold_after: int = 10, title: str | None = None
) -> str:
    """The Markdown of one or more stacks; an overview table first when there are several."""
    sections = [render_stack(r, fold_after=fold_after) for r in reports]
    head: list[str] = []
    if title:
        head.append(f"## {title}")
    if len(reports) > 1:
        rows = [
            [
                code(r.stack),
                "❌ failed" if r.failed else ("changes" if r.has_changes else "no changes"),
                str(len(r.revisions)),
                f"🛑 {len(r.data_risks)}" if r.data_risks else "0",
            ]
            for r in reports
        ]
        head.append(
            "| stack | preview | revision changes | data-loss risks |\n|---|---|---|---|\n"
            + "\n".join("| " + " | ".join(row) + " |" for row in rows)
        )
    return fit("\n\n".join([*head, *sections]))


def fit(text: str) -> str:
    """`text` ending in one newline, cut to what a GitHub comment holds."""
    text = text.rstrip() + "\n"
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS)
        text = text[:cut] + "\n\n…report cut at 60000 characters; see the job log for the rest.\n"
    return text
