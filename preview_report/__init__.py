"""Markdown reports of `pulumi preview --json` documents, for pull-request reviews.

One section per stack: data-loss warnings first, a one-line summary, the LangGraph
deployments that change revision, scale and resource changes, then every created, replaced
and deleted resource with its reason. Secret values never reach the report.

    python -m preview_report dev=preview-dev.json acme-prod=preview-acme-prod.json

Modules, one job each: `load` (read documents), `steps` (normalise the engine's steps),
`masking` (secret handling), `analyze` (what changes), `risks` (data-loss rules), `render`
(Markdown), `touched` (which stacks a change touches, for CI), `cli` (the command).
"""

from __future__ import annotations

from .analyze import StackReport, analyze
from .load import PreviewDocument, load_preview
from .render import render_report

__all__ = ["PreviewDocument", "StackReport", "analyze", "load_preview", "render_report"]
