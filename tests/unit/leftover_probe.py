"""Run only by tests/unit/test_leftovers.py (its name is not collected): a test that leaves a
process behind, so that the session-end check has something to find."""

from __future__ import annotations

import subprocess


def test_leaks_a_process() -> None:
    # A session of its own, never waited for: as a plugin of a killed CLI is.
    subprocess.Popen(["sleep", "300"], start_new_session=True)
