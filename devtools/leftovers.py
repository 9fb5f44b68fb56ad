"""Processes the tests start and must not leave behind, found through /proc.

The test session puts a token of its own in its environment (`mark_session`), so that
everything it starts, and everything those start (the Pulumi CLI, its language host, the
`random` and `kubernetes` plugins, the dynamic provider's `python -m pulumi.dynamic`),
carries `LANGGRAPH_TEST_SESSION=<token>`: a process with this session's token still alive at
its end was left behind. Environments are inherited whatever the process group or session,
so this finds plugins that the CLI starts in process groups of their own (`setpgid`) and
that outlive a killed CLI. Long-lived services with a lifecycle of their own (the local
clusters) are started without the token (`without_marker`).

A CLI that a test kills runs in a session of its own: `kill_session` kills every process of
that session, which a `killpg` of the CLI's group does not (the plugins have their own
groups, in the same session).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MARKER = "LANGGRAPH_TEST_SESSION"


def mark_session() -> str:
    """Give this process (and so everything it starts from now on) a token of its own."""
    token = secrets.token_hex(8)
    os.environ[MARKER] = token
    return token


def without_marker(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's) without the session's token: for services that the
    session starts and stops on purpose, or keeps for the next one."""
    return {k: v for k, v in (os.environ if env is None else env).items() if k != MARKER}


def _stat(pid: str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _running(pid: str) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # a zombie has ended


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip() or "?"


def started_by(token: str) -> dict[int, str]:
    """pid -> command line of each running process (not this one) that carries `token`."""
    needle = f"{MARKER}={token}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        if needle in environ.split(b"\0") and _running(entry.name):
            found[int(entry.name)] = command_line(int(entry.name))
    return found


def in_session(sid: int) -> list[int]:
    """The running processes of session `sid`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(entry.name)
        # Fields after the name: state, ppid, pgrp, session, ...
        if fields is not None and fields[0] not in ("Z", "X") and int(fields[3]) == sid:
            pids.append(int(entry.name))
    return pids


def kill(pids: list[int], timeout: float = 10.0) -> list[int]:
    """SIGKILL each of `pids`; wait until they are gone; the ones still running."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    left = [p for p in pids if _running(str(p))]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if _running(str(p))]
    return left


def kill_session(sid: int, timeout: float = 10.0) -> list[int]:
    """SIGKILL every process of session `sid` (a CLI started with `start_new_session` and
    the plugins it started), again until none is left; the pids it killed."""
    killed: list[int] = []
    deadline = time.monotonic() + timeout
    while (pids := in_session(sid)) and time.monotonic() < deadline:
        killed += pids
        kill(pids, max(0.0, deadline - time.monotonic()))
    return sorted(set(killed))


def run_in_session(
    args: Sequence[str | os.PathLike[str]],
    *,
    timeout: float | None = None,
    check: bool = False,
    capture_output: bool = False,
    input: str | bytes | None = None,
    **popen: Any,
) -> subprocess.CompletedProcess[Any]:
    """`subprocess.run` for a command that starts the Pulumi engine: it runs in a session of
    its own, killed whole once the command ends or times out, so that a CLI killed on a
    timeout (which `subprocess.run` does to the CLI alone) leaves no plugin running."""
    if capture_output:
        popen.update(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if input is not None:
        popen["stdin"] = subprocess.PIPE
    with subprocess.Popen(args, start_new_session=True, **popen) as proc:
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_session(proc.pid)
            proc.communicate()
            raise
        finally:
            kill_session(proc.pid)
    done = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if check:
        done.check_returncode()
    return done
