#!/usr/bin/env bash
# The provider-gateway tests' agent command: does what the task title says.
#   *slow* / *timeout*  sleeps 300 s in a child process (and, for *setsid*, in a double-forked setsid one), to be
#                       cancelled or timed out; the tests find these processes by their HANDOFF_RUN_ID
#   *nothing*           changes nothing
#   *fail*              exits with code 3
#   *hostile*           tries to escape its sandbox (hostile-agent.sh), then makes an honest change
#   anything else       saves its stdin and the names of its environment variables, and edits README.md
set -eu
case "$HANDOFF_TASK_TITLE" in
  *hostile*)
    exec bash "$(dirname "${BASH_SOURCE[0]}")/hostile-agent.sh" ;;
  *slow*|*timeout*)
    case "$HANDOFF_TASK_TITLE" in
      *setsid*) (setsid sleep 300 < /dev/null > /dev/null 2>&1 &) ;;
    esac
    sleep 300 &
    echo "test agent: sleeping"
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
