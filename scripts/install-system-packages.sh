#!/usr/bin/env bash
# Debian packages the tests need, installed only when missing (a no-op on a machine that has
# them):
#  - a PostgreSQL server and redis-server: the external-store preflight runs against real
#    ones (tests/preflight);
#  - awk: the operator chart's post-renderer;
#  - the real node's runtime (scripts/cluster.sh --real-node, docs/real-node.md): containerd
#    (with ctr), runc, the CNI plugins, nftables (kube-proxy's nftables mode runs `nft`), and
#    debootstrap and gcc, which build its images and its pause program.
set -euo pipefail

need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || command -v postgres >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v awk >/dev/null || need+=(gawk)
command -v containerd >/dev/null && command -v ctr >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] || need+=(containernetworking-plugins)
command -v nft >/dev/null || need+=(nftables)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
if [ "${#need[@]}" -eq 0 ]; then
  echo "==> system packages present (postgresql, redis-server, awk, containerd, runc, CNI plugins, nftables, debootstrap, gcc)"
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
# The packages' own services are not needed: the tests and the node start theirs themselves.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
