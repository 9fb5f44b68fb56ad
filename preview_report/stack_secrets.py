"""Per-stack settings of a CI job from the repository's secrets, for the fleet commands.

One job previews every stack, so the per-stack secrets cannot be named in the workflow
(`secrets.KUBECONFIG_ACME_PROD`): the job hands all of them over as JSON
(`SECRETS_JSON: ${{ toJSON(secrets) }}`) and this picks the per-stack ones:

- `KUBECONFIG_<STACK>`: the kubeconfig's content; written to a file (mode 600) in
  `--out-dir`, and `DATAPLANE_KUBECONFIG_<STACK>=<file>` printed;
- `PULUMI_CONFIG_PASSPHRASE_<STACK>`: printed as it is.

<STACK> is the stack name upper-cased with `-` as `_` (`ACME_PROD`). The printed
`NAME=value` lines go to `$GITHUB_ENV`:

    python -m preview_report.stack_secrets --out-dir "$RUNNER_TEMP" >> "$GITHUB_ENV"
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

KUBECONFIG = re.compile(r"^KUBECONFIG_([A-Z0-9_]+)$")
PASSPHRASE = re.compile(r"^PULUMI_CONFIG_PASSPHRASE_([A-Z0-9_]+)$")


def stack_env(secrets: dict[str, str], out_dir: Path) -> list[str]:
    """The `NAME=value` lines for `$GITHUB_ENV`; kubeconfigs written to `out_dir`."""
    lines = []
    for name, value in sorted(secrets.items()):
        if not isinstance(value, str) or not value:
            continue
        if m := KUBECONFIG.match(name):
            path = out_dir / f"kubeconfig-{m.group(1).lower()}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(value if value.endswith("\n") else value + "\n")
            lines.append(f"DATAPLANE_KUBECONFIG_{m.group(1)}={path}")
        elif PASSPHRASE.match(name):
            if "\n" in value:
                raise ValueError(f"secret {name} holds several lines: a passphrase is one line")
            lines.append(f"{name}={value}")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m preview_report.stack_secrets", description=__doc__)
    p.add_argument("--out-dir", type=Path, required=True, help="where kubeconfigs are written")
    args = p.parse_args(argv)
    secrets = json.loads(os.environ.get("SECRETS_JSON") or "{}")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        lines = stack_env(secrets, args.out_dir)
    except ValueError as exc:
        print(f"stack_secrets: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    names = [line.split("=", 1)[0] for line in lines]
    print(f"stack_secrets: {', '.join(names) or 'no per-stack secrets'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
