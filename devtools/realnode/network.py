"""The node's network on the host: one bridge, forwarding on it alone, and a guard.

- The bridge carries the node's address; the pods' veths join it (the CNI bridge plugin).
- Forwarding is turned on for packets that arrive on the bridge only
  (`net.ipv4.conf.<bridge>.forwarding`): a pod's packet to a Service's ClusterIP is DNATed
  to another pod and forwarded back out of the bridge. The host's own forwarding setting is
  never touched, and the per-bridge one goes with the bridge.
- The guard, a table of our own, drops anything forwarded from the bridge to any other
  interface: nothing a pod sends is routed off the machine, whatever routes the host has.
"""

from __future__ import annotations

import subprocess

from .layout import BRIDGE, NFT_GUARD_TABLE, NODE_IP, POD_CIDR


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` failed: {done.stderr.strip() or done.stdout}")
    return done


def bridge_exists() -> bool:
    return run("ip", "link", "show", BRIDGE, check=False).returncode == 0


def up() -> None:
    """The bridge with the node's address, forwarding on it, and the guard."""
    prefix = POD_CIDR.split("/")[1]
    run("ip", "link", "add", BRIDGE, "type", "bridge")
    run("ip", "addr", "add", f"{NODE_IP}/{prefix}", "dev", BRIDGE)
    run("ip", "link", "set", BRIDGE, "up")
    with open(f"/proc/sys/net/ipv4/conf/{BRIDGE}/forwarding", "w") as f:
        f.write("1\n")
    family, table = NFT_GUARD_TABLE
    ruleset = f"""
table {family} {table} {{
    chain forward {{
        type filter hook forward priority filter; policy accept;
        iifname "{BRIDGE}" oifname != "{BRIDGE}" counter drop comment "pods stay on the machine"
    }}
}}
"""
    done = subprocess.run(["nft", "-f", "-"], input=ruleset, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"nft could not load the node's guard table: {done.stderr.strip()}")


def down(tables: list[tuple[str, str]]) -> list[str]:
    """Remove the bridge, any veth left on it, and the nftables `tables`; what was removed."""
    removed = []
    veths = run("ip", "-o", "link", "show", "master", BRIDGE, check=False).stdout
    for line in veths.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if run("ip", "link", "delete", name, check=False).returncode == 0:
            removed.append(f"veth {name}")
    if bridge_exists():
        run("ip", "link", "delete", BRIDGE)
        removed.append(f"bridge {BRIDGE}")
    for family, table in tables:
        if run("nft", "list", "table", family, table, check=False).returncode == 0:
            run("nft", "delete", "table", family, table)
            removed.append(f"nftables table {family} {table}")
    return removed
