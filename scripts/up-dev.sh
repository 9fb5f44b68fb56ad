#!/usr/bin/env bash
# The main job: everything from a fresh clone to a deployed `dev` stack, on local defaults.
#  1. installs the Python requirements and builds the Pulumi toolchain (cached by version);
#  2. starts the local control-plane server on 127.0.0.1:8765, seeded;
#  3. uses a file:// state backend in .work/state with the passphrase secrets provider;
#  4. runs `pulumi up` of the dev stack: manifests are rendered to .work/manifests/dev
#     (git-ignored; they hold Kubernetes Secrets in plain text), or applied to a cluster
#     when DATAPLANE_KUBECONFIG names a kubeconfig.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-venv.sh
./scripts/bootstrap-toolchain.sh
# shellcheck source=/dev/null
source scripts/toolchain-env.sh
./scripts/controlplane.sh start

mkdir -p .work/state
export PULUMI_BACKEND_URL="file://$PWD/.work/state"
# The dev stack's secrets are encrypted with this documented development passphrase.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-langgraph-dev-passphrase}"

pulumi stack select dev --create --secrets-provider passphrase --non-interactive
pulumi up --stack dev --yes --non-interactive --diff

echo
echo "==> deployed stack dev"
pulumi stack output --stack dev
if [ -z "${DATAPLANE_KUBECONFIG:-}" ]; then
  echo "==> manifests: $PWD/.work/manifests/dev ($(find .work/manifests/dev -name '*.yaml' | wc -l) files)"
else
  echo "==> applied to the cluster of $DATAPLANE_KUBECONFIG"
fi
echo "==> the local control plane keeps running: scripts/controlplane.sh stop"
