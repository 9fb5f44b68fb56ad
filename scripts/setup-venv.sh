#!/usr/bin/env bash
# Create or refresh the project's virtualenv (.venv) from the pinned requirements, and the
# policy pack's (policy/.venv, scripts/setup-policy-venv.sh).
# Idempotent: it reinstalls only when a requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing Python requirements"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements-dev.txt
  echo "$want" > "$stamp"
else
  echo "==> .venv is up to date"
fi
./scripts/setup-policy-venv.sh
