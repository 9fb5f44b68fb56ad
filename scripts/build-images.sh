#!/usr/bin/env bash
# Build the real node's container images (docs/real-node.md) from Debian packages and PyPI,
# with no registry and no Docker: debootstrap a Debian root filesystem, install into copies
# of it in a chroot, and pack each as an image archive (devtools/image_archive.py) that
# containerd imports. Needs root (debootstrap, chroot).
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/langgraph-dataplane/images/
#     .lock                 flock: one build at a time
#     tmp/run.XXXXXX/       scratch (root filesystems), removed on exit
#     <key>/*.tar           pause, postgres, redis, agent-server: docker-archive tarballs
#     <key>/manifest        written last: `<image>=<name:tag>` lines, and what went in
#
# The key: the IMAGES_* and CLUSTER_PAUSE_VERSION pins and a digest of the recipe (this
# script and images/). Idempotent; the last line printed is the folder of the archives.
#   - postgres: Debian's postgresql-<IMAGES_POSTGRES_MAJOR> and its pgvector package, run by
#     the official image's own docker-entrypoint.sh (../shared/images, checked by digest);
#   - redis: Debian's redis-server, run by the official image's docker-entrypoint.sh;
#   - agent-server: LangChain's Agent Server (langgraph-api, PyPI) with the example graph of
#     images/agent-server/;
#   - pause: the pause program of scripts/bootstrap-cluster.sh --real-node.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# shellcheck source=../toolchain/lib.sh
source toolchain/lib.sh
tc_load_versions
tc_cluster_key
tc_require_pins IMAGES_RECIPE IMAGES_DEBIAN_SUITE IMAGES_DEBIAN_MIRROR IMAGES_REGISTRY \
  IMAGES_POSTGRES_MAJOR IMAGES_POSTGRES_LIBRARY_ARCHIVE IMAGES_POSTGRES_LIBRARY_SHA256 \
  IMAGES_REDIS_LIBRARY_ARCHIVE IMAGES_REDIS_LIBRARY_SHA256

log() { tc_log images "$@"; }

[ "$(id -u)" -eq 0 ] || { echo "building the images needs root (debootstrap, chroot)" >&2; exit 1; }
for tool in debootstrap chroot tar; do
  command -v "$tool" >/dev/null ||
    { echo "$tool is missing: run scripts/install-system-packages.sh" >&2; exit 1; }
done

recipe_sha=$(
  {
    grep -E '^(IMAGES_[A-Z0-9_]*|CLUSTER_PAUSE_VERSION)=' "$TC_VERSIONS_FILE" | LC_ALL=C sort
    cat scripts/build-images.sh devtools/image_archive.py
    find images -type f | LC_ALL=C sort | xargs cat
  } | sha256sum | cut -c1-10
)
ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/langgraph-dataplane/images
KEY="${TC_IMAGES_DEBIAN_SUITE}_pg${TC_IMAGES_POSTGRES_MAJOR}_pause-${TC_CLUSTER_PAUSE_VERSION}_r${TC_IMAGES_RECIPE}-$recipe_sha"
DIR=$ROOT/$KEY
IMAGES=(pause postgres redis agent-server)

mkdir -p "$ROOT/tmp"
tc_lock "$ROOT/.lock" images
if [ -f "$DIR/manifest" ]; then
  log "already built: $DIR"
  echo "$DIR"
  exit 0
fi
log "image key $KEY"

