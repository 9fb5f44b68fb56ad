"""Remove everything a node started or changed, whether it stopped cleanly or crashed.

The order matters: the kubelet first (it would restart containers), then the containers'
processes (by cgroup), the shims and containerd; then mounts (deepest first), the network,
cgroups, the host folders containerd and the CNI plugins wrote to, the sysctls, and last the
node's folder with the host record in it. Each step works from what is on the host now, not
from what a start wrote down, so a crashed start or a killed node is cleaned the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from . import network, processes
from .host import HostRecord, cgroup_parents, mountinfo, read_sysctls, write_sysctl
from .layout import CNI_NETWORK, HOST_PATHS, KUBE_PROXY_TABLES, NFT_GUARD_TABLE, NodePaths


def teardown(paths: NodePaths) -> list[str]:
    """Stop and remove the node; one line per thing removed or put back."""
    done: list[str] = []
    record = HostRecord.load(paths)

    # The kubelet, kube-proxy and CoreDNS, then every container, then the runtime.
    agents = processes.ours(paths, ("kubelet", "kube-proxy", "coredns"))
    if agents:
        processes.stop(list(agents), grace=5.0)
        done.append(f"stopped {', '.join(sorted(set(agents.values())))}")
    killed = processes.kill_containers()
    if killed:
        done.append(f"killed {killed} container processes")
    runtime = processes.ours(paths, ("containerd-shim-runc-v2", "containerd"))
    if runtime:
        processes.stop(list(runtime), grace=5.0)
        done.append(f"stopped {len(runtime)} containerd processes")

    unmounted = unmount_under(paths.root)
    if unmounted:
        done.append(f"unmounted {unmounted} mounts")
    done += network.down([NFT_GUARD_TABLE, *KUBE_PROXY_TABLES])

    removed = remove_cgroups()
    if removed:
        done.append(f"removed {removed} cgroups")
    done += restore_host_paths(paths, record)
    if record is not None:
        for name, value in record.sysctls.items():
            current = read_sysctls().get(name)
            if current is not None and current != value:
                write_sysctl(name, value)
                done.append(f"sysctl {name} back to {value} (was {current})")
    if paths.root.exists():
        shutil.rmtree(paths.root)
        done.append(f"removed {paths.root}")
    return done


def unmount_under(root: Path) -> int:
    """Unmount everything mounted at or under `root`, deepest first; how many."""
    prefix = str(root)
    count = 0
    for _ in range(5):  # a mount can hide another at the same point
        points = sorted(
            {p for p, _ in mountinfo() if p == prefix or p.startswith(prefix + "/")},
            key=lambda p: p.count("/"),
            reverse=True,
        )
        if not points:
            return count
        for point in points:
            done = subprocess.run(["umount", point], capture_output=True, check=False)
            if done.returncode != 0:
                # Busy (a dying process still holds it): detach it now, freed when released.
                subprocess.run(["umount", "-l", point], capture_output=True, check=False)
            count += 1
    leftover = [p for p, _ in mountinfo() if p == prefix or p.startswith(prefix + "/")]
    if leftover:
        raise RuntimeError(f"could not unmount: {leftover}")
    return count


def remove_cgroups() -> int:
    """rmdir our cgroup parent in every hierarchy, children first (they must be empty)."""
    count = 0
    for parent in cgroup_parents():
        if not parent.is_dir():
            continue
        for directory in sorted(
            (p for p in parent.rglob("*") if p.is_dir()),
            key=lambda p: len(p.parts),
            reverse=True,
        ):
            os.rmdir(directory)
            count += 1
        os.rmdir(parent)
        count += 1
    return count


def restore_host_paths(paths: NodePaths, record: HostRecord | None) -> list[str]:
    """The host folders the node's components write to, as they were before it started."""
    done = []
    # The CNI plugins cache each attachment's result, named after the network.
    results = Path("/var/lib/cni/results")
    if results.is_dir():
        for cached in results.glob(f"{CNI_NETWORK}-*"):
            cached.unlink()
            done.append(f"removed {cached}")
    # The kubelet links container logs here, to files under the node's folder.
    containers = Path("/var/log/containers")
    if containers.is_dir():
        for link in containers.iterdir():
            if link.is_symlink() and os.readlink(link).startswith(str(paths.root) + "/"):
                link.unlink()
                done.append(f"removed {link}")
    # containerd's shims make their sockets here, whatever containerd's own folders are.
    sockets = Path("/run/containerd/s")
    if sockets.is_dir() and record is not None:
        for socket in sockets.iterdir():
            if socket.name not in record.containerd_sockets:
                socket.unlink()
    if record is None:
        return done
    for folder in HOST_PATHS:
        if folder.exists() and str(folder) not in record.existing_paths:
            shutil.rmtree(folder)
            done.append(f"removed {folder}")
    return done
