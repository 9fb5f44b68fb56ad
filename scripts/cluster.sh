#!/usr/bin/env bash
# Start, stop or check a local Kubernetes cluster (docs/cluster.md, docs/real-node.md).
#
#   scripts/cluster.sh [--real-node] start    start it (or find it running); the last line
#                                             printed is the kubeconfig
#   scripts/cluster.sh [--real-node] stop     stop what it runs, remove its state
#   scripts/cluster.sh [--real-node] status   one line about it; exit 1 when it is not running
#
# Both kinds run kube-apiserver, kube-controller-manager, kube-scheduler and etcd on
# 127.0.0.1, started by kwokctl's binary runtime from the binaries of
# scripts/bootstrap-cluster.sh (built first when missing).
# - Default (KWOK): fake nodes on which pods become Running without running anything; fast,
#   and as many nodes as wanted. State in .work/cluster/.
# - --real-node: no fake node; one real node on this machine instead (containerd, kubelet,
#   kube-proxy, CoreDNS; devtools/realnode), running images built here
#   (scripts/build-images.sh). Needs root. State in .work/cluster-real/ and, for the node,
#   /var/lib/langgraph-node (one real node per machine).
# Environment: LOCAL_CLUSTER_NODES (fake nodes, default 2), LOCAL_CLUSTER_VOLUMES (free
# pre-created volumes kept in the pool, default 48; 24 with --real-node).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# shellcheck source=../toolchain/lib.sh
source toolchain/lib.sh
tc_load_versions
tc_cluster_key

real_node=false
if [ "${1:-}" = --real-node ]; then
  real_node=true
  shift
fi
if $real_node; then
  state=$repo/.work/cluster-real
  name=langgraph-real
  nodes=1
  volumes=${LOCAL_CLUSTER_VOLUMES:-24}
else
  state=$repo/.work/cluster
  name=langgraph-dev
  nodes=${LOCAL_CLUSTER_NODES:-2}
  volumes=${LOCAL_CLUSTER_VOLUMES:-48}
fi
workdir=$state/kwok
kubeconfig=$workdir/clusters/$name/kubeconfig.yaml
bin=$TC_CLUSTER_DIR/bin
python=$repo/.venv/bin/python

log() { printf '==> %s\n' "$*" >&2; }

