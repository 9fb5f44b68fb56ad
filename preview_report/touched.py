"""Which stacks a change touches: the CI matrix of `.github/workflows/preview.yml`.

A changed `stacks/Pulumi.<stack>.yaml` touches that stack; a change to shared code
(`components/`, `__main__.py`, `requirements*.txt`, `Pulumi.yaml`) touches every stack.

    python -m preview_report.touched --base origin/main [--head HEAD]   # JSON list
    python -m preview_report.touched --changed-files changed.txt        # one path per line

With `--matrix`, a GitHub Actions matrix `include` list instead: `{"stack": "acme-prod",
"env_suffix": "ACME_PROD"}` (the suffix names per-stack secrets such as KUBECONFIG_ACME_PROD).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

SHARED = re.compile(r"^(components/.*|__main__\.py|Pulumi\.yaml|requirements[^/]*\.txt)$")
STACK_FILE = re.compile(r"^stacks/Pulumi\.([^/]+)\.yaml$")


def stacks_in(root: Path) -> list[str]:
    """Every stack with a file in `stacks/`."""
    return sorted(
        m.group(1)
        for p in (root / "stacks").glob("Pulumi.*.yaml")
        if (m := STACK_FILE.match(f"stacks/{p.name}"))
    )


def touched(changed: Iterable[str], available: list[str]) -> list[str]:
    """The stacks to preview for these changed paths (only stacks that still exist)."""
    paths = [p.strip() for p in changed if p.strip()]
    if any(SHARED.match(p) for p in paths):
        return sorted(available)
    named = {m.group(1) for p in paths if (m := STACK_FILE.match(p))}
    return sorted(named & set(available))


def env_suffix(stack: str) -> str:
    """`acme-prod` -> `ACME_PROD`: secret names allow only letters, digits and `_`."""
    return re.sub(r"[^A-Za-z0-9]", "_", stack).upper()


def matrix(stacks: list[str]) -> list[dict[str, str]]:
    return [{"stack": s, "env_suffix": env_suffix(s)} for s in stacks]


def changed_files(base: str, head: str, root: Path) -> list[str]:
    """`git diff --name-only base...head`: what the pull request changes."""
    done = subprocess.run(
        ["git", "diff", "--name-only", f"{base}...{head}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m preview_report.touched", description=__doc__)
    p.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--base", help="the pull request's base commit (git diff base...head)")
    source.add_argument("--changed-files", type=Path, help="a file with one changed path per line")
    source.add_argument("--all", action="store_true", help="every stack")
    p.add_argument("--head", default="HEAD")
    p.add_argument("--matrix", action="store_true", help="a matrix `include` list")
    args = p.parse_args(argv)
    available = stacks_in(args.root)
    if args.all:
        stacks = available
    elif args.changed_files:
        stacks = touched(args.changed_files.read_text().splitlines(), available)
    else:
        stacks = touched(changed_files(args.base, args.head, args.root), available)
    out = matrix(stacks) if args.matrix else stacks
    sys.stdout.write(json.dumps(out, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
