#!/usr/bin/env bash
# Start, stop or check the project's local control-plane server (for the main job and
# for development). State persists in .work/controlplane/state.json across restarts.
#   scripts/controlplane.sh start|stop|status
# LOCAL_CONTROLPLANE_PORT (default 8765) and LOCAL_CONTROLPLANE_DIR (default
# .work/controlplane) run a second one beside it (the real node's main job does).
set -euo pipefail
cd "$(dirname "$0")/.."

port=${LOCAL_CONTROLPLANE_PORT:-8765}
dir=${LOCAL_CONTROLPLANE_DIR:-.work/controlplane}
pidfile=$dir/server.pid
url="http://127.0.0.1:$port"

healthy() { .venv/bin/python - "$url" <<'PY' 2>/dev/null
import sys, httpx
sys.exit(0 if httpx.get(sys.argv[1] + "/_admin/health", timeout=2).status_code == 200 else 1)
PY
}

case "${1:-status}" in
  start)
    if healthy; then echo "==> local control plane already running at $url"; exit 0; fi
    mkdir -p "$dir"
    nohup .venv/bin/python -m local_controlplane --host 127.0.0.1 --port "$port" \
      --state "$dir/state.json" >"$dir/server.log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 50); do
      if healthy; then echo "==> local control plane running at $url (pid $(cat "$pidfile"))"; exit 0; fi
      sleep 0.2
    done
    echo "local control plane did not start; see $dir/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then
      echo "==> stopped local control plane (pid $(cat "$pidfile"))"
    else
      echo "==> local control plane was not running"
    fi
    rm -f "$pidfile"
    ;;
  status)
    if healthy; then echo "running at $url"; else echo "not running"; exit 1; fi
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
