"""The node's processes: started as plain daemons (no systemd here), found again by what
they run and where, and stopped.

A process is the node's when its executable is one of NODE_BINARIES and its command line
names the node's root folder (the shims name containerd's socket there). The containers'
processes are found by their cgroups, which all live under the kubelet's cgroup root.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from .host import cgroup_parents
from .layout import NODE_BINARIES, NodePaths


def start_daemon(paths: NodePaths, name: str, argv: list[str]) -> int:
    """Start `argv` in a session of its own, its output in logs/<name>.log; its pid."""
    log = (paths.logs / f"{name}.log").open("ab")
    with log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env={**os.environ, "PATH": f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"},
        )
    (paths.pids / f"{name}.pid").write_text(f"{process.pid}\n")
    return process.pid


def ours(paths: NodePaths, names: tuple[str, ...] = NODE_BINARIES) -> dict[int, str]:
    """pid -> executable name of each running process of the node among `names`."""
    root = str(paths.root).encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            exe = Path(os.readlink(entry / "exe").removesuffix(" (deleted)")).name
            if exe in names and root in (entry / "cmdline").read_bytes():
                found[int(entry.name)] = exe
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is gone for our purposes (its parent has not reaped it yet).
    try:
        return (Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]) != "Z"
    except OSError:
        return False


def stop(pids: list[int], grace: float) -> list[int]:
    """SIGTERM, then SIGKILL after `grace` seconds; the pids that had to be killed."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    killed = [p for p in pids if alive(p)]
    for pid in killed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_gone(killed, 5.0)
    return killed


def wait_gone(pids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)


def container_pids() -> list[int]:
    """Every process in a cgroup under the kubelet's cgroup root, in any hierarchy."""
    pids: set[int] = set()
    for parent in cgroup_parents():
        if not parent.is_dir():
            continue
        for procs in parent.rglob("cgroup.procs"):
            try:
                pids.update(int(p) for p in procs.read_text().split())
            except OSError:
                continue
    return sorted(pids)


def kill_containers(timeout: float = 20.0) -> int:
    """SIGKILL every container process until none is left; how many were killed."""
    killed: set[int] = set()
    deadline = time.monotonic() + timeout
    while pids := [p for p in container_pids() if alive(p)]:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        killed.update(pids)
        if time.monotonic() > deadline:
            raise RuntimeError(f"container processes survive SIGKILL: {pids}")
        time.sleep(0.1)
    return len(killed)


def wait_until(what: str, check: Callable[[], bool], timeout: float, log: Path | None) -> None:
    """Poll `check` until it holds; else fail naming `what` and the log's last lines."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not ready yet, whatever the reason
            pass
        time.sleep(0.25)
    tail = ""
    if log is not None and log.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        tail = f"\nlast lines of {log}:\n{tail}"
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s{tail}")
