"""Peak resident memory of a process and all its descendants, sampled from /proc.

`psutil` is not a dependency of the project, so this reads /proc directly: the tree from
`/proc/<pid>/task/<tid>/children` (or, without those files, the parent ids of every
process), and `/proc/<pid>/statm` for resident pages. Linux only. A sample every
`interval` seconds (a sample costs well under a millisecond, in a thread of the measured
process): a short-lived peak between two samples is missed, so the figure is a lower bound
of the true peak.
"""

from __future__ import annotations

import os
import threading
import time
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


def child_pids(pid: int) -> list[int] | None:
    """Child process ids of `pid` from /proc/<pid>/task/*/children; None if unsupported."""
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return []  # gone
    found: list[int] = []
    for task in tasks:
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except FileNotFoundError:
            if not task.exists():
                continue  # the thread ended
            return None  # a kernel without CONFIG_PROC_CHILDREN
        except OSError:
            continue
    return found


def descendants(root: int, table: dict[int, int] | None = None) -> list[int]:
    """The process ids below `root` (children, grandchildren, ...)."""
    if table is None:
        found: list[int] = []
        todo = [root]
        while todo:
            below = child_pids(todo.pop())
            if below is None:
                break  # no children files: scan every process instead
            found += below
            todo += below
        else:
            return found
    table = parents() if table is None else table
    children: dict[int, list[int]] = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    found = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu(pid: int) -> tuple[str, float] | None:
    """(command name, CPU seconds so far) of one process; None when it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    name = stat[stat.find("(") + 1 : stat.rfind(")")]
    fields = stat[stat.rfind(")") + 2 :].split()
    return name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def command_line(pid: int) -> str:
    """The process's command line, arguments separated by spaces ('' when it is gone)."""
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


# What a process of `pulumi preview` is, by its command line (first match wins).
ROLES: tuple[tuple[str, str], ...] = (
    ("kubernetes plugin", "pulumi-resource-kubernetes"),
    ("random plugin", "pulumi-resource-random"),
    ("dynamic-provider host (Python)", "pulumi.dynamic"),
    ("dynamic-provider host (Python)", "pulumi-resource-pulumi-python"),
    ("language host", "pulumi-language-python "),
    ("language host's pip checks (Python)", " -m pip "),
    ("language host's pip checks (Python)", "importlib.metadata"),
    ("program (Python)", "pulumi-language-python-exec"),
    ("program (Python)", "__main__"),
    ("CLI (Go engine)", "/pulumi "),
)


# By the process's name when its command line could not be read (it was starting or ending).
NAMED_ROLES = {"pulumi": "CLI (Go engine)", "pulumi-language": "language host"}


def role(cmdline: str, name: str) -> str:
    """The role of a process in a Pulumi run, by its command line; else its name."""
    padded = cmdline + " "
    for label, part in ROLES:
        if part in padded:
            return label
    return NAMED_ROLES.get(name, name)


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
    interval: float = 0.2
    tree: int = 0
    children: int = 0
    samples: int = 0
    sampling_s: float = 0.0  # CPU time the sampling took, in a thread of the measured process
    processes: set[int] = field(default_factory=set)
    cpu_seen: dict[int, tuple[str, float]] = field(default_factory=dict)
    commands: dict[int, str] = field(default_factory=dict)
    seen: dict[int, list[float]] = field(default_factory=dict)
    """When each process was first and last seen, in seconds from the start."""
    peak_rss: dict[int, int] = field(default_factory=dict)
    """Each descendant's own peak resident memory, in bytes."""
    started: float = field(default_factory=time.perf_counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        started = time.thread_time()
        below = descendants(self.root)
        sizes = {p: rss(p) for p in below}
        below_rss = sum(sizes.values())
        for pid, size in sizes.items():
            self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), size)
        self.children = max(self.children, below_rss)
        self.tree = max(self.tree, below_rss + rss(self.root))
        self.processes.update(below)
        for pid in below:
            seen = cpu(pid)
            if seen is not None:
                self.cpu_seen[pid] = seen
            if not self.commands.get(pid):  # empty while the process starts: read again
                self.commands[pid] = command_line(pid)
            at = time.perf_counter() - self.started
            self.seen.setdefault(pid, [at, at])[1] = at
        self.samples += 1
        self.sampling_s += time.thread_time() - started

    def cpu_by_command(self) -> dict[str, float]:
        """CPU seconds of the descendants by command name, as of their last sample (a lower
        bound: what a process used after its last sample before it exited is missed)."""
        totals: dict[str, float] = {}
        for name, seconds in self.cpu_seen.values():
            totals[name] = totals.get(name, 0.0) + seconds
        return totals

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds of the descendants by role (`ROLES`), as `cpu_by_command`."""
        totals: dict[str, float] = {}
        for pid, (name, seconds) in self.cpu_seen.items():
            label = role(self.commands.get(pid, ""), name)
            totals[label] = totals.get(label, 0.0) + seconds
        return totals

    def peak_by_role(self) -> dict[str, int]:
        """Peak resident memory by role: each process's own peak, summed over the role's
        processes (they need not peak at the same moment, so an upper bound per role)."""
        totals: dict[str, int] = {}
        for pid, size in self.peak_rss.items():
            label = role(self.commands.get(pid, ""), self.cpu_seen.get(pid, ("?", 0.0))[0])
            totals[label] = totals.get(label, 0) + size
        return totals

    def timeline(self) -> dict[str, list[float]]:
        """Per role, when its first process was first seen and its last one last seen (in
        seconds from the start; to within a sampling interval)."""
        spans: dict[str, list[float]] = {}
        for pid, (first, last) in self.seen.items():
            name = self.cpu_seen.get(pid, ("?", 0.0))[0]
            label = role(self.commands.get(pid, ""), name)
            span = spans.setdefault(label, [first, last])
            span[0], span[1] = min(span[0], first), max(span[1], last)
        return spans

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreePeak:
        self.started = time.perf_counter()
        self.sample()
        self._thread = threading.Thread(target=self._loop, name="tree-peak", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()


def measure(root: int | None = None, interval: float = 0.2) -> TreePeak:
    """`with measure() as peak: ...` samples this process's tree while the block runs."""
    return TreePeak(os.getpid() if root is None else root, interval)


def mib(n: float) -> float:
    return n / (1024 * 1024)
