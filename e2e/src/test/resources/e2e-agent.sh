#!/usr/bin/env bash
# The end-to-end test's agent command, run in the local agents' sandbox: takes its time (a task whose title says
# "slow" takes 300 s, so that it can be cancelled), then makes the bundled demo agent's change. A task whose title says
# "hostile" gets the gateway tests' prompt-injected agent instead (HostileAgentTest); "one huge line" and "many short
# lines" print 300 MB first, without a line end or as 3 million lines of 100 bytes (AgentOutputFloodTest). The test
# finds its processes on the host by the run's HANDOFF_RUN_ID (inside the sandbox they have other pids, and the agent cannot
# write anywhere outside its worktree).
#   e2e-agent.sh DEMO_AGENT HOSTILE_AGENT
set -eu
case "$HANDOFF_TASK_TITLE" in
  *hostile*) exec bash "$2" ;;
  *slow*) sleep 300 ;;
  *"one huge line"*) head -c 300000000 /dev/zero | tr '\0' x; echo ;;
  *"many short lines"*) yes "$(printf '%099d' 0)" | head -c 300000000 ;;
  *) sleep 2 ;;
esac
exec bash "$1"
