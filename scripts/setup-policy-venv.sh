#!/usr/bin/env bash
# Create or refresh the policy pack's own virtualenv (policy/.venv) from policy/requirements.txt.
# Its own, because pulumi-policy needs another protobuf than the project's .venv has; the
# engine starts the pack with it (policy/PulumiPolicy.yaml). Idempotent: it reinstalls only
# when the requirements changed. scripts/setup-venv.sh calls it.
set -euo pipefail
cd "$(dirname "$0")/../policy"

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating policy/.venv with $($python --version)"
  "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing the policy pack's requirements"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$want" > "$stamp"
else
  echo "==> policy/.venv is up to date"
fi
