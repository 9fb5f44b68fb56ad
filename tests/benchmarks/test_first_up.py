"""The first-up benchmark, for real at N=1: both `up`s create the whole data plane through
the CLI and the language host, and the profile's saveSnapshot share is found and read."""

from __future__ import annotations

import re

import pytest

from benchmarks import first_up

pytestmark = pytest.mark.integration


def test_both_first_ups_create_everything_and_the_profile_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first_up.main(["--size", "1", "--profile"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3, lines
    checkpoints, share, final_only = lines
    created = [re.search(r"\((\d+) created\)", x) for x in (checkpoints, final_only)]
    assert all(created), lines
    counts = {int(m.group(1)) for m in created if m}
    assert len(counts) == 1 and counts.pop() > 20, lines  # the same whole data plane twice
    assert "PULUMI_SKIP_CHECKPOINTS" in final_only
    assert re.search(r"[\d.]+ s of [\d.]+ s of engine CPU \(\d+%\)", share), share
