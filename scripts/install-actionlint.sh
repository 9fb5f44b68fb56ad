#!/usr/bin/env bash
# Install actionlint at the version pinned in toolchain/versions.env (ACTIONLINT_VERSION),
# built with `go install` through the Go module proxy into a cache outside the clone:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/langgraph-dataplane/tools/actionlint-v<version>/actionlint
# Idempotent: an installed binary of that version is kept. Prints the binary's path on
# stdout (progress goes to stderr), so `"$(scripts/install-actionlint.sh)" FILES` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^ACTIONLINT_VERSION=//p' toolchain/versions.env)
[ -n "$version" ] || { echo "install-actionlint: no ACTIONLINT_VERSION in toolchain/versions.env" >&2; exit 1; }
dir=${XDG_CACHE_HOME:-$HOME/.cache}/langgraph-dataplane/tools/actionlint-v$version
bin=$dir/actionlint

if [ -x "$bin" ] && "$bin" -version 2>/dev/null | head -1 | grep -qx "v$version"; then
  echo "$bin"
  exit 0
fi

GO=$(command -v go || true)
[ -n "$GO" ] || GO=/usr/local/go/bin/go
[ -x "$GO" ] || { echo "install-actionlint: no Go toolchain (go on PATH or /usr/local/go/bin/go)" >&2; exit 1; }

echo "==> go install github.com/rhysd/actionlint/cmd/actionlint@v$version" >&2
mkdir -p "$(dirname "$dir")"
scratch=$(mktemp -d "$(dirname "$dir")/.actionlint.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# Built in a scratch folder and moved in whole: an interrupted build leaves nothing behind.
GOBIN=$scratch GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-buildvcs=false ${GOFLAGS:-}" \
  "$GO" install "github.com/rhysd/actionlint/cmd/actionlint@v$version" >&2
"$scratch/actionlint" -version >/dev/null
rm -rf "$dir"
mv -T "$scratch" "$dir"
trap - EXIT
echo "$bin"