WORK=$(mktemp -d "$ROOT/tmp/run.XXXXXX")
cleanup() {
  local m
  # Whatever a chroot step left mounted, deepest first, before the scratch folder goes.
  for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted: nothing half-built was installed"; exit 130' INT TERM

# library ARCHIVE SHA256: unpack one of ../shared/images' archives, checked, into $WORK/library.
library() {
  local dir=${LANGGRAPH_IMAGES_DIR:-$repo/../shared/images} archive=$1 want=$2 got
  [ -f "$dir/$archive" ] || { log "missing $dir/$archive (the official images' build files)"; return 1; }
  got=$(sha256sum "$dir/$archive" | cut -d' ' -f1)
  [ "$got" = "$want" ] || { log "$archive has digest $got, not the pinned $want"; return 1; }
  grep -q "^$want  $archive\$" "$dir/SHA256SUMS" ||
    { log "$archive is not listed with that digest in $dir/SHA256SUMS"; return 1; }
  mkdir -p "$WORK/library"
  tar -xzf "$dir/$archive" -C "$WORK/library"
}

# in_root ROOTFS CMD...: run CMD in a chroot of ROOTFS with /proc and /dev mounted, and the
# host's name servers and CA certificates (pip and apt reach their registries through them).
in_root() {
  local rootfs=$1 rc=0
  shift
  mount -t proc proc "$rootfs/proc"
  mount --bind /dev "$rootfs/dev"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@" || rc=$?
  umount "$rootfs/dev" "$rootfs/proc"
  : >"$rootfs/etc/resolv.conf"
  return "$rc"
}

# apt_install ROOTFS PACKAGE...: install without recommends (apt's lists stay until finish).
apt_install() {
  local rootfs=$1 logfile=$WORK/apt-${1##*/}.log
  shift
  in_root "$rootfs" apt-get install -y -qq --no-install-recommends "$@" >"$logfile" 2>&1 ||
    { tail -n 30 "$logfile" >&2; return 1; }
  rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
}

# package_version ROOTFS PACKAGE: the installed version of PACKAGE.
package_version() {
  chroot "$1" dpkg-query -W -f '${Version}' "$2"
}

# base: debian:<suite>-slim's equivalent: minbase, no docs or man pages, no service starts.
base() {
  local rootfs=$WORK/base t=$SECONDS
  log "debootstrap $TC_IMAGES_DEBIAN_SUITE (minbase) from $TC_IMAGES_DEBIAN_MIRROR"
  debootstrap --variant=minbase "$TC_IMAGES_DEBIAN_SUITE" "$rootfs" "$TC_IMAGES_DEBIAN_MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 30 "$WORK/debootstrap.log" >&2; return 1; }
  # As the slim images do: keep copyright files, drop the rest of the documentation.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
EOF
  # Packages never start their services while an image is built.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  in_root "$rootfs" apt-get update -qq >/dev/null
  rm -rf "$rootfs"/usr/share/doc/*/[!c]* "$rootfs"/usr/share/man/* "$rootfs"/var/cache/apt/archives/*.deb
  log "  base root filesystem in $(tc_elapsed $((SECONDS - t)))"
}

# derive NAME: a copy of the base root filesystem for image NAME; prints its path.
derive() {
  cp -a "$WORK/base" "$WORK/$1"
  echo "$WORK/$1"
}

# finish ROOTFS: what no image keeps (apt's lists, logs, the build-time policy).
finish() {
  rm -rf "$1"/var/lib/apt/lists/* "$1"/var/log/*.log "$1"/var/log/apt/* "$1/usr/sbin/policy-rc.d" \
    "$1"/tmp/* "$1"/root/.cache
}

# pack NAME REF CONFIG_JSON: the archive of image NAME in $WORK/out, and its manifest line.
pack() {
  local name=$1 ref=$2 config=$3
  printf '%s\n' "$config" >"$WORK/$name.config.json"
  "$repo/.venv/bin/python" -m devtools.image_archive "$WORK/$name" "$WORK/out/$name.tar" \
    --ref "$ref" --config "$WORK/$name.config.json" | sed 's/^/    /' >&2
  echo "$name=$ref" >>"$WORK/out/manifest"
}

build_pause() {
  local rootfs=$WORK/pause bin=$TC_CLUSTER_DIR/bin/pause
  [ -x "$bin" ] || { log "no pause program: run scripts/bootstrap-cluster.sh --real-node"; return 1; }
  mkdir -p "$rootfs"/{dev,proc,sys}
  cp "$bin" "$rootfs/pause"
  pack pause "registry.k8s.io/pause:$TC_CLUSTER_PAUSE_VERSION" \
    '{"Entrypoint": ["/pause"], "User": "65535:65535"}'
}

build_postgres() { # docker-library/postgres <major>/<suite>'s Dockerfile, from Debian's packages
  local major=$TC_IMAGES_POSTGRES_MAJOR rootfs pg pgvector src tag
  library "$TC_IMAGES_POSTGRES_LIBRARY_ARCHIVE" "$TC_IMAGES_POSTGRES_LIBRARY_SHA256"
  src=$WORK/library/$major/$TC_IMAGES_DEBIAN_SUITE
  [ -f "$src/docker-entrypoint.sh" ] || { log "no $major/$TC_IMAGES_DEBIAN_SUITE in the postgres build files"; return 1; }
  rootfs=$(derive postgres)
  # The official image's user and group first (999), so the package uses them.
  chroot "$rootfs" groupadd -r postgres --gid=999
  chroot "$rootfs" useradd -r -g postgres --uid=999 --home-dir=/var/lib/postgresql --shell=/bin/bash postgres
  install -d -o 999 -g 999 -m 1777 "$rootfs/var/lib/postgresql"
  apt_install "$rootfs" locales libnss-wrapper xz-utils zstd gosu postgresql-common
  echo 'en_US.UTF-8 UTF-8' >>"$rootfs/etc/locale.gen"
  in_root "$rootfs" locale-gen >/dev/null
  # The entrypoint makes the cluster: the package must not.
  sed -ri 's/#(create_main_cluster) .*$/\1 = false/' "$rootfs/etc/postgresql-common/createcluster.conf"
  apt_install "$rootfs" "postgresql-$major" "postgresql-$major-pgvector"
  # As the official image: listen on every address by default.
  in_root "$rootfs" dpkg-divert --add --rename --divert /usr/share/postgresql/postgresql.conf.sample.dpkg \
    "/usr/share/postgresql/$major/postgresql.conf.sample" >/dev/null
  cp "$rootfs/usr/share/postgresql/postgresql.conf.sample.dpkg" "$rootfs/usr/share/postgresql/postgresql.conf.sample"
  ln -s ../postgresql.conf.sample "$rootfs/usr/share/postgresql/$major/"
  sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$rootfs/usr/share/postgresql/postgresql.conf.sample"
  grep -qF "listen_addresses = '*'" "$rootfs/usr/share/postgresql/postgresql.conf.sample"
  install -d -o 999 -g 999 -m 3777 "$rootfs/var/run/postgresql"
  install -d -o 999 -g 999 -m 1777 "$rootfs/var/lib/postgresql/data"
  mkdir -p "$rootfs/docker-entrypoint-initdb.d"
  install -m 0755 "$src/docker-entrypoint.sh" "$src/docker-ensure-initdb.sh" "$rootfs/usr/local/bin/"
  ln -sT docker-ensure-initdb.sh "$rootfs/usr/local/bin/docker-enforce-initdb.sh"
  finish "$rootfs"
  pg=$(package_version "$rootfs" "postgresql-$major")
  pgvector=$(package_version "$rootfs" "postgresql-$major-pgvector")
  # pgvector/pgvector's tags: <pgvector version>-pg<major>.
  tag="${pgvector%%-*}-pg$major"
  pack postgres "$TC_IMAGES_REGISTRY/pgvector/pgvector:$tag" "$(cat <<EOF
{
  "Entrypoint": ["docker-entrypoint.sh"],
  "Cmd": ["postgres"],
  "Env": [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/$major/bin",
    "LANG=en_US.utf8",
    "PG_MAJOR=$major",
    "PG_VERSION=$pg",
    "PGDATA=/var/lib/postgresql/data"
  ],
  "StopSignal": "SIGINT",
  "ExposedPorts": {"5432/tcp": {}},
  "Volumes": {"/var/lib/postgresql/data": {}},
  "Labels": {
    "org.opencontainers.image.source": "Debian $TC_IMAGES_DEBIAN_SUITE postgresql-$major $pg, postgresql-$major-pgvector $pgvector",
    "dev.langgraph-dataplane.entrypoint": "docker-library/postgres $major/$TC_IMAGES_DEBIAN_SUITE ($TC_IMAGES_POSTGRES_LIBRARY_ARCHIVE)"
  }
}
EOF
)"
  echo "# postgres: Debian postgresql-$major $pg, postgresql-$major-pgvector $pgvector" >>"$WORK/out/manifest"
}

build_redis() { # docker-library/redis 7.2/debian's Dockerfile, with Debian's redis-server
  local rootfs src redis tag
  library "$TC_IMAGES_REDIS_LIBRARY_ARCHIVE" "$TC_IMAGES_REDIS_LIBRARY_SHA256"
  src=$WORK/library/7.2/debian
  rootfs=$(derive redis)
  chroot "$rootfs" groupadd -r -g 999 redis
  chroot "$rootfs" useradd -r -g redis -u 999 redis
  apt_install "$rootfs" tzdata gosu redis-server
  install -d -o 999 -g 999 -m 0755 "$rootfs/data"
  install -m 0755 "$src/docker-entrypoint.sh" "$rootfs/usr/local/bin/"
  finish "$rootfs"
  redis=$(package_version "$rootfs" redis-server)
  redis=${redis#*:}
  tag=${redis%%-*}
  pack redis "$TC_IMAGES_REGISTRY/library/redis:$tag" "$(cat <<EOF
{
  "Entrypoint": ["docker-entrypoint.sh"],
  "Cmd": ["redis-server"],
  "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
  "WorkingDir": "/data",
  "ExposedPorts": {"6379/tcp": {}},
  "Volumes": {"/data": {}},
  "Labels": {
    "org.opencontainers.image.source": "Debian $TC_IMAGES_DEBIAN_SUITE redis-server $redis",
    "dev.langgraph-dataplane.entrypoint": "docker-library/redis 7.2/debian ($TC_IMAGES_REDIS_LIBRARY_ARCHIVE)"
  }
}
EOF
)"
  echo "# redis: Debian redis-server $redis" >>"$WORK/out/manifest"
}

build_agent_server() { # LangChain's Agent Server from PyPI, with the example graph
  local rootfs app=images/agent-server python api
  rootfs=$(derive agent-server)
  chroot "$rootfs" groupadd -g 1000 app
  chroot "$rootfs" useradd -g app -u 1000 -d /app -M -s /usr/sbin/nologin app
  apt_install "$rootfs" python3 python3-venv ca-certificates
  mkdir -p "$rootfs/app"
  cp "$app/graph.py" "$app/logging.json" "$app/entrypoint.sh" "$app/requirements.txt" "$rootfs/app/"
  in_root "$rootfs" python3 -m venv /opt/venv
  # The host's CA bundle: PyPI may be reached through a proxy whose CA only the host trusts.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/tmp/host-ca.crt"
  in_root "$rootfs" env PIP_CERT=/tmp/host-ca.crt PIP_DEFAULT_TIMEOUT=180 /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -q \
    -r /app/requirements.txt >"$WORK/pip.log" 2>&1 ||
    { tail -n 30 "$WORK/pip.log" >&2; return 1; }
  # Compiled now: the pods' root filesystem is read-only, and a cold start is quicker.
  in_root "$rootfs" /opt/venv/bin/python -m compileall -q /opt/venv /app >/dev/null
  finish "$rootfs"
  python=$(package_version "$rootfs" python3)
  api=$(chroot "$rootfs" /opt/venv/bin/python -c 'import importlib.metadata as m; print(m.version("langgraph-api"))')
  pack agent-server "$TC_IMAGES_REGISTRY/langgraph-dataplane/agent-server:$api" "$(cat "$app/image-config.json")"
  echo "# agent-server: langgraph-api $api, Debian python3 $python" >>"$WORK/out/manifest"
}

TOTAL=$SECONDS
mkdir -p "$WORK/out"
{
  echo "# scripts/build-images.sh, key $KEY, built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$WORK/out/manifest"
base
for image in "${IMAGES[@]}"; do
  t=$SECONDS
  # A subshell with -e of its own: a function called as `f || ...` would ignore -e.
  set +e
  (
    set -e
    "build_${image//-/_}"
  )
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || { log "[$image] FAILED after $(tc_elapsed $((SECONDS - t))): the images are incomplete"; exit 1; }
  log "[$image] built in $(tc_elapsed $((SECONDS - t)))"
done
mkdir -p "$ROOT"
rm -rf "$DIR"
mv -T "$WORK/out" "$DIR"
log "complete in $(tc_elapsed $((SECONDS - TOTAL))): $DIR"
echo "$DIR"
