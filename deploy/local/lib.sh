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

# Which local agent presets (HANDOFF_LOCAL_AGENTS) can run here: a CLI preset is usable when its program is in the
# agents' PATH (HANDOFF_LOCAL_AGENT_PATH in front of ours), as the gateway checks before each run (agent-not-installed).
agent_presets_report() {
  local agents=${HANDOFF_LOCAL_AGENTS:-} preset program install usable=() missing=()
  if [ -z "$agents" ]; then
    if [ -n "${HANDOFF_LOCAL_AGENT_COMMAND:-}" ]; then agents=custom; else agents=demo; fi
  fi
  local path="${HANDOFF_LOCAL_AGENT_PATH:+${HANDOFF_LOCAL_AGENT_PATH//,/:}:}$PATH"
  IFS=',' read -ra presets <<< "$agents"
  for preset in "${presets[@]}"; do
    preset=${preset// /}
    case $preset in
      claude-code) program=claude; install="npm install -g @anthropic-ai/claude-code" ;;
      codex) program=codex; install="npm install -g @openai/codex" ;;
      gemini) program=gemini; install="npm install -g @google/gemini-cli" ;;
      cursor-agent) program=cursor-agent; install="curl https://cursor.com/install -fsS | bash" ;;
      opencode) program=opencode; install="npm install -g opencode-ai" ;;
      demo|custom) usable+=("$preset"); continue ;;
      '') continue ;;
      *) missing+=("$preset (no such preset)"); continue ;;
    esac
    if PATH="$path" command -v "$program" > /dev/null 2>&1; then
      usable+=("$preset")
    else
      missing+=("$preset ($program not installed: $install)")
    fi
  done
  say "  local agents usable: ${usable[*]:-none}"
  local m
  for m in "${missing[@]}"; do say "  local agent not usable: $m"; done
}
