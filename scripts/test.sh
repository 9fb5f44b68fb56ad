#!/usr/bin/env bash
# The test command: install everything the project needs, then lint, type-check and run
# every test (unit, provider, and integration tests that drive the real Pulumi CLI).
# Extra arguments go to pytest, e.g. `./scripts/test.sh tests/unit -q`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-venv.sh
# Pieces the Go proxy refuses are reported, not fatal: the integration tests fail when the
# CLI is missing, and skip (saying why) only what needs a plugin that could not be built.
./scripts/bootstrap-toolchain.sh || echo "==> the toolchain is incomplete (see above)"

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy (components/)"
.venv/bin/mypy
echo "==> pytest"
set +e
.venv/bin/pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here (check the arguments)." >&2
  exit 1
fi
exit "$rc"
