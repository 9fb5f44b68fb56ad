"""Ship a new revision of a deployment (a new image), as someone would in the control plane.

    .venv/bin/python scripts/ship-revision.py agent-alpha --image registry.example.com/alpha:2.0.0

Defaults to the local control plane and its development key; `--url` and the
LANGGRAPH_CONTROL_PLANE_API_KEY environment variable point it elsewhere.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from components.controlplane import ControlPlaneClient, ControlPlaneError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deployment", help="deployment name")
    parser.add_argument("--image", required=True, help="image_uri of the new revision")
    parser.add_argument("--url", default="http://127.0.0.1:8765", help="control-plane base URL")
    args = parser.parse_args()
    key = os.environ.get("LANGGRAPH_CONTROL_PLANE_API_KEY", "lsv2_local_dev_key")
    try:
        with ControlPlaneClient(key, base_url=args.url) as client:
            found = client.list_deployments(name_contains=args.deployment)
            deployment = next((d for d in found if d.name == args.deployment), None)
            if deployment is None:
                print(f"no deployment named {args.deployment!r} at {args.url}", file=sys.stderr)
                return 1
            revision = client.create_revision(
                deployment.id, {"source_revision_config": {"image_uri": args.image}}
            )
    except ControlPlaneError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"revision {revision.id} of {deployment.name}: {revision.status}, {args.image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
