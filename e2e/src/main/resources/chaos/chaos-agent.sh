#!/usr/bin/env bash
# The agent command of ./handoff chaos: appends one line per start to <INVOCATIONS>/<run id> (a run whose agent starts
# twice was launched twice), takes 1-4 s, then makes the bundled demo agent's change.
#   chaos-agent.sh INVOCATIONS DEMO_AGENT
set -eu
mkdir -p "$1"
echo "$$ $(date +%s.%N)" >> "$1/$HANDOFF_RUN_ID"
sleep "$(( (RANDOM % 4) + 1 ))"
exec bash "$2"