# ours: the pids of the processes that run this clone's cluster: one of the cluster's
# binaries, with this state folder in its arguments. Nothing else is ever signalled.
ours() {
  local file pid exe
  for file in $(grep -lsF -- "$state/" /proc/[0-9]*/cmdline); do
    pid=${file#/proc/}
    pid=${pid%/cmdline}
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    case ${exe##*/} in
      kube-apiserver | kube-controller-manager | kube-scheduler | etcd | kwok | kwokctl) echo "$pid" ;;
    esac
  done
}

node() { "$python" -m devtools.realnode "$@"; }

healthy() {
  [ -f "$kubeconfig" ] && [ -x "$python" ] &&
    "$python" -m devtools.local_cluster status "$kubeconfig" >/dev/null 2>&1 &&
    { ! $real_node || node status >/dev/null 2>&1; }
}

stop_processes() {
  local pids pid alive
  pids=$(ours)
  [ -n "$pids" ] || return 0
  log "stopping $(echo "$pids" | wc -w) cluster processes: $(echo $pids)"
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  for _ in $(seq 1 25); do
    alive=
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive+=" $pid"; done
    [ -n "$alive" ] || return 0
    sleep 0.2
  done
  # The cluster's state is removed next: a slow graceful shutdown saves nothing.
  log "still running after 5 s, killing:$alive"
  # shellcheck disable=SC2086
  kill -9 $alive 2>/dev/null || true
}

# stop_all: the node first (its kubelet talks to the API server), then the control plane.
stop_all() {
  if $real_node; then node stop >&2; fi
  stop_processes
  rm -rf "$workdir" "$state/volumes" "$state/state"
}

# kwok_config: kwokctl's configuration. Every component listens on loopback only. For the
# real node: no KWOK controller, Services inside 198.18.0.0/15, and the API server reaches
# the kubelet (logs, exec) on its InternalIP with the cluster's client certificate.
kwok_config() {
  cat <<EOF
kind: KwokctlConfiguration
apiVersion: config.kwok.x-k8s.io/v1alpha1
options:
  bindAddress: 127.0.0.1
EOF
  $real_node || return 0
  local pki=$workdir/clusters/$name/pki service_cidr
  service_cidr=$("$python" -c 'from devtools.realnode.layout import SERVICE_CIDR; print(SERVICE_CIDR)')
  cat <<EOF
  disable:
  - kwok-controller
componentsPatches:
- name: kube-apiserver
  extraArgs:
  - key: service-cluster-ip-range
    value: $service_cidr
  - key: kubelet-preferred-address-types
    value: InternalIP
  - key: kubelet-client-certificate
    value: $pki/admin.crt
  - key: kubelet-client-key
    value: $pki/admin.key
- name: kube-controller-manager
  extraArgs:
  - key: service-cluster-ip-range
    value: $service_cidr
EOF
}

start() {
  ./scripts/setup-venv.sh >&2
  if $real_node; then
    [ "$(id -u)" -eq 0 ] || { echo "the real node needs root (containerd, kubelet, bridge)" >&2; exit 1; }
    ./scripts/install-system-packages.sh >&2
    ./scripts/bootstrap-cluster.sh --real-node
    # The last line is the folder of the image archives.
    images=$(./scripts/build-images.sh | tail -n 1)
  else
    ./scripts/bootstrap-cluster.sh
  fi
  mkdir -p "$state"
  tc_lock "$state/.lock" cluster
  local t0=$SECONDS
  if healthy; then
    log "the local cluster is already running: $("$python" -m devtools.local_cluster status "$kubeconfig")"
  else
    # Whatever a crashed or interrupted run left (processes, stale pid files, half-written
    # etcd data, a node's mounts and network) is removed: a start always begins from nothing.
    stop_all
    mkdir -p "$workdir"
    kwok_config >"$state/kwok.yaml"
    log "starting the local cluster (kwokctl, binary runtime, Kubernetes v$TC_CLUSTER_KUBERNETES_VERSION)"
    # --kubeconfig "": never touch ~/.kube/config. KWOK_WORKDIR keeps everything in .work/;
    # KWOK_KUBE_VERSION tells kwokctl which flags these binaries take. `9>&-`: the cluster's
    # processes must not inherit (and so hold) the lock.
    if ! KWOK_WORKDIR=$workdir KWOK_KUBE_VERSION=v$TC_CLUSTER_KUBERNETES_VERSION \
      "$bin/kwokctl" create cluster --name "$name" --runtime binary \
      --config "$state/kwok.yaml" --kubeconfig "" \
      --etcd-binary "$bin/etcd" --kube-apiserver-binary "$bin/kube-apiserver" \
      --kube-controller-manager-binary "$bin/kube-controller-manager" \
      --kube-scheduler-binary "$bin/kube-scheduler" --kwok-controller-binary "$bin/kwok" \
      --timeout 120s --wait 120s >"$state/create.log" 2>&1 9>&-; then
      tail -n 30 "$state/create.log" | sed 's/^/    /' >&2
      stop_processes
      echo "the local cluster did not start: $state/create.log, logs in $workdir/clusters/$name/logs" >&2
      exit 1
    fi
    if $real_node; then
      # shellcheck disable=SC2046 # one archive per word
      if ! node start --kubeconfig "$kubeconfig" --ca "$workdir/clusters/$name/pki/ca.crt" \
        --bin "$bin" --pause-version "$TC_CLUSTER_PAUSE_VERSION" \
        $(ls "$images"/*.tar) >&2 9>&-; then
        stop_all
        exit 1
      fi
    else
      KWOK_WORKDIR=$workdir "$bin/kwokctl" scale node --name "$name" --replicas "$nodes" \
        >>"$state/create.log" 2>&1 9>&- || { tail -n 20 "$state/create.log" >&2; exit 1; }
    fi
  fi
  # Ready nodes, the default StorageClass, and enough free volumes (topped up every start).
  local volume_root=$state/volumes
  if $real_node; then
    volume_root=$("$python" -c 'from devtools.realnode.layout import NodePaths; print(NodePaths.default().volumes)')
  fi
  "$python" -m devtools.local_cluster prepare "$kubeconfig" --nodes "$nodes" \
    --volumes "$volumes" --volume-root "$volume_root" $($real_node && echo --writable-volumes)
  log "local cluster ready in $((SECONDS - t0)) s: $("$python" -m devtools.local_cluster status "$kubeconfig")"
  echo "$kubeconfig"
}

case "${1:-status}" in
  start) start ;;
  stop)
    mkdir -p "$state"
    tc_lock "$state/.lock" cluster
    # A real node is always torn down: what a crashed one left has no process to find.
    if ! $real_node && [ -z "$(ours)" ] && [ ! -d "$workdir" ]; then
      log "the local cluster was not running"
      exit 0
    fi
    stop_all
    log "stopped the local cluster and removed its state"
    ;;
  status)
    if healthy; then
      echo "running: $("$python" -m devtools.local_cluster status "$kubeconfig")"
      if $real_node; then echo "node: $(node status)"; fi
      echo "kubeconfig: $kubeconfig"
    else
      echo "not running"
      exit 1
    fi
    ;;
  *) echo "usage: $0 [--real-node] start|stop|status" >&2; exit 2 ;;
esac
