"""Reading `pulumi preview --json` output: one document per stack.

An argument is `PATH` or `STACK=PATH` (`-` reads standard input). The stack name comes
from the argument, else from the documents' URNs, else from the file name
(`preview-<stack>.json` or `<stack>.json`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .steps import Urn


@dataclass
class PreviewDocument:
    """One stack's preview: the parsed document, or why there is none."""

    stack: str
    source: str
    data: dict[str, Any] | None
    problem: str | None = None


def split_spec(spec: str) -> tuple[str | None, str]:
    """`STACK=PATH` -> (STACK, PATH); a bare path -> (None, PATH)."""
    name, sep, path = spec.partition("=")
    if sep and name and "/" not in name and not Path(spec).exists():
        return name, path
    return None, spec


def parse_preview(text: str) -> dict[str, Any]:
    """The JSON document in `text`, tolerating lines the CLI printed before it."""
    text = text.strip()
    if not text:
        raise ValueError("empty output: the preview failed before printing its JSON")
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON document in the output")
    data, _ = json.JSONDecoder().raw_decode(text[start:])
    if not isinstance(data, dict):
        raise ValueError("the JSON is not a preview document (not an object)")
    if not data:
        raise ValueError(
            "the preview printed an empty document: it failed before running the program "
            "(the CLI's log says why)"
        )
    if not any(k in data for k in ("steps", "changeSummary", "diagnostics", "config")):
        raise ValueError("the JSON is not a `pulumi preview --json` document")
    return data


def stack_of(data: dict[str, Any]) -> str | None:
    for step in data.get("steps") or []:
        if isinstance(step, dict) and step.get("urn"):
            stack = Urn.parse(str(step["urn"])).stack
            if stack:
                return stack
    for diag in data.get("diagnostics") or []:
        if isinstance(diag, dict) and diag.get("urn"):
            stack = Urn.parse(str(diag["urn"])).stack
            if stack:
                return stack
    return None


def _stem(path: str) -> str:
    if path == "-":
        return "stdin"
    stem = Path(path).name
    for suffix in (".json", ".preview"):
        stem = stem.removesuffix(suffix)
    return stem.removeprefix("preview-")


def load_preview(spec: str) -> PreviewDocument:
    """Read one `[STACK=]PATH`; an unreadable document becomes a `problem`, not an error."""
    name, path = split_spec(spec)
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        return PreviewDocument(name or _stem(path), path, None, f"cannot read {path}: {exc}")
    return document_of(text, name or None, path, default_stack=_stem(path))


def document_of(
    text: str, stack: str | None, source: str, *, default_stack: str | None = None
) -> PreviewDocument:
    """The document in a preview's output `text`; unreadable output becomes a `problem`.

    The stack is `stack`, else the one of the URNs, else `default_stack`."""
    fallback = stack or default_stack or source
    try:
        data = parse_preview(text)
    except ValueError as exc:
        return PreviewDocument(fallback, source, None, f"{source}: {exc}")
    return PreviewDocument(stack or stack_of(data) or fallback, source, data)
