#!/usr/bin/env bash
# The fleet preview of every stack file (python -m preview_report.fleet), with the project's
# toolchain and virtualenvs, as the pull-request workflow runs it: run it before pushing.
#
#   scripts/fleet-preview.sh [--local] [FLEET OPTIONS] [STACK ...]
#
# Without --local it previews the stacks where they live: your backend (PULUMI_BACKEND_URL
# or --backend), your passphrases (PULUMI_CONFIG_PASSPHRASE, or PULUMI_CONFIG_PASSPHRASE_<STACK>
# per stack), each stack's control plane and cluster (DATAPLANE_KUBECONFIG_<STACK> to use
# another kubeconfig).
#
# --local: a dry run of the checkout's stacks on this machine, changing nothing anywhere:
#   - the local control plane (scripts/controlplane.sh start, port LOCAL_CONTROLPLANE_PORT,
#     default 8765) holding what the stack files name (python -m devtools.example_fleet),
#     and every stack previewed against it (--control-plane-url; its development API key);
#   - manifests rendered to .work/fleet/manifests/<stack> instead of reading a cluster;
#   - a file:// backend in .work/fleet/state, where missing stacks are created;
#   - the example stacks' documented passphrases (dev, acme-prod, standalone-example) unless
#     PULUMI_CONFIG_PASSPHRASE_<STACK> is set; other stacks need theirs;
#   - the report printed, and in .work/fleet/out/fleet.md (each stack's files beside it).
#
# Fleet options (python -m preview_report.fleet --help): --jobs N, --accept-data-loss STACK,
# --policy-pack DIR, --create-missing, --out-dir DIR, -o FILE, --shard I/N, --timings FILE...
# In shards (--local gives --out-dir): run `--shard 1/2`, then `--shard 2/2`, then
#   .venv/bin/python -m preview_report.fleet_merge -o fleet.md .work/fleet/out/part-*-of-2.json
# Exit status: the fleet's: 0 nothing blocks, 1 a stack failed, violates a mandatory policy
# or has a data-loss risk not accepted, 2 usage, 3 no virtualenv (run scripts/setup-venv.sh).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

[ -x .venv/bin/python ] && [ -x policy/.venv/bin/python ] ||
  { echo "fleet-preview: run scripts/setup-venv.sh first (.venv and policy/.venv)" >&2; exit 3; }
# The pinned toolchain when it was bootstrapped, else the `pulumi` on PATH.
# shellcheck source=/dev/null
source scripts/toolchain-env.sh >/dev/null 2>&1 || true

args=()
if [ "${1:-}" = "--local" ]; then
  shift
  work=.work/fleet
  port=${LOCAL_CONTROLPLANE_PORT:-8765}
  LOCAL_CONTROLPLANE_PORT=$port scripts/controlplane.sh start >&2 || exit 1
  url=http://127.0.0.1:$port
  export LANGGRAPH_CONTROL_PLANE_API_KEY=${LANGGRAPH_CONTROL_PLANE_API_KEY:-lsv2_local_dev_key}
  .venv/bin/python -m devtools.example_fleet "$url" >&2 || exit 1
  # Documented in each stack file's header; they protect nothing real.
  export PULUMI_CONFIG_PASSPHRASE_DEV=${PULUMI_CONFIG_PASSPHRASE_DEV:-langgraph-dev-passphrase}
  export PULUMI_CONFIG_PASSPHRASE_ACME_PROD=${PULUMI_CONFIG_PASSPHRASE_ACME_PROD:-acme-example-passphrase}
  export PULUMI_CONFIG_PASSPHRASE_STANDALONE_EXAMPLE=${PULUMI_CONFIG_PASSPHRASE_STANDALONE_EXAMPLE:-standalone-example-passphrase}
  mkdir -p "$work/state"
  args=(--backend "file://$PWD/$work/state" --create-missing --control-plane-url "$url"
    --render-dir "$work/manifests" --out-dir "$work/out")
  echo "fleet-preview: dry run against $url; report in $work/out/fleet.md" >&2
fi
exec .venv/bin/python -m preview_report.fleet "${args[@]}" "$@"
