"""Peak resident memory of a process and all its descendants, sampled from /proc.

`psutil` is not a dependency of the project, so this reads `/proc/<pid>/stat` (parent ids)
and `/proc/<pid>/statm` (resident pages) directly. Linux only. A sample every
`interval` seconds: a short-lived peak between two samples is missed, so the figure is a
lower bound of the true peak.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
PROC = Path("/proc")


def parents() -> dict[int, int]:
    """Every visible process id to its parent id."""
    table: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone since the listing
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        table[int(entry.name)] = int(fields[1])
    return table


def descendants(root: int, table: dict[int, int] | None = None) -> list[int]:
    """The process ids below `root` (children, grandchildren, ...)."""
    table = parents() if table is None else table
    children: dict[int, list[int]] = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss(pid: int) -> int:
    """Resident set size of one process in bytes; 0 when it is gone."""
    try:
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class TreePeak:
    """Sampled peaks, in bytes: the whole tree, and the descendants alone."""

    root: int
    interval: float = 0.02
    tree: int = 0
    children: int = 0
    samples: int = 0
    processes: set[int] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        below = descendants(self.root)
        below_rss = sum(rss(p) for p in below)
        self.children = max(self.children, below_rss)
        self.tree = max(self.tree, below_rss + rss(self.root))
        self.processes.update(below)
        self.samples += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreePeak:
        self.sample()
        self._thread = threading.Thread(target=self._loop, name="tree-peak", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()


def measure(root: int | None = None, interval: float = 0.02) -> TreePeak:
    """`with measure() as peak: ...` samples this process's tree while the block runs."""
    return TreePeak(os.getpid() if root is None else root, interval)


def mib(n: float) -> float:
    return n / (1024 * 1024)
