"""The command: `python -m preview_report [options] [STACK=]PREVIEW.json ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .analyze import analyze
from .load import load_preview, split_spec
from .render import render_report


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m preview_report",
        description="Turn `pulumi preview --json` output of one or more stacks into a short "
        "Markdown report: data-loss warnings, revision, image, scale and resource changes. "
        "Secret values never reach the report.",
    )
    p.add_argument(
        "previews",
        nargs="+",
        metavar="[STACK=]PATH",
        help="a `pulumi preview --json` output file (`-` for stdin); the stack name is "
        "taken from the URNs when not given",
    )
    p.add_argument("-o", "--output", type=Path, help="write the report here (default: stdout)")
    p.add_argument(
        "--log",
        action="append",
        default=[],
        metavar="STACK=PATH",
        help="the CLI's stderr of that stack's preview; its end is shown when the preview "
        "failed (scrubbed of secrets)",
    )
    p.add_argument(
        "--fold-after",
        type=int,
        default=10,
        metavar="N",
        help="fold tables longer than N rows into <details> (default 10)",
    )
    p.add_argument("--title", help="a heading above the report")
    p.add_argument(
        "--fail-on-error",
        action="store_true",
        help="exit 1 when a preview failed or a document could not be read",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logs: dict[str, str] = {}
    for spec in args.log:
        stack, path = split_spec(spec)
        if stack is None:
            parser().error(f"--log wants STACK=PATH, not {spec!r}")
        try:
            logs[stack] = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            logs[stack] = ""
    docs = [load_preview(spec) for spec in args.previews]
    reports = [analyze(doc, logs.get(doc.stack)) for doc in docs]
    text = render_report(reports, fold_after=args.fold_after, title=args.title)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if args.fail_on_error and any(r.failed for r in reports) else 0
