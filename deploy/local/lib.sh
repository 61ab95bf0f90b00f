# Shared helpers of the local-stack scripts; sourced, not run.
set -euo pipefail

HANDOFF_ROOT="${HANDOFF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
HANDOFF_STATE="${HANDOFF_STATE:-$HANDOFF_ROOT/.handoff}"
mkdir -p "$HANDOFF_STATE"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'handoff: %s\n' "$*" >&2; exit 1; }

# port_open HOST PORT: true when something accepts TCP connections there
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_port HOST PORT SECONDS WHAT
wait_port() {
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.2
  done
  die "$4 did not listen on $1:$2 within $3 s"
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# stop_pidfile FILE: stops the process (group) whose pid the file holds, then removes the file
stop_pidfile() {
  local file=$1 pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do pid_alive "$pid" || break; sleep 0.1; done
    pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

mvnw() { "$HANDOFF_ROOT/mvnw" -B -q "$@"; }
