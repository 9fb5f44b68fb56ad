# Shared by scripts/bootstrap-toolchain.sh and scripts/toolchain-env.sh (bash only).
# Reads toolchain/versions.env and names the cache folders. Defines functions and TC_*
# variables; exports nothing.

TC_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TC_VERSIONS_FILE=${TOOLCHAIN_VERSIONS_FILE:-$TC_REPO/toolchain/versions.env}
TC_CACHE_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/langgraph-dataplane/toolchain

# tc_load_versions: every KEY=value of versions.env becomes TC_KEY (the file is parsed, not
# executed, so it cannot run code or leak generic names such as PULUMI_VERSION).
tc_load_versions() {
  local line key value n=0
  [ -r "$TC_VERSIONS_FILE" ] || { echo "toolchain: cannot read $TC_VERSIONS_FILE" >&2; return 1; }
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    case $line in '' | '#'*) continue ;; esac
    if [[ ! $line =~ ^([A-Z][A-Z0-9_]*)=([^[:space:]\"\'\$\`]*)$ ]]; then
      echo "toolchain: $TC_VERSIONS_FILE:$n: not a plain KEY=value line: $line" >&2
      return 1
    fi
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    printf -v "TC_$key" '%s' "$value"
  done <"$TC_VERSIONS_FILE"
  local required var
  for required in TOOLCHAIN_RECIPE PULUMI_VERSION KUBERNETES_VERSION RANDOM_VERSION; do
    var=TC_$required
    if [ -z "${!var:-}" ]; then
      echo "toolchain: $TC_VERSIONS_FILE has no $required" >&2
      return 1
    fi
  done
  # The pins' fingerprint: any change of a pin (a commit, say) gives a new toolchain key.
  # The pin of actionlint, a tool outside the engine, is not part of it.
  TC_PINS_SHA=$(grep -E '^[A-Z][A-Z0-9_]*=' "$TC_VERSIONS_FILE" | grep -v '^ACTIONLINT_' | LC_ALL=C sort | sha256sum | cut -c1-10)
  TC_KEY="pulumi-${TC_PULUMI_VERSION}_kubernetes-${TC_KUBERNETES_VERSION}_random-${TC_RANDOM_VERSION}_r${TC_TOOLCHAIN_RECIPE}-${TC_PINS_SHA}"
  TC_DIR=$TC_CACHE_ROOT/$TC_KEY
}
