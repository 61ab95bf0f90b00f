#!/usr/bin/env bash
# The end-to-end test's agent command, run in the local agents' sandbox: takes its time (a task whose title says
# "slow" takes 300 s, so that it can be cancelled), then makes the bundled demo agent's change. A task whose title says
# "hostile" gets the gateway tests' prompt-injected agent instead (HostileAgentTest); "one huge line" and "many short
# lines" print 300 MB first, without a line end or as 3 million lines of 100 bytes (AgentOutputFloodTest). The test
# finds its processes on the host by the run's HANDOFF_RUN_ID (inside the sandbox they have other pids, and the agent
# cannot write anywhere outside its worktree). For ActivityEndToEndTest, "chatty" prints 8 lines half a second apart,
# each with the time it was printed (one on stderr, one in colour with the value of the prompt's "canary=" line), then
# the time it ends; "floods" prints 5,000 lines at once.
#   e2e-agent.sh DEMO_AGENT HOSTILE_AGENT
set -eu
case "$HANDOFF_TASK_TITLE" in
  *hostile*) exec bash "$2" ;;
  *slow*) sleep 300 ;;
  *chatty*)
    canary=$(sed -n 's/.*canary=\([A-Za-z0-9_]*\).*/\1/p' "$HANDOFF_PROMPT_FILE" | head -n 1)
    for i in 1 2 3 4 5 6 7 8; do
      line="activity line $i of 8 printed at $(date +%s%3N)"
      case $i in
        3) echo "$line on stderr" >&2 ;;
        5) printf '\033[1;31m%s with the key %s\033[0m\n' "$line" "$canary" ;;
        *) echo "$line" ;;
      esac
      sleep 0.5
    done
    sleep 1.5
    echo "activity: the agent ends at $(date +%s%3N)"
    ;;
  *floods*) seq -f 'flood line %.0f' 1 5000 ;;
  *"one huge line"*) head -c 300000000 /dev/zero | tr '\0' x; echo ;;
  *"many short lines"*) yes "$(printf '%099d' 0)" | head -c 300000000 ;;
  *) sleep 2 ;;
esac
exec bash "$1"
