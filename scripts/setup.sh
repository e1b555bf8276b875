#!/usr/bin/env bash
# From a fresh clone to a running platform, in one command:
#   dependencies → .env → PostgreSQL and Redis → database and migrations → build → demo data →
#   API and worker started in the background (logs and pids in .run/), URL of /docs printed.
# Options: --foreground  run API and worker in this terminal instead (Ctrl-C stops both)
#          --no-demo     skip the demo data
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
cd "$here/.."

foreground=0
demo=1
for arg in "$@"; do
  case "$arg" in
    --foreground) foreground=1 ;;
    --no-demo) demo=0 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown option $arg (see --help)" ;;
  esac
done

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "Installing dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -f .env ]; then
  log "Writing .env with a fresh random JWT_SECRET (edit it to change settings)"
  secret=$(node -e 'process.stdout.write(require("crypto").randomBytes(48).toString("base64url"))')
  cat >.env <<ENV
# Written by scripts/setup.sh; every variable is documented in .env.example.
DATABASE_URL=postgres://postgres@127.0.0.1:5432/salw
REDIS_URL=redis://127.0.0.1:6379
JWT_SECRET=$secret
PORT=3000
PUBLIC_BASE_URL=http://localhost:3000
SMTP_URL=smtp://127.0.0.1:1025
ENV
  chmod 600 .env
fi
load_env_file .env

bash "$here/ensure-services.sh"

log "Preparing the database"
set +e
node "$here/ensure-database.mjs"
status=$?
set -e
if [ "$status" = 2 ] && is_root && is_local_host "$(url_part "$DATABASE_URL" host)" && command -v psql >/dev/null; then
  # A freshly installed PostgreSQL refuses password-less TCP logins: give the platform a role of its own.
  log "Creating a PostgreSQL role 'salw' with a random password (written to .env)"
  password=$(node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("hex"))')
  su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='salw') THEN CREATE ROLE salw LOGIN CREATEDB; END IF; END \\\$\\\$;\" -c \"ALTER ROLE salw PASSWORD '$password'\""
  new_url="postgres://salw:$password@$(url_part "$DATABASE_URL" host):$(url_part "$DATABASE_URL" port 5432)/$(url_part "$DATABASE_URL" db)"
  sed -i "s#^DATABASE_URL=.*#DATABASE_URL=$new_url#" .env
  export DATABASE_URL=$new_url
  node "$here/ensure-database.mjs"
elif [ "$status" != 0 ]; then
  die "the database at DATABASE_URL is not usable (see the message above)."
fi

log "Migrating"
npm run --silent db:migrate >/dev/null

log "Building"
npm run --silent build

if [ "$demo" = 1 ]; then
  log "Loading demo data"
  npm run --silent cli -- demo
fi

if [ "$foreground" = 1 ]; then
  log "Starting API and worker in the foreground; docs at ${PUBLIC_BASE_URL:-http://localhost:3000}/docs"
  exec npx concurrently --kill-others --names api,worker "node --env-file-if-exists=.env dist/main.js" "node --env-file-if-exists=.env dist/worker.js"
fi

bash "$here/stop.sh" --quiet
mkdir -p .run
for process in api worker; do
  entry=main
  [ "$process" = worker ] && entry=worker
  nohup node --env-file-if-exists=.env "dist/$entry.js" >".run/$process.log" 2>&1 &
  echo $! >".run/$process.pid"
done

port=${PORT:-3000}
log "Waiting for the API to be ready"
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
    kill -0 "$(cat .run/worker.pid)" 2>/dev/null || die "the worker stopped: see .run/worker.log"
    log "API and worker are running (logs: .run/api.log, .run/worker.log; stop with 'npm run stop')"
    printf '\n  API docs: %s/docs\n\n' "${PUBLIC_BASE_URL:-http://localhost:$port}"
    exit 0
  fi
  kill -0 "$(cat .run/api.pid)" 2>/dev/null || die "the API stopped: see .run/api.log"
  sleep 0.5
done
die "the API did not become ready within 60 s: see .run/api.log"
