"""Command line: ``python -m local_controlplane --port 8765 --state PATH``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import uvicorn

from . import seed
from .app import create_app
from .auth import default_keys
from .revision_lifecycle import REVISION_STEPS, Behaviour

DEFAULT_STATE = Path(".work/controlplane/state.json")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m local_controlplane",
        description=(
            "Local LangGraph control plane for development and tests. The default API keys "
            "are local development keys, not secrets. /_admin is a local-only test API "
            "without auth: keep the server on loopback."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    p.add_argument(
        "--state",
        type=Path,
        default=DEFAULT_STATE,
        help=f"JSON state file, created and seeded when missing (default {DEFAULT_STATE})",
    )
    p.add_argument(
        "--api-key",
        default=os.environ.get("LOCAL_CONTROLPLANE_API_KEY", seed.DEFAULT_API_KEY),
        help="workspace-scoped API key to accept (env LOCAL_CONTROLPLANE_API_KEY; "
        f"default {seed.DEFAULT_API_KEY})",
    )
    p.add_argument(
        "--org-api-key",
        default=os.environ.get("LOCAL_CONTROLPLANE_ORG_API_KEY", seed.DEFAULT_ORG_API_KEY),
        help="organisation-scoped key (needs X-Tenant-Id); empty string disables it "
        f"(env LOCAL_CONTROLPLANE_ORG_API_KEY; default {seed.DEFAULT_ORG_API_KEY})",
    )
    p.add_argument("--no-seed", action="store_true", help="start empty when no state exists")
    p.add_argument(
        "--status-delay",
        type=float,
        default=0.0,
        help="seconds a new revision spends in each of "
        + ", ".join(REVISION_STEPS)
        + " (default 0: DEPLOYED at once)",
    )
    p.add_argument("--delete-delay", type=float, default=0.0, help="seconds until a delete lands")
    p.add_argument("--no-admin", action="store_true", help="disable the /_admin API")
    p.add_argument(
        "--path-prefix",
        default="",
        help="serve under a prefix, like a self-hosted LangSmith's /api-host (default none)",
    )
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(message)s")
    behaviour = Behaviour(
        revision_delays=dict.fromkeys(REVISION_STEPS, args.status_delay),
        delete_delay=args.delete_delay,
    )
    try:
        app = create_app(
            args.state,
            api_keys=default_keys(args.api_key, args.org_api_key or None),
            seed_if_new=not args.no_seed,
            behaviour=behaviour,
            enable_admin=not args.no_admin,
            path_prefix=args.path_prefix,
        )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"local control plane on http://{args.host}:{args.port}{app.path_prefix} "
        f"(state {args.state}); "
        f"workspace {seed.DEFAULT_TENANT_ID}",
        file=sys.stderr,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        http="h11",
        ws="none",
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
