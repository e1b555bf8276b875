# Shared helpers for the set-up and CI scripts (sourced, not run).
log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# tcp_open HOST PORT: true when something accepts TCP connections there.
tcp_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && { exec 3>&- 3<&- || true; return 0; }
  return 1
}

# wait_tcp HOST PORT SECONDS
wait_tcp() {
  local i
  for ((i = 0; i < $3 * 4; i++)); do tcp_open "$1" "$2" && return 0; sleep 0.25; done
  return 1
}

# url_part URL host|port|user|password|db DEFAULT_PORT
url_part() {
  node -e '
    const u = new URL(process.argv[1]); const what = process.argv[2];
    const v = { host: u.hostname, port: u.port || process.argv[3], user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password), db: u.pathname.replace(/^\//, "") }[what];
    process.stdout.write(String(v ?? ""));' "$1" "$2" "${3:-}"
}

is_local_host() { case "$1" in 127.0.0.1 | localhost | ::1 | "[::1]") return 0 ;; *) return 1 ;; esac; }

is_root() { [ "$(id -u)" = 0 ]; }

docker_works() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

apt_install() {
  is_root || return 1
  command -v apt-get >/dev/null 2>&1 || return 1
  log "Installing $* from the OS packages"
  if [ -z "${APT_UPDATED:-}" ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Loads KEY=VALUE lines from a file into the environment, never overriding what is already set.
load_env_file() {
  [ -f "$1" ] || return 0
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | \#*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    value=${value%\"}; value=${value#\"}
    [[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    [ -n "${!key:-}" ] || export "$key=$value"
  done <"$1"
}
