#!/usr/bin/env bash
# Build the Pulumi toolchain this project runs on, into a cache outside the clone keyed by
# the pins in toolchain/versions.env:
#  - the CLI and the two Python scripts from Go modules through the Go module proxy (or a
#    `pulumi` of exactly the pinned version already on PATH);
#  - the Python, Node.js and YAML language hosts and the kubernetes and random plugins,
#    which the proxy refuses, from the upstream source archives in $LANGGRAPH_UPSTREAM_DIR (default
#    ../shared/upstream beside the clone), checked against SHA256SUMS; each plugin is first
#    tried once as a released download (`pulumi plugin install`), which builds nothing.
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/langgraph-dataplane/toolchain/
#     pieces/<piece>-<version>-<pins>-r<recipe>/ one folder per built piece, moved in whole
#     <key>/bin/                            pulumi, pulumi-language-python and the two Python
#                                           scripts side by side (hard links into pieces/)
#     <key>/pulumi-home/                    PULUMI_HOME, with the resource plugins installed
#     <key>/manifest                        written last: the toolchain is complete
#
# Idempotent: a second run finds the manifest and does nothing. Every piece is built in a
# scratch folder and renamed into place, so an interrupted run never leaves a piece that
# looks complete. Pieces that cannot be built are reported, the rest is still built, and
# the script then exits 1. `source scripts/toolchain-env.sh` puts the result on PATH.
set -euo pipefail

# shellcheck source=../toolchain/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../toolchain/lib.sh"
tc_load_versions
tc_go_env # GOTOOLCHAIN=local, CGO_ENABLED=0, no VCS stamping
GO=$TC_GO

PIECES=$TC_CACHE_ROOT/pieces
SCRATCH=$TC_CACHE_ROOT/tmp
DIR=$TC_DIR
R=r$TC_TOOLCHAIN_RECIPE

PULUMI_PKG=github.com/pulumi/pulumi/pkg/v3
PULUMI_SDK=github.com/pulumi/pulumi/sdk/v3
PULUMI_VERSION_PKG=github.com/pulumi/pulumi/sdk/v3/go/common/version
K8S_PROVIDER=github.com/pulumi/pulumi-kubernetes/provider/v4
RANDOM_PROVIDER=github.com/pulumi/pulumi-random/provider/v4
UPSTREAM_DIR=${LANGGRAPH_UPSTREAM_DIR:-$TC_REPO/../shared/upstream}
UPSTREAM_DIR=$(cd "$UPSTREAM_DIR" 2>/dev/null && pwd || printf '%s' "$UPSTREAM_DIR")

# A `pulumi` on PATH of exactly the pinned version is used as it is (with the language host
# beside it, as the released CLI ships it), instead of building.
EXISTING_CLI=$(command -v pulumi || true)
if [ -n "$EXISTING_CLI" ] && [ "$("$EXISTING_CLI" version 2>/dev/null || true)" != "v$TC_PULUMI_VERSION" ]; then
  EXISTING_CLI=
fi

log() { tc_log bootstrap "$@"; }
elapsed() { tc_elapsed "$@"; }

# --check-archives: only check the upstream archives (exit 1 when one is refused).
CHECK_ARCHIVES=
case "${1:-}" in
  --check-archives) CHECK_ARCHIVES=1 ;;
  "") ;;
  *) echo "usage: $0 [--check-archives]" >&2; exit 2 ;;
esac

mkdir -p "$PIECES" "$SCRATCH"
if [ -z "$CHECK_ARCHIVES" ]; then
  tc_lock "$TC_CACHE_ROOT/.lock" bootstrap
  log "toolchain key $TC_KEY"
  log "cache $DIR"
  if [ -f "$DIR/manifest" ] && [ -x "$DIR/bin/pulumi" ]; then
    log "already installed: nothing to do"
    exit 0
  fi
fi

