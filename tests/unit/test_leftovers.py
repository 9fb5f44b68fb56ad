"""Processes the tests start are reaped: a killed CLI's whole session, a timed-out command's,
and the session-end check that fails a run when a test left one behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devtools.leftovers import (
    MARKER,
    in_session,
    kill_session,
    run_in_session,
    started_by,
    without_marker,
)

REPO = Path(__file__).resolve().parents[2]
# A parent that starts a child in a process group of its own (as the Pulumi CLI starts its
# plugins), prints the child's pid, and waits.
PLUGIN_LIKE = (
    "import os, subprocess, sys, time;"
    "child = subprocess.Popen(['sleep', '300'], process_group=0);"
    "print(child.pid, flush=True); time.sleep(300)"
)


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_a_killpg_misses_a_plugin_and_kill_session_does_not() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PLUGIN_LIKE], stdout=subprocess.PIPE, start_new_session=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert sorted(in_session(parent.pid)) == sorted([parent.pid, child])
        os.killpg(parent.pid, signal.SIGKILL)  # what the interrupted-up test did alone
        parent.wait()
        assert running(child), "the plugin-like child died with its parent's group"
        assert kill_session(parent.pid) == [child]
        assert not running(child) and in_session(parent.pid) == []
    finally:
        if running(child):
            os.kill(child, signal.SIGKILL)
        parent.stdout.close()


def test_a_timed_out_command_leaves_no_process() -> None:
    # Session fixtures (a preflight Postgres, say) may run marked processes of their own.
    before = started_by(os.environ[MARKER])
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_in_session([sys.executable, "-c", PLUGIN_LIKE], timeout=1.0, capture_output=True)
    assert time.monotonic() - started < 10
    left = {pid: cmd for pid, cmd in started_by(os.environ[MARKER]).items() if pid not in before}
    assert left == {}  # the grandchild too
    done = run_in_session(["echo", "ok"], capture_output=True, text=True, check=True)
    assert done.stdout == "ok\n"


def test_the_session_token_reaches_processes_and_can_be_left_out() -> None:
    token = os.environ[MARKER]
    with (
        subprocess.Popen(["sleep", "30"]) as marked,
        subprocess.Popen(["sleep", "30"], env=without_marker()) as unmarked,
    ):
        try:
            found = started_by(token)
            assert marked.pid in found and "sleep 30" in found[marked.pid]
            assert unmarked.pid not in found
        finally:
            marked.kill()
            unmarked.kill()


def test_a_session_that_leaves_a_process_behind_fails_and_reaps_it() -> None:
    env = {**os.environ, "LANGGRAPH_LEFTOVER_GRACE_SECONDS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/unit/leftover_probe.py"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, out
    assert "1 passed" in out and "outlived them, killed now; failing the run" in out, out
    assert "sleep 300" in out
    pid = int(out.split("outlived them")[1].split("\n")[1].split(":")[0])
    assert not running(pid)
