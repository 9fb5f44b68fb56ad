# Shared by scripts/bootstrap-toolchain.sh, scripts/bootstrap-cluster.sh, scripts/build-images.sh,
# scripts/toolchain-env.sh and scripts/cluster.sh (bash only). Reads toolchain/versions.env,
# names the cache folders, and holds the helpers both bootstraps build with. Defines
# functions and TC_* variables; exports nothing until tc_go_env is called.

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
  tc_require_pins TOOLCHAIN_RECIPE PULUMI_VERSION KUBERNETES_VERSION RANDOM_VERSION || return 1
  # The pins' fingerprint: any change of a pin (a commit, say) gives a new toolchain key.
  # Pins of what is not the engine are not part of it: actionlint (ACTIONLINT_*), and the
  # local cluster (CLUSTER_*), which keys its own cache (tc_cluster_key), and the real node's
  # images (IMAGES_*, scripts/build-images.sh).
  TC_PINS_SHA=$(grep -E '^[A-Z][A-Z0-9_]*=' "$TC_VERSIONS_FILE" | grep -vE '^(ACTIONLINT|CLUSTER|IMAGES)_' |
    LC_ALL=C sort | sha256sum | cut -c1-10)
  TC_KEY="pulumi-${TC_PULUMI_VERSION}_kubernetes-${TC_KUBERNETES_VERSION}_random-${TC_RANDOM_VERSION}_r${TC_TOOLCHAIN_RECIPE}-${TC_PINS_SHA}"
  TC_DIR=$TC_CACHE_ROOT/$TC_KEY
}

# tc_require_pins NAME...: fails, naming the first missing one, unless each pin NAME was
# read from the versions file (as TC_NAME).
tc_require_pins() {
  local required var
  for required in "$@"; do
    var=TC_$required
    if [ -z "${!var:-}" ]; then
      echo "toolchain: $TC_VERSIONS_FILE has no $required" >&2
      return 1
    fi
  done
}

# tc_cluster_key: the local cluster's binaries (scripts/bootstrap-cluster.sh) are keyed by
# the CLUSTER_* pins alone, so that they and the engine never rebuild each other.
tc_cluster_key() {
  local sha
  tc_require_pins CLUSTER_RECIPE CLUSTER_KUBERNETES_VERSION CLUSTER_ETCD_VERSION CLUSTER_KWOK_VERSION \
    CLUSTER_COREDNS_VERSION CLUSTER_PAUSE_VERSION || return 1
  sha=$(grep -E '^CLUSTER_[A-Z0-9_]*=' "$TC_VERSIONS_FILE" | LC_ALL=C sort | sha256sum | cut -c1-10)
  TC_CLUSTER_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/langgraph-dataplane/cluster
  TC_CLUSTER_KEY="kubernetes-${TC_CLUSTER_KUBERNETES_VERSION}_etcd-${TC_CLUSTER_ETCD_VERSION}_kwok-${TC_CLUSTER_KWOK_VERSION}_r${TC_CLUSTER_RECIPE}-$sha"
  TC_CLUSTER_DIR=$TC_CLUSTER_ROOT/$TC_CLUSTER_KEY
}

# --- build helpers shared by the two bootstraps -------------------------------------------

# tc_log TAG MESSAGE...: a timestamped progress line on stderr.
tc_log() {
  local tag=$1
  shift
  printf '[%s %s] %s\n' "$tag" "$(date +%H:%M:%S)" "$*" >&2
}

# tc_elapsed SECONDS: "4m05s".
tc_elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# tc_go_env: TC_GO is the Go toolchain; export the environment of every build here: never
# download another Go toolchain, no VCS stamping, no cgo.
tc_go_env() {
  TC_GO=$(command -v go || true)
  [ -n "$TC_GO" ] || TC_GO=/usr/local/go/bin/go
  [ -x "$TC_GO" ] || { echo "toolchain: no Go toolchain (go on PATH or /usr/local/go/bin/go)" >&2; return 1; }
  export GOTOOLCHAIN=local
  export GOFLAGS="-buildvcs=false ${GOFLAGS:-}"
  export CGO_ENABLED=0
}

# tc_lock LOCKFILE TAG: hold an exclusive lock on LOCKFILE (fd 9) until the script exits,
# waiting for another holder with a message.
tc_lock() {
  mkdir -p "$(dirname "$1")"
  exec 9>"$1"
  if ! flock -n 9; then
    tc_log "$2" "another run holds $1: waiting for it"
    flock 9
  fi
}

# tc_module_json SCRATCH MOD@VERSION FIELD: `go mod download -json` of one module version
# (run in SCRATCH, outside any module), then one field of it (Dir, GoMod); the error on
# stderr, and status 3, when the proxy refuses it.
tc_module_json() {
  local out
  out=$(cd "$1" && GO111MODULE=on GOFLAGS=-mod=mod "$TC_GO" mod download -json "$2" 2>&1) || true
  python3 - "$2" "$3" "$out" <<'EOF'
import json, sys
target, field, out = sys.argv[1:]
try:
    info = json.loads(out[out.index("{"):])
except ValueError:
    print(f"cannot download {target}: {out.strip()[-300:]}", file=sys.stderr)
    sys.exit(3)
if info.get("Error"):
    print(f"cannot download {target}: {info['Error']}", file=sys.stderr)
    sys.exit(3)
print(info[field])
EOF
}

# tc_new_module SCRATCH NAME: a fresh wrapper module in SCRATCH; prints its path.
tc_new_module() {
  local dir
  dir=$(mktemp -d "$1/$2.XXXXXX")
  (cd "$dir" && "$TC_GO" mod init "langgraph-dataplane.invalid/toolchain/$2" >/dev/null 2>&1)
  printf '%s\n' "$dir"
}

# tc_run_logged LOGFILE CMD...: run a step with its output in LOGFILE; on failure show the
# command and the last 30 lines on stderr, and return 1.
tc_run_logged() {
  local logfile=$1
  shift
  if ! "$@" >"$logfile" 2>&1; then
    printf '    FAILED: %s\n' "$*" >&2
    tail -n 30 "$logfile" | sed 's/^/    /' >&2
    return 1
  fi
}

# tc_has_files DIR FILE...: every FILE is an executable file in DIR.
tc_has_files() {
  local dir=$1 f
  shift
  for f in "$@"; do [ -f "$dir/$f" ] && [ -x "$dir/$f" ] || return 1; done
}