WORK=$(mktemp -d "$SCRATCH/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'log "interrupted: nothing half-built was installed"; exit 130' INT TERM

MISSING=() # "piece: reason" for every piece that could not be built

# unavailable REASON: the current piece cannot be built from its inputs (proxy, archives).
unavailable() { printf '%s' "$*" | tr -s '\n\t' '  ' >"$WORK/unavailable"; }

# --- helpers ---------------------------------------------------------------------------

# go_json MOD@VERSION FIELD: `go mod download -json` of one module version (outside any
# module), then one field of it (Dir, GoMod); the error on stderr when it fails.
go_json() { tc_module_json "$WORK" "$1" "$2"; }

# fetch MOD@VERSION FIELD: like go_json, but a failure marks the piece unavailable.
fetch() {
  local err
  if err=$(go_json "$1" "$2" 2>&1 >"$WORK/fetch.out"); then
    cat "$WORK/fetch.out"
    return 0
  fi
  unavailable "$err"
  return 3
}

# new_module NAME: a fresh wrapper module in the scratch folder; prints its path.
new_module() { tc_new_module "$WORK" "$1"; }

# copy_replaces GO.MOD: copy the upstream module's replace directives that point at other
# module versions into the wrapper (cwd). Replaces by local path (../sdk, ./shim) are
# printed on stdout as "OLD PATH" lines for the caller to handle.
copy_replaces() {
  "$GO" mod edit -json "$1" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    old = r["Old"]["Path"] + ("@" + r["Old"]["Version"] if r["Old"].get("Version") else "")
    new = r["New"]
    if new.get("Version"):
        print("module", old, new["Path"] + "@" + new["Version"])
    else:
        print("local", old, new["Path"])
' | while read -r kind old new; do
    if [ "$kind" = module ]; then
      log "  replace $old => $new (copied from upstream go.mod)"
      "$GO" mod edit -replace="$old=$new"
    else
      printf '%s %s\n' "$old" "$new"
    fi
  done
}

# run_logged LOGNAME CMD...: run a step with its output in a log; show the tail on failure.
run_logged() {
  local name=$1
  shift
  if ! tc_run_logged "$WORK/$name.log" "$@"; then
    if grep -qE '403 Forbidden|404 Not Found|not available' "$WORK/$name.log"; then
      unavailable "the Go proxy refused a module: $(grep -m1 -E '403 Forbidden|404 Not Found' "$WORK/$name.log")"
      return 3
    fi
    return 1
  fi
}

# has_files DIR FILE...: every FILE is an executable file in DIR.
has_files() { tc_has_files "$@"; }

# piece NAME KEY FUNCTION FILE...: build a piece (the executables FILE...) into pieces/KEY
# unless it is there already.
piece() {
  local name=$1 key=$2 fn=$3 start=$SECONDS rc=0
  shift 3
  if has_files "$PIECES/$key" "$@"; then
    log "[$name] cached: $PIECES/$key"
    return 0
  fi
  rm -rf "${PIECES:?}/$key" # never complete when it lacks a file (pieces are moved in whole)
  log "[$name] building $key ..."
  local out
  out=$(mktemp -d "$WORK/out.XXXXXX")
  rm -f "$WORK/unavailable"
  # A subshell (cwd and variables stay there) with errexit in force: not in an || list,
  # where bash would silently ignore errexit inside the function.
  set +e
  (
    set -e
    "$fn" "$out"
  )
  rc=$?
  set -e
  if [ "$rc" -eq 0 ] && ! has_files "$out" "$@"; then
    log "[$name] the build did not produce $*"
    rc=1
  fi
  if [ "$rc" -eq 0 ]; then
    chmod 0755 "$out"
    mv -T "$out" "$PIECES/$key"
    log "[$name] built in $(elapsed $((SECONDS - start))): $PIECES/$key"
    return 0
  fi
  if [ -s "$WORK/unavailable" ]; then
    local reason
    reason=$(cat "$WORK/unavailable")
    log "[$name] CANNOT BE BUILT after $(elapsed $((SECONDS - start))): $reason"
    MISSING+=("$name: $reason")
  else
    log "[$name] BUILD FAILED after $(elapsed $((SECONDS - start))) (exit $rc)"
    MISSING+=("$name: build failed (exit $rc), see the output above")
  fi
  return 0
}

# --- pieces ----------------------------------------------------------------------------

build_cli() { # Pulumi CLI from pkg/v3, or a `pulumi` on PATH of exactly the pinned version
  local out=$1 mod gomod
  if [ -n "$EXISTING_CLI" ]; then
    log "  using $EXISTING_CLI: its version is the pinned v$TC_PULUMI_VERSION"
    cp -L "$EXISTING_CLI" "$out/pulumi"
    return 0
  fi
  gomod=$(fetch "$PULUMI_PKG@v$TC_PULUMI_VERSION" GoMod) || return 3
  fetch "$PULUMI_PKG@v$TC_PULUMI_VERSION" Dir >/dev/null || return 3 # the zip, not only go.mod
  mod=$(new_module pulumi-cli)
  cd "$mod"
  "$GO" mod edit -require="$PULUMI_PKG@v$TC_PULUMI_VERSION" -require="$PULUMI_SDK@v$TC_PULUMI_VERSION" \
    -tool="$PULUMI_PKG/cmd/pulumi"
  copy_replaces "$gomod" >/dev/null # its only local replace is sdk/v3 => ../sdk: required above
  log "  go mod tidy"
  run_logged cli-tidy "$GO" mod tidy || return $?
  log "  go build $PULUMI_PKG/cmd/pulumi"
  run_logged cli-build "$GO" build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X $PULUMI_VERSION_PKG.Version=v$TC_PULUMI_VERSION" \
    -o "$out/pulumi" "$PULUMI_PKG/cmd/pulumi" || return $?
  local got
  got=$("$out/pulumi" version)
  [ "$got" = "v$TC_PULUMI_VERSION" ] || { log "  built pulumi says $got, not v$TC_PULUMI_VERSION"; return 1; }
}

build_python_scripts() { # the executor and the dynamic-provider shim, from the sdk/v3 zip
  local out=$1 dir
  dir=$(fetch "$PULUMI_SDK@v$TC_PULUMI_VERSION" Dir) || return 3
  install -m 0755 "$dir/python/cmd/pulumi-language-python-exec" "$out/pulumi-language-python-exec"
  install -m 0755 "$dir/python/dist/pulumi-resource-pulumi-python" "$out/pulumi-resource-pulumi-python"
}

# --- pieces from upstream source archives ----------------------------------------------

# refuse REASON: log it and make it the piece's reason for the final summary.
refuse() {
  log "  $*"
  unavailable "$*"
}

# archive_checked PIECE: verify the piece's archive against SHA256SUMS and the pin in
# versions.env; print its path. A missing or altered archive is an error that says what to fix.
archive_checked() {
  local piece=$1 name_var=TC_${1}_ARCHIVE sha_var=TC_${1}_ARCHIVE_SHA256 name pinned listed got
  name=${!name_var}
  pinned=${!sha_var}
  if [ ! -f "$UPSTREAM_DIR/$name" ]; then
    refuse "no $name in $UPSTREAM_DIR: put the upstream archives there, or set LANGGRAPH_UPSTREAM_DIR to the folder that holds them (README: Requirements)"
    return 1
  fi
  if [ ! -f "$UPSTREAM_DIR/SHA256SUMS" ]; then
    refuse "no SHA256SUMS in $UPSTREAM_DIR: refusing to build from unchecked archives"
    return 1
  fi
  listed=$(awk -v f="$name" '$2 == f || $2 == "*" f { print $1 }' "$UPSTREAM_DIR/SHA256SUMS")
  got=$(sha256sum "$UPSTREAM_DIR/$name" | cut -d' ' -f1)
  if [ -z "$listed" ]; then
    refuse "$UPSTREAM_DIR/SHA256SUMS has no line for $name: refusing to build from it"
    return 1
  fi
  if [ "$got" != "$listed" ]; then
    refuse "refusing $UPSTREAM_DIR/$name: its sha256 is $got, but SHA256SUMS says $listed (a damaged or altered archive: fetch it again)"
    return 1
  fi
  if [ "$got" != "$pinned" ]; then
    refuse "refusing $UPSTREAM_DIR/$name: its sha256 is $got, but toolchain/versions.env pins ${piece}_ARCHIVE_SHA256=$pinned (another upstream cut: update the pin deliberately)"
    return 1
  fi
  printf '%s\n' "$UPSTREAM_DIR/$name"
}

# unpacked_module PIECE: unpack the checked archive into a fresh scratch folder and apply the
# go.mod edits of versions.env; print the module folder.
unpacked_module() {
  local piece=$1 archive dir mod var item
  archive=$(archive_checked "$piece") || return 1
  dir=$(mktemp -d "$WORK/src-$piece.XXXXXX")
  tar -xzf "$archive" -C "$dir" --no-same-owner
  var=TC_${piece}_MODULE_DIR
  mod=$dir/${!var}
  [ -f "$mod/go.mod" ] || { refuse "$archive has no ${!var}/go.mod"; return 1; }
  chmod -R u+w "$dir"
  local edits=() kind list
  for kind in DROP_REPLACE:-dropreplace DROP_REQUIRE:-droprequire REQUIRE:-require; do
    var=TC_${piece}_${kind%%:*}
    list=${!var:-}
    for item in ${list//,/ }; do edits+=("${kind#*:}=$item"); done
  done
  if [ "${#edits[@]}" -gt 0 ]; then
    log "  go.mod edits: ${edits[*]}"
    (cd "$mod" && "$GO" mod edit "${edits[@]}")
  fi
  printf '%s\n' "$mod"
}

# released_plugin NAME VERSION OUT: `pulumi plugin install` of the released plugin into a
# scratch PULUMI_HOME, once, with a short timeout; copy its binary to OUT on success. Where
# get.pulumi.com is reachable, this builds nothing.
released_plugin() {
  local name=$1 version=$2 out=$3 home cli
  cli=$PIECES/$K_CLI/pulumi
  [ -x "$cli" ] || return 1
  home=$(mktemp -d "$WORK/home-$name.XXXXXX")
  log "  trying the released plugin: pulumi plugin install resource $name $version (timeout ${TC_PLUGIN_DOWNLOAD_TIMEOUT}s)"
  if PULUMI_HOME=$home PULUMI_SKIP_UPDATE_CHECK=true timeout "$TC_PLUGIN_DOWNLOAD_TIMEOUT" \
    "$cli" plugin install resource "$name" "$version" >"$WORK/download-$name.log" 2>&1 &&
    [ -x "$home/plugins/resource-$name-v$version/pulumi-resource-$name" ]; then
    cp "$home/plugins/resource-$name-v$version/pulumi-resource-$name" "$out/"
    log "  downloaded the released $name $version plugin"
    return 0
  fi
  log "  no download ($(tail -n1 "$WORK/download-$name.log" | cut -c1-160)): building from source"
  return 1
}

build_language_python() { # pulumi-language-python from its archive, against the CLI's release
  local out=$1 mod
  if [ -n "$EXISTING_CLI" ] && [ -x "$(dirname "$EXISTING_CLI")/pulumi-language-python" ]; then
    log "  using the language host installed beside $EXISTING_CLI"
    cp -L "$(dirname "$EXISTING_CLI")/pulumi-language-python" "$out/"
    return 0
  fi
  mod=$(unpacked_module LANGUAGE_PYTHON) || return 1
  cd "$mod"
  log "  go build (module $(cd "$mod" && "$GO" list -m))"
  run_logged langhost-build "$GO" build -mod=mod -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X $PULUMI_VERSION_PKG.Version=v$TC_PULUMI_VERSION" \
    -o "$out/pulumi-language-python" . || return $?
}

build_language_nodejs() { # pulumi-language-nodejs and the Node.js dynamic-provider shim
  local out=$1 mod
  mod=$(unpacked_module LANGUAGE_NODEJS) || return 1
  install -m 0755 "$mod/../../dist/pulumi-resource-pulumi-nodejs" "$out/pulumi-resource-pulumi-nodejs"
  cd "$mod"
  log "  go mod tidy; go build (module $("$GO" list -m))"
  run_logged nodejs-tidy "$GO" mod tidy || return $?
  run_logged nodejs-build "$GO" build -mod=mod -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X $PULUMI_VERSION_PKG.Version=v$TC_PULUMI_VERSION" \
    -o "$out/pulumi-language-nodejs" . || return $?
}

build_language_yaml() { # pulumi-language-yaml, against the CLI's pkg/v3 and sdk/v3
  local out=$1 mod
  mod=$(unpacked_module LANGUAGE_YAML) || return 1
  cd "$mod"
  log "  go mod tidy; go build ./cmd/pulumi-language-yaml (module $("$GO" list -m))"
  run_logged yaml-tidy "$GO" mod tidy || return $?
  run_logged yaml-build "$GO" build -mod=mod -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$TC_LANGUAGE_YAML_VERSION" \
    -o "$out/pulumi-language-yaml" ./cmd/pulumi-language-yaml || return $?
}

build_kubernetes() {
  local out=$1 mod
  released_plugin kubernetes "$TC_KUBERNETES_VERSION" "$out" && return 0
  mod=$(unpacked_module KUBERNETES) || return 1
  cd "$mod/cmd/pulumi-resource-kubernetes"
  log "  generating schema-embed.json and terraform-mapping-embed.json (upstream generate.go)"
  run_logged k8s-generate env VERSION="$TC_KUBERNETES_VERSION" "$GO" run -mod=mod generate.go || return $?
  log "  go build $K8S_PROVIDER/cmd/pulumi-resource-kubernetes"
  run_logged k8s-build "$GO" build -mod=mod -trimpath \
    -ldflags "-s -w -X $K8S_PROVIDER/pkg/version.Version=$TC_KUBERNETES_VERSION" \
    -o "$out/pulumi-resource-kubernetes" . || return $?
}

build_random() {
  local out=$1 mod
  released_plugin random "$TC_RANDOM_VERSION" "$out" && return 0
  mod=$(unpacked_module RANDOM) || return 1
  cd "$mod/cmd/pulumi-resource-random"
  log "  generating schema-embed.json (upstream generate.go)"
  run_logged random-generate env VERSION="$TC_RANDOM_VERSION" "$GO" run -mod=mod generate.go || return $?
  log "  go build $RANDOM_PROVIDER/cmd/pulumi-resource-random"
  run_logged random-build "$GO" build -mod=mod -trimpath \
    -ldflags "-s -w -X $RANDOM_PROVIDER/pkg/version.Version=$TC_RANDOM_VERSION" \
    -o "$out/pulumi-resource-random" . || return $?
}

if [ -n "$CHECK_ARCHIVES" ]; then
  status=0
  for archive_piece in LANGUAGE_PYTHON LANGUAGE_NODEJS LANGUAGE_YAML KUBERNETES RANDOM; do
    if checked=$(archive_checked "$archive_piece"); then log "ok: $checked"; else status=1; fi
  done
  exit "$status"
fi

# --- build -----------------------------------------------------------------------------

K_CLI=cli-v$TC_PULUMI_VERSION-$R
K_SCRIPTS=python-scripts-v$TC_PULUMI_VERSION-$R
# Archive pieces are keyed by their pins: the archive digest and the go.mod edits.
archive_key() { # PIECE: 10 hex of the piece's pins
  grep -E "^${1}_[A-Z0-9_]*=" "$TC_VERSIONS_FILE" | LC_ALL=C sort | sha256sum | cut -c1-10
}
K_LANGHOST=language-python-v$TC_PULUMI_VERSION-$(archive_key LANGUAGE_PYTHON)-$R
K_NODEJS=language-nodejs-v$TC_PULUMI_VERSION-$(archive_key LANGUAGE_NODEJS)-$R
K_YAML=language-yaml-v$TC_LANGUAGE_YAML_VERSION-$(archive_key LANGUAGE_YAML)-$R
K_K8S=kubernetes-v$TC_KUBERNETES_VERSION-$(archive_key KUBERNETES)-$R
K_RANDOM=random-v$TC_RANDOM_VERSION-$(archive_key RANDOM)-$R

TOTAL=$SECONDS
# One `go build` at a time, in this order: the CLI first, everything else needs it.
piece cli "$K_CLI" build_cli pulumi
piece python-scripts "$K_SCRIPTS" build_python_scripts \
  pulumi-language-python-exec pulumi-resource-pulumi-python
# The language host reuses most of the CLI's build cache (same pkg/v3 and sdk/v3).
piece language-python "$K_LANGHOST" build_language_python pulumi-language-python
# TypeScript and YAML programs that consume the component package (docs/package.md).
piece language-nodejs "$K_NODEJS" build_language_nodejs pulumi-language-nodejs \
  pulumi-resource-pulumi-nodejs
piece language-yaml "$K_YAML" build_language_yaml pulumi-language-yaml
piece random "$K_RANDOM" build_random pulumi-resource-random
piece kubernetes "$K_K8S" build_kubernetes pulumi-resource-kubernetes

# --- install: bin/ (hard links, swapped in whole) and the plugin cache ------------------

mkdir -p "$DIR"
if [ -x "$PIECES/$K_CLI/pulumi" ]; then
  new=$(mktemp -d "$DIR/.bin.XXXXXX")
  for f in "$PIECES/$K_CLI/pulumi" "$PIECES/$K_SCRIPTS"/* "$PIECES/$K_LANGHOST"/* \
    "$PIECES/$K_NODEJS"/* "$PIECES/$K_YAML"/*; do
    [ -f "$f" ] || continue
    ln "$f" "$new/" 2>/dev/null || cp -p "$f" "$new/"
  done
  chmod 0755 "$new"
  if [ -d "$DIR/bin" ]; then
    mv -T "$DIR/bin" "$DIR/.bin.old.$$"
    mv -T "$new" "$DIR/bin"
    rm -rf "$DIR/.bin.old.$$"
  else
    mv -T "$new" "$DIR/bin"
  fi
  log "[install] $DIR/bin: $(cd "$DIR/bin" && echo *)"
fi

export PULUMI_HOME=$DIR/pulumi-home PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
install_plugin() { # NAME VERSION BINARY: into $PULUMI_HOME/plugins/resource-NAME-vVERSION/
  local name=$1 version=$2 bin=$3 dest=$PULUMI_HOME/plugins/resource-$1-v$2
  if [ -x "$dest/pulumi-resource-$name" ] && [ ! -e "$dest.partial" ] &&
    cmp -s "$bin" "$dest/pulumi-resource-$name"; then
    log "[install] plugin resource $name v$version: already in $PULUMI_HOME"
    return 0
  fi
  log "[install] pulumi plugin install resource $name $version --file ..."
  "$DIR/bin/pulumi" plugin install resource "$name" "$version" --file "$bin" --reinstall
}
if [ -x "$DIR/bin/pulumi" ]; then
  mkdir -p "$PULUMI_HOME"
  if [ -x "$PIECES/$K_K8S/pulumi-resource-kubernetes" ]; then
    install_plugin kubernetes "$TC_KUBERNETES_VERSION" "$PIECES/$K_K8S/pulumi-resource-kubernetes"
  fi
  if [ -x "$PIECES/$K_RANDOM/pulumi-resource-random" ]; then
    install_plugin random "$TC_RANDOM_VERSION" "$PIECES/$K_RANDOM/pulumi-resource-random"
  fi
fi

# The manifest is written only when every file the toolchain promises is in place.
has_files "$DIR/bin" pulumi pulumi-language-python pulumi-language-python-exec \
  pulumi-resource-pulumi-python pulumi-language-nodejs pulumi-resource-pulumi-nodejs \
  pulumi-language-yaml || [ "${#MISSING[@]}" -gt 0 ] ||
  MISSING+=("bin: $DIR/bin lacks a file")
for plugin in kubernetes-v$TC_KUBERNETES_VERSION/pulumi-resource-kubernetes \
  random-v$TC_RANDOM_VERSION/pulumi-resource-random; do
  [ -x "$PULUMI_HOME/plugins/resource-$plugin" ] || [ "${#MISSING[@]}" -gt 0 ] ||
    MISSING+=("plugins: $PULUMI_HOME/plugins/resource-$plugin is not installed")
done

if [ "${#MISSING[@]}" -gt 0 ]; then
  log "INCOMPLETE after $(elapsed $((SECONDS - TOTAL))): these pieces could not be built:"
  for m in "${MISSING[@]}"; do log "  - $m"; done
  log "what was built is installed in $DIR; the toolchain is not marked complete"
  exit 1
fi

{
  echo "key=$TC_KEY"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for k in "$K_CLI" "$K_SCRIPTS" "$K_LANGHOST" "$K_NODEJS" "$K_YAML" "$K_K8S" "$K_RANDOM"; do echo "piece=$k"; done
} >"$DIR/.manifest.tmp"
mv -f "$DIR/.manifest.tmp" "$DIR/manifest"
log "complete in $(elapsed $((SECONDS - TOTAL))): source scripts/toolchain-env.sh to use it"
