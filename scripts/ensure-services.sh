#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer at DATABASE_URL / REDIS_URL (defaults: 127.0.0.1).
# Uses them when they run; else `docker compose up -d` where Docker works; else starts (and,
# as root, installs) them from the OS packages; else stops with a message saying what to do.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
cd "$here/.."

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/salw}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
pg_host=$(url_part "$DATABASE_URL" host)
pg_port=$(url_part "$DATABASE_URL" port 5432)
redis_host=$(url_part "$REDIS_URL" host)
redis_port=$(url_part "$REDIS_URL" port 6379)

start_postgres_from_os() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    apt_install postgresql postgresql-contrib || return 1
  fi
  local version
  version=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1}')
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    is_root || return 1
    pg_createcluster "$version" main >/dev/null
  fi
  log "Starting PostgreSQL $version from the OS packages"
  if is_root; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster "$version" main start
  else
    pg_ctlcluster "$version" main start
  fi
}

start_redis_from_os() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server || return 1
  log "Starting Redis from the OS packages"
  local dir=/var/lib/redis
  [ -w "$dir" ] || dir=$(mktemp -d)
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --save "" --appendonly no --dir "$dir" \
    --logfile "$dir/redis-salw.log" >/dev/null
}

compose_up() {
  docker_works || return 1
  log "Starting $1 with docker compose"
  docker compose up -d "$1" >/dev/null
}

ensure() { # name host port starter
  local name=$1 host=$2 port=$3 starter=$4
  if tcp_open "$host" "$port"; then
    log "$name is reachable at $host:$port"
    return 0
  fi
  is_local_host "$host" || die "$name is not reachable at $host:$port, and it is not on this machine: start it, or point the URL at one that runs."
  if compose_up "$(tr '[:upper:]' '[:lower:]' <<<"$name")" || $starter; then
    wait_tcp "$host" "$port" 30 && { log "$name is up at $host:$port"; return 0; }
  fi
  die "$name is not reachable at $host:$port and could not be started here. Start it yourself (Docker: 'docker compose up -d ${name,,}'; Debian: 'sudo apt-get install ${5}' then start it), or set the URL in .env."
}

ensure PostgreSQL "$pg_host" "$pg_port" start_postgres_from_os postgresql
ensure Redis "$redis_host" "$redis_port" start_redis_from_os redis-server
