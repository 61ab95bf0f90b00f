#!/usr/bin/env bash
# The end-to-end test's agent command: records its pid for the test, takes its time (a task whose title says
# "slow" takes 300 s, so that it can be cancelled), then makes the bundled demo agent's change.
#   e2e-agent.sh PID_DIR DEMO_AGENT
set -eu
mkdir -p "$1"
echo $$ > "$1/$HANDOFF_RUN_ID.pid"
case "$HANDOFF_TASK_TITLE" in
  *slow*) sleep 300 ;;
  *) sleep 2 ;;
esac
exec bash "$2"
