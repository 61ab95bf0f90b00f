#!/usr/bin/env bash
# The provider-gateway tests' agent command: does what the task title says.
#   *slow* / *timeout*  sleeps 300 s in a child process (and, for *setsid*, in a double-forked setsid one), to be
#                       cancelled or timed out; the tests find these processes by their HANDOFF_RUN_ID
#   *nothing*           changes nothing
#   *fail*              exits with code 3
#   *hostile*           tries to escape its sandbox (hostile-agent.sh), then makes an honest change
#   *mirror probe*      tries to read and write the workspace mirrors (mirror-probe-agent.sh), then edits README.md
#   *chatty*            prints five lines a second apart (each with the epoch millis it was printed at), then the
#                       canaries of its prompt (a key, in colour, and a token in a URL), then edits README.md
#   *flood*             prints 30,000 short lines at once, then edits README.md
#   *huge line*         prints 50 MB without a line end, then a line, then edits README.md
#   anything else       saves its stdin and the names of its environment variables, and edits README.md
set -eu
case "$HANDOFF_TASK_TITLE" in
  *hostile*)
    exec bash "$(dirname "${BASH_SOURCE[0]}")/hostile-agent.sh" ;;
  *mirror\ probe*)
    exec bash "$(dirname "${BASH_SOURCE[0]}")/mirror-probe-agent.sh" ;;
  *slow*|*timeout*)
    case "$HANDOFF_TASK_TITLE" in
      *setsid*) (setsid sleep 300 < /dev/null > /dev/null 2>&1 &) ;;
    esac
    sleep 300 &
    echo "test agent: sleeping"
    wait ;;
  *chatty*)
    key=$(grep -o 'canary-key-[A-Za-z0-9]*' "$HANDOFF_PROMPT_FILE" | head -1)
    token=$(grep -o 'canary-url-[A-Za-z0-9]*' "$HANDOFF_PROMPT_FILE" | head -1)
    for i in 1 2 3 4 5; do
      echo "line $i at $(date +%s%3N)"
      sleep 1
    done
    printf '\033[1;31mthe key is %s\033[0m\n' "$key"
    echo "fetching https://agent:$token@git.example.com/acme/greeter.git" >&2
    echo "Changed by the test agent for run $HANDOFF_RUN_ID" >> README.md
    sleep 1
    echo "done at $(date +%s%3N)" ;;
  *flood*)
    seq 1 30000 | sed 's/^/flood line /'
    echo "Changed by the test agent for run $HANDOFF_RUN_ID" >> README.md ;;
  *huge\ line*)
    head -c 50000000 /dev/zero | tr '\0' 'x'
    echo
    echo "after the huge line"
    echo "Changed by the test agent for run $HANDOFF_RUN_ID" >> README.md ;;
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
