#!/usr/bin/env bash
# The provider-gateway tests' agent command: does what the task title says.
#   *slow* / *timeout*  sleeps 300 s in a child process (pids in the run folder), to be cancelled or timed out
#   *nothing*           changes nothing
#   *fail*              exits with code 3
#   anything else       saves its stdin and the names of its environment variables, and edits README.md
set -eu
dir=$(dirname "$HANDOFF_PROMPT_FILE")
echo $$ > "$dir/agent.pid"
case "$HANDOFF_TASK_TITLE" in
  *slow*|*timeout*)
    sleep 300 &
    echo $! > "$dir/child.pid"
    wait ;;
  *nothing*)
    echo "test agent: looked around, nothing to change" ;;
  *fail*)
    echo "test agent: something broke"
    exit 3 ;;
  *)
    cat > PROMPT_FROM_STDIN.md
    env | cut -d= -f1 | sort > AGENT_ENV_NAMES.txt
    echo "Changed by the test agent for run $HANDOFF_RUN_ID" >> README.md
    echo "test agent: edited README.md" ;;
esac
