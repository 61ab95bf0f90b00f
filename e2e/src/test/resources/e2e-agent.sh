#!/usr/bin/env bash
# The end-to-end test's agent command, run in the local agents' sandbox: takes its time (a task whose title says
# "slow" takes 300 s, so that it can be cancelled), then makes the bundled demo agent's change. A task whose title says
# "hostile" gets the gateway tests' prompt-injected agent instead (HostileAgentTest). The test finds its
# processes on the host by the run's HANDOFF_RUN_ID (inside the sandbox they have other pids, and the agent cannot
# write anywhere outside its worktree).
#   e2e-agent.sh DEMO_AGENT HOSTILE_AGENT
set -eu
case "$HANDOFF_TASK_TITLE" in
  *hostile*) exec bash "$2" ;;
  *slow*) sleep 300 ;;
  *) sleep 2 ;;
esac
exec bash "$1"
