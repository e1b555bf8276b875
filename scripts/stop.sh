#!/usr/bin/env bash
# Stops the API and worker that scripts/setup.sh started (graceful: SIGTERM, running work finishes).
set -uo pipefail
cd "$(dirname "$0")/.."
quiet=${1:-}
for process in api worker; do
  pidfile=.run/$process.pid
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    [ "$quiet" = --quiet ] || echo "stopped $process ($pid)"
  fi
  rm -f "$pidfile"
done
