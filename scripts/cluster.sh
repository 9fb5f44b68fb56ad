#!/usr/bin/env bash
# Start, stop or check the local Kubernetes cluster (docs/cluster.md): kube-apiserver,
# kube-controller-manager, kube-scheduler, etcd and KWOK's controller (fake nodes on which
# pods become Running), all on 127.0.0.1, run by kwokctl's binary runtime from the binaries
# of scripts/bootstrap-cluster.sh (built first when missing).
#   scripts/cluster.sh start    start it (or find it running); the last line is the kubeconfig
#   scripts/cluster.sh stop     stop the processes this clone's cluster runs, remove its state
#   scripts/cluster.sh status   one line about it; exit 1 when it is not running
# State lives in .work/cluster/ (kwokctl's work folder, certificates, etcd data, logs).
# Environment: LOCAL_CLUSTER_NODES (fake nodes, default 2), LOCAL_CLUSTER_VOLUMES (free
# pre-created volumes kept in the pool, default 48).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# shellcheck source=../toolchain/lib.sh
source toolchain/lib.sh
tc_load_versions
tc_cluster_key

state=$repo/.work/cluster
name=langgraph-dev
workdir=$state/kwok
kubeconfig=$workdir/clusters/$name/kubeconfig.yaml
bin=$TC_CLUSTER_DIR/bin
nodes=${LOCAL_CLUSTER_NODES:-2}
volumes=${LOCAL_CLUSTER_VOLUMES:-48}
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

healthy() {
  [ -f "$kubeconfig" ] && [ -x "$python" ] &&
    "$python" -m devtools.local_cluster status "$kubeconfig" >/dev/null 2>&1
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

start() {
  ./scripts/setup-venv.sh >&2
  ./scripts/bootstrap-cluster.sh
  mkdir -p "$state"
  tc_lock "$state/.lock" cluster
  local t0=$SECONDS
  if healthy; then
    log "the local cluster is already running: $("$python" -m devtools.local_cluster status "$kubeconfig")"
  else
    # Whatever a crashed or interrupted run left (processes, stale pid files, half-written
    # etcd data) is removed: a start always begins from nothing.
    stop_processes
    rm -rf "$workdir" "$state/volumes" "$state/state"
    mkdir -p "$workdir"
    cat >"$state/kwok.yaml" <<EOF
kind: KwokctlConfiguration
apiVersion: config.kwok.x-k8s.io/v1alpha1
options:
  # Every component listens on loopback only.
  bindAddress: 127.0.0.1
EOF
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
    KWOK_WORKDIR=$workdir "$bin/kwokctl" scale node --name "$name" --replicas "$nodes" \
      >>"$state/create.log" 2>&1 9>&- || { tail -n 20 "$state/create.log" >&2; exit 1; }
  fi
  # Ready nodes, the default StorageClass, and enough free volumes (topped up every start).
  "$python" -m devtools.local_cluster prepare "$kubeconfig" --nodes "$nodes" \
    --volumes "$volumes" --volume-root "$state/volumes"
  log "local cluster ready in $((SECONDS - t0)) s: $("$python" -m devtools.local_cluster status "$kubeconfig")"
  echo "$kubeconfig"
}

case "${1:-status}" in
  start) start ;;
  stop)
    mkdir -p "$state"
    tc_lock "$state/.lock" cluster
    if [ -z "$(ours)" ] && [ ! -d "$workdir" ]; then
      log "the local cluster was not running"
      exit 0
    fi
    stop_processes
    rm -rf "$workdir" "$state/volumes" "$state/state"
    log "stopped the local cluster and removed its state"
    ;;
  status)
    if healthy; then
      echo "running: $("$python" -m devtools.local_cluster status "$kubeconfig")"
      echo "kubeconfig: $kubeconfig"
    else
      echo "not running"
      exit 1
    fi
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
