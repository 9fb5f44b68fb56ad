"""What the node changes on the host, recorded before it starts and checked after it stops.

`HostRecord` is written before anything else starts and read back by `stop`, which puts each
value back: the sysctls the kubelet sets, and which host folders existed. `HostSnapshot` is
what a test compares before a start and after a stop: the same snapshot twice means nothing
the node started is left running, mounted, routed, filtered or changed.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .layout import BRIDGE, CGROUP_PARENT, HOST_PATHS, NODE_BINARIES, NodePaths

SYSCTLS = (
    # The kubelet sets these three (protectKernelDefaults: false).
    "vm.overcommit_memory",
    "kernel.panic",
    "kernel.panic_on_oops",
    # What a node could change and must not: forwarding for the whole host, bridged traffic
    # through netfilter, loopback routing and conntrack sizes (kube-proxy's, set to leave).
    "net.ipv4.ip_forward",
    "net.ipv4.conf.all.forwarding",
    "net.ipv4.conf.all.route_localnet",
    "net.bridge.bridge-nf-call-iptables",
    "net.netfilter.nf_conntrack_max",
    "net.netfilter.nf_conntrack_tcp_timeout_established",
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait",
)
CGROUP_ROOT = Path("/sys/fs/cgroup")


def sysctl_path(name: str) -> Path:
    return Path("/proc/sys") / name.replace(".", "/")


def read_sysctls() -> dict[str, str]:
    """The current value of each of SYSCTLS this kernel has."""
    values = {}
    for name in SYSCTLS:
        path = sysctl_path(name)
        if path.exists():
            values[name] = path.read_text().strip()
    return values


@dataclass
class HostRecord:
    """The host as the node found it: what `stop` puts back."""

    sysctls: dict[str, str]
    existing_paths: list[str]
    """Which of HOST_PATHS existed (the others are removed again)."""
    containerd_sockets: list[str] = field(default_factory=list)
    """Entries of /run/containerd/s that were there (shims of another containerd)."""

    @classmethod
    def take(cls) -> HostRecord:
        sockets = Path("/run/containerd/s")
        return cls(
            sysctls=read_sysctls(),
            existing_paths=[str(p) for p in HOST_PATHS if p.exists()],
            containerd_sockets=sorted(p.name for p in sockets.iterdir())
            if sockets.is_dir()
            else [],
        )

    def save(self, paths: NodePaths) -> None:
        paths.root.mkdir(parents=True, exist_ok=True)
        tmp = paths.host_record.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n")
        tmp.replace(paths.host_record)

    @classmethod
    def load(cls, paths: NodePaths) -> HostRecord | None:
        try:
            return cls(**json.loads(paths.host_record.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def write_sysctl(name: str, value: str) -> None:
    path = sysctl_path(name)
    if path.exists() and path.read_text().strip() != value:
        path.write_text(value + "\n")


@dataclass(frozen=True)
class HostSnapshot:
    """Everything a node could leave behind, as comparable values."""

    sysctls: dict[str, str]
    processes: list[str]
    """Running processes (`name pid`) of the node's binaries, whoever started them, and of the
    control plane's binaries with `cluster_state` in their arguments."""
    mounts: list[str]
    """Mount points under the node's root, of overlay or nsfs type, or of the kubelet."""
    links: list[str]
    """Network interfaces: the bridge and veths."""
    network_namespaces: list[str]
    nftables: str
    """The whole ruleset, as `nft list ruleset` prints it (iptables-nft's tables included)."""
    legacy_iptables: list[str]
    """The legacy iptables tables in use (`/proc/net/ip_tables_names` and the IPv6 one)."""
    cgroups: list[str]
    """Our cgroup parent in each hierarchy, where it exists."""
    host_paths: list[str]
    node_root_exists: bool

    @classmethod
    def take(cls, paths: NodePaths, cluster_state: Path | None = None) -> HostSnapshot:
        """The host now; `cluster_state`: the control plane's folder (its processes name it)."""
        return cls(
            sysctls=read_sysctls(),
            processes=node_processes(cluster_state),
            mounts=node_mounts(paths),
            links=links(),
            network_namespaces=sorted(
                p.name
                for d in (Path("/run/netns"), Path("/var/run/netns"))
                if d.is_dir()
                for p in d.iterdir()
            ),
            nftables=nft_ruleset(),
            legacy_iptables=legacy_tables(),
            cgroups=[str(p) for p in cgroup_parents() if p.exists()],
            host_paths=[str(p) for p in HOST_PATHS if p.exists()],
            node_root_exists=paths.root.exists(),
        )

    def differences(self, other: HostSnapshot) -> list[str]:
        """What differs from `other`, one line each (empty when the host is the same)."""
        lines = []
        for name, mine in asdict(self).items():
            theirs = asdict(other)[name]
            if mine != theirs:
                lines.append(f"{name}: {theirs!r} before, {mine!r} now")
        return lines


CONTROL_PLANE_BINARIES = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")


def node_processes(cluster_state: Path | None = None) -> list[str]:
    """`exe pid` of every running process whose executable is one of NODE_BINARIES, or one
    of the control plane's with `cluster_state` in its arguments (a KWOK cluster's are not)."""
    found = []
    marker = str(cluster_state).encode() if cluster_state else None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = Path(os.readlink(entry / "exe").removesuffix(" (deleted)")).name
            if name in NODE_BINARIES or (
                marker
                and name in CONTROL_PLANE_BINARIES
                and marker in (entry / "cmdline").read_bytes()
            ):
                found.append(f"{name} {entry.name}")
        except OSError:
            continue
    return sorted(found)


def mountinfo() -> list[tuple[str, str]]:
    """(mount point, filesystem type) of every mount of this mount namespace."""
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        sep = fields.index("-")
        mounts.append((unescape(fields[4]), fields[sep + 1]))
    return mounts


def unescape(path: str) -> str:
    """mountinfo writes spaces, tabs, newlines and backslashes as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        path = path.replace(code, char)
    return path


def node_mounts(paths: NodePaths) -> list[str]:
    """Mounts a node makes: anything under its root, and any overlay or nsfs mount."""
    root = str(paths.root)
    return sorted(
        f"{point} ({fstype})"
        for point, fstype in mountinfo()
        if point == root or point.startswith(root + "/") or fstype in ("overlay", "nsfs")
    )


def links() -> list[str]:
    """The bridge, if any, and every veth."""
    out = subprocess.run(
        ["ip", "-o", "link", "show"], capture_output=True, text=True, check=False
    ).stdout
    names = []
    for line in out.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name == BRIDGE or name.startswith("veth"):
            names.append(name)
    return sorted(names)


def nft_ruleset() -> str:
    done = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else f"nft failed: {done.stderr.strip()}"


def legacy_tables() -> list[str]:
    """Tables of the legacy iptables (x_tables) that something has loaded."""
    found = []
    for family, names in (("ip", "ip_tables_names"), ("ip6", "ip6_tables_names")):
        path = Path("/proc/net") / names
        if path.exists():
            found += [f"{family} {t}" for t in path.read_text().split()]
    return sorted(found)


def cgroup_parents() -> list[Path]:
    """Our cgroup parent in each mounted v1 hierarchy (whether or not it exists)."""
    if not CGROUP_ROOT.is_dir():
        return []
    return sorted(
        h / CGROUP_PARENT
        for h in CGROUP_ROOT.iterdir()
        if h.is_dir() and not h.is_symlink() and (h / "cgroup.procs").exists()
    )
