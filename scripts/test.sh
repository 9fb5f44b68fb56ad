#!/usr/bin/env bash
# The test command: install everything the project needs, then lint, type-check and run
# every test (unit, provider, integration tests that drive the real Pulumi CLI, the data
# plane's life against the live local cluster in tests/cluster, and on a real node in
# tests/cluster/realnode). Runs as root: the real node's containerd, kubelet and bridge, and
# the chroot its images are built in, need it.
# Extra arguments go to pytest, e.g. `./scripts/test.sh tests/unit -q`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-venv.sh
# Debian packages: PostgreSQL and redis-server for the external-store preflight tests, and
# the real node's containerd, runc, CNI plugins, nftables and debootstrap.
./scripts/install-system-packages.sh
# The integration tests need the whole engine: an incomplete toolchain fails here, saying
# which piece is missing and why.
if ! ./scripts/bootstrap-toolchain.sh; then
  echo "==> the Pulumi toolchain is incomplete (see above): the tests need all of it" >&2
  exit 1
fi
# tests/cluster runs against the local clusters: their binaries (the real node's kubelet,
# kube-proxy, CoreDNS and pause among them) and the real node's images are built here
# (cached by version); the tests' session fixtures start them, and stop what they started.
if ! ./scripts/bootstrap-cluster.sh --real-node; then
  echo "==> the local cluster's binaries could not be built (see above): tests/cluster needs them" >&2
  exit 1
fi
if ! ./scripts/build-images.sh >/dev/null; then
  echo "==> the real node's images could not be built (see above): tests/cluster/realnode needs them" >&2
  exit 1
fi

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy (components/, preview_report/, policy/, the real node's devtools)"
.venv/bin/mypy
# Apart: preview_report imports components as a package (run from the root).
.venv/bin/mypy preview_report devtools/example_fleet.py devtools/realnode devtools/image_archive.py
# Apart: the pack imports its rules as a top-level package (it runs from policy/).
.venv/bin/mypy policy/__main__.py policy/dataplane_rules
echo "==> actionlint (.github/workflows, with shellcheck for the run: scripts)"
actionlint=$(./scripts/install-actionlint.sh)
"$actionlint" -shellcheck .venv/bin/shellcheck .github/workflows/*.yml
echo "==> pytest"
set +e
# -rs prints the reason of any skip; tests/conftest.py fails the run when a test skipped.
.venv/bin/pytest -rs "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here (check the arguments)." >&2
  exit 1
fi
exit "$rc"
