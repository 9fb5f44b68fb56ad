"""The real node's command line (scripts/cluster.sh --real-node calls it; root only).

python -m devtools.realnode start --kubeconfig K --ca C --bin DIR --pause-version V IMAGE.tar...
python -m devtools.realnode stop        remove the node and put the host back
python -m devtools.realnode status      one line; exit 1 when no node runs
python -m devtools.realnode snapshot    the host as HostSnapshot sees it (JSON)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from .host import HostSnapshot
from .layout import NodePaths
from .node import NodeInputs, running, start, status
from .teardown import teardown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.realnode")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("start", help="start the node on a running control plane")
    s.add_argument("--kubeconfig", type=Path, required=True)
    s.add_argument("--ca", type=Path, required=True, help="the cluster's CA certificate")
    s.add_argument("--bin", type=Path, required=True, help="kubelet, kube-proxy, coredns")
    s.add_argument("--pause-version", required=True)
    s.add_argument("--timeout", type=float, default=180.0)
    s.add_argument("images", type=Path, nargs="+", help="docker-archive tarballs to import")
    sub.add_parser("stop", help="remove the node and put the host back as it was")
    sub.add_parser("status", help="one line about the node")
    sub.add_parser("snapshot", help="what the host holds that a node could leave behind")
    args = parser.parse_args(argv)

    paths = NodePaths.default()
    if args.command in ("start", "stop") and os.geteuid() != 0:
        print(
            "error: the real node needs root (containerd, the kubelet, the bridge)", file=sys.stderr
        )
        return 1
    if args.command == "start":
        try:
            start(
                paths,
                NodeInputs(args.kubeconfig, args.ca, args.bin, args.images, args.pause_version),
                timeout=args.timeout,
            )
        except RuntimeError as exc:
            print(f"error: the real node did not start: {exc}", file=sys.stderr)
            print(
                f"logs: {paths.logs}; `scripts/cluster.sh --real-node stop` removes it",
                file=sys.stderr,
            )
            return 1
        return 0
    if args.command == "stop":
        for line in teardown(paths):
            print(f"==> {line}")
        return 0
    if args.command == "status":
        print(status(paths))
        return 0 if running(paths) else 1
    print(json.dumps(asdict(HostSnapshot.take(paths)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
