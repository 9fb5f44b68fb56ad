#!/usr/bin/env bash
# Create or refresh the project's virtualenv (.venv) from the pinned requirements, and the
# policy pack's own (policy/.venv from policy/requirements.txt: pulumi-policy needs another
# protobuf than the project's .venv has). Idempotent: a virtualenv is reinstalled only when
# its requirements changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}

# venv DIR REQUIREMENTS FILE...: DIR with `pip install -r REQUIREMENTS`, done again when the
# FILEs (REQUIREMENTS and what it includes) changed.
venv() {
  local dir=$1 requirements=$2 want
  shift 2
  if [ ! -x "$dir/bin/python" ]; then
    echo "==> creating $dir with $($python --version)"
    "$python" -m venv "$dir"
  fi
  want=$(cat "$@" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
    echo "==> installing $requirements into $dir"
    "$dir/bin/python" -m pip install --quiet --upgrade pip
    "$dir/bin/python" -m pip install --quiet -r "$requirements"
    echo "$want" > "$dir/.requirements.sha256"
  else
    echo "==> $dir is up to date"
  fi
}

venv .venv requirements-dev.txt requirements.txt requirements-dev.txt
venv policy/.venv policy/requirements.txt policy/requirements.txt
# The component package's plugin (package/PulumiPlugin.yaml): the program's requirements.
venv package/.venv package/requirements.txt package/requirements.txt requirements.txt
