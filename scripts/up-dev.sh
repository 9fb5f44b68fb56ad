#!/usr/bin/env bash
# The main job: everything from a fresh clone to a deployed `dev` stack, on local defaults.
#
# It comes in two halves:
# - this script prepares the machine and starts what outlives the job, in shell because
#   those are the other scripts' jobs: the Python requirements (setup-venv.sh), the Pulumi
#   toolchain (bootstrap-toolchain.sh, cached by version), with DATAPLANE_CLUSTER the local
#   cluster (cluster.sh), and the local control-plane server (controlplane.sh; on
#   127.0.0.1:8765, seeded). It then runs the Python half and, whatever its result, says
#   what keeps running and how to stop it;
# - devtools/up_dev.py is the `pulumi up` of the dev stack through the Automation API, with
#   a file:// state backend and the passphrase secrets provider: manifests are rendered to
#   .work/manifests/dev (git-ignored; they hold Kubernetes Secrets in plain text), or
#   applied to a cluster when DATAPLANE_KUBECONFIG names a kubeconfig. The dev stack's
#   secrets use the documented passphrase `langgraph-dev-passphrase` unless
#   PULUMI_CONFIG_PASSPHRASE says otherwise. Its docstring says what it prints per mode.
#
# DATAPLANE_CLUSTER=local: build and start the local Kubernetes cluster (scripts/cluster.sh),
# apply the dev stack to it (state in .work/cluster/state), and print the pods Running per
# workload and the Services, as the cluster reports them.
# DATAPLANE_CLUSTER=real: the same on the real node (docs/real-node.md), with its own
# control plane on port 8766 (state in .work/cluster-real).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-venv.sh
# An incomplete toolchain is reported here and explained by the next step.
./scripts/bootstrap-toolchain.sh || echo "==> the toolchain is incomplete (see above)"
case "${DATAPLANE_CLUSTER:-}" in
  "") ./scripts/controlplane.sh start ;;
  local)
    # The last line of `start` is the kubeconfig.
    kubeconfig=$(./scripts/cluster.sh start | tail -n 1)
    export DATAPLANE_KUBECONFIG=$kubeconfig
    ./scripts/controlplane.sh start
    ;;
  real)
    kubeconfig=$(./scripts/cluster.sh --real-node start | tail -n 1)
    export DATAPLANE_KUBECONFIG=$kubeconfig
    export LOCAL_CONTROLPLANE_PORT=8766 LOCAL_CONTROLPLANE_DIR=.work/cluster-real/controlplane
    ./scripts/controlplane.sh start
    export DATAPLANE_CONTROLPLANE_URL=http://127.0.0.1:$LOCAL_CONTROLPLANE_PORT
    ;;
  *) echo "DATAPLANE_CLUSTER=$DATAPLANE_CLUSTER: the values are 'local' and 'real'" >&2; exit 2 ;;
esac
status=0
.venv/bin/python -m devtools.up_dev || status=$?
case "${DATAPLANE_CLUSTER:-}" in
  real)
    echo "==> the node's control plane keeps running: LOCAL_CONTROLPLANE_PORT=8766 LOCAL_CONTROLPLANE_DIR=.work/cluster-real/controlplane scripts/controlplane.sh stop"
    echo "==> the real node keeps running: scripts/cluster.sh --real-node stop (removes it and its stack state)"
    ;;
  local)
    echo "==> the local control plane keeps running: scripts/controlplane.sh stop"
    echo "==> the local cluster keeps running: scripts/cluster.sh stop (removes it and its stack state)"
    ;;
  *) echo "==> the local control plane keeps running: scripts/controlplane.sh stop" ;;
esac
exit "$status"
