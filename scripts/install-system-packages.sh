#!/usr/bin/env bash
# Debian packages the tests need: a PostgreSQL server and redis-server (the external-store
# preflight runs against real ones, tests/preflight), and awk (the operator chart's
# post-renderer). Installs only what is missing; a no-op on a machine that has them.
set -euo pipefail

need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || command -v postgres >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v awk >/dev/null || need+=(gawk)
if [ "${#need[@]}" -eq 0 ]; then
  echo "==> system packages present (postgresql, redis-server, awk)"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
if ! command -v apt-get >/dev/null; then
  echo "install these packages with your system's package manager: ${need[*]}" >&2
  exit 1
fi
echo "==> installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# The packages' own services are not needed: the tests start their servers themselves.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
