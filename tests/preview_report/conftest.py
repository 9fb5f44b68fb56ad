"""Shared helpers of the preview-report tests: fixtures by name, reports of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from preview_report import analyze, load_preview, render_report
from preview_report.analyze import StackReport
from tests.preview_report.pr_fixtures import fixture_path


@pytest.fixture
def report_of() -> Callable[..., StackReport]:
    def make(name: str, log: str | None = None) -> StackReport:
        return analyze(load_preview(str(fixture_path(name))), log)

    return make


@pytest.fixture
def markdown_of() -> Callable[..., str]:
    def make(*names: str, fold_after: int = 10) -> str:
        reports = [analyze(load_preview(str(fixture_path(n)))) for n in names]
        return render_report(reports, fold_after=fold_after)

    return make
