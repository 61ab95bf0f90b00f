#!/usr/bin/env bash
# Handoff's bundled DEMO agent. It is not an AI and writes no code: it shows the local provider end to end by making a
# small, real change derived from the task, so that the demo has a branch, a commit and a diff to look at.
#
# The local provider runs it in a fresh clone, on the run's target branch, when HANDOFF_LOCAL_AGENT_COMMAND is not set.
# It reads the prompt from $HANDOFF_PROMPT_FILE (the same text is on stdin), then:
#   - writes docs/handoff/<task-slug>.md with the task's title, its acceptance criteria and its implementation steps;
#   - appends a line pointing at that file to README.md, when the repository has one;
#   - prints what it did (the gateway keeps the output in the run's log and quotes its last lines in the summary).
# A follow-up (the prompt says "This is a follow-up"; the worktree holds the earlier run's work) makes a second,
# different change instead: it adds the follow-up's instructions to the notes file and, when they ask for a test,
# writes tests/test_handoff_<task-slug>.py, a real test of that notes file.
# No network, no git commands: the local provider commits, pushes and opens the pull request. Like any local agent it
# runs in the sandbox (README, "Security model"): it sees its worktree, its prompt and this script, nothing else.
#
# For a real agent, set HANDOFF_LOCAL_AGENT_COMMAND (see provider-gateway/README.md), e.g.
#   HANDOFF_LOCAL_AGENT_COMMAND='claude -p --permission-mode acceptEdits < "$HANDOFF_PROMPT_FILE"'
set -euo pipefail

prompt_file=${HANDOFF_PROMPT_FILE:?HANDOFF_PROMPT_FILE is not set: the local provider passes the prompt file}
[ -r "$prompt_file" ] || { echo "demo agent: cannot read the prompt file $prompt_file" >&2; exit 2; }

title=$(sed -n 's/^# Task: //p' "$prompt_file" | head -n 1)
title=${title:-${HANDOFF_TASK_TITLE:-Untitled task}}
slug=$(printf '%s' "$title" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//' | cut -c1-60)
slug=${slug%-}
slug=${slug:-task}

# the lines of one "## <heading>" section of the prompt, up to the next "## " heading
section() {
  awk -v heading="## $1" '
    $0 == heading { inside = 1; next }
    inside && /^## / { exit }
    inside { print }
  ' "$prompt_file"
}

criteria=$(section "Acceptance criteria" | grep -E '^- \[ \] ' || true)
steps=$(section "Implementation steps" | grep -E '^[0-9]+\. ' || true)
description=$(section "Description" | sed '/^[[:space:]]*$/d' | head -n 20)

notes="docs/handoff/$slug.md"
if grep -q '^This is a follow-up' "$prompt_file" && [ -f "$notes" ]; then
  instructions=$(section "Follow-up instructions" | sed '/^[[:space:]]*$/d')
  {
    echo
    echo "## Follow-up (run ${HANDOFF_RUN_ID:-unknown})"
    echo
    echo "${instructions:-(none given)}"
  } >> "$notes"
  echo "demo agent: follow-up: added its instructions to $notes"
  if printf '%s' "$instructions" | grep -qi 'test'; then
    test_file="tests/test_handoff_$(printf '%s' "$slug" | tr '-' '_').py"
    mkdir -p tests
    cat > "$test_file" <<PY
"""Added by Handoff's demo agent for the follow-up run ${HANDOFF_RUN_ID:-unknown}: checks the notes of the task."""
from pathlib import Path

NOTES = Path(__file__).resolve().parent.parent / "$notes"


def test_the_notes_name_the_task_and_its_acceptance_criteria():
    text = NOTES.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "## Acceptance criteria" in text
PY
    echo "demo agent: follow-up: wrote $test_file"
  fi
  echo "demo agent: done (this is the bundled demo agent; set HANDOFF_LOCAL_AGENT_COMMAND for a real one)"
  exit 0
fi
mkdir -p "$(dirname "$notes")"
{
  echo "# $title"
  echo
  echo "Notes written by Handoff's demo agent for run ${HANDOFF_RUN_ID:-unknown}. A real agent would change the code;"
  echo "this file shows the task as the agent received it."
  echo
  if [ -n "$description" ] && [ "$description" != "(none)" ]; then
    echo "## What the task asks"
    echo
    echo "$description"
    echo
  fi
  echo "## Acceptance criteria"
  echo
  if [ -n "$criteria" ]; then echo "$criteria"; else echo "(none given)"; fi
  echo
  echo "## Implementation steps"
  echo
  if [ -n "$steps" ]; then echo "$steps"; else echo "(none given)"; fi
} > "$notes"
echo "demo agent: wrote $notes ($(grep -c '^- \[ \] ' "$notes" || true) acceptance criteria, $(grep -cE '^[0-9]+\. ' "$notes" || true) steps)"

if [ -f README.md ]; then
  line="- Handoff: see [$title]($notes) (run ${HANDOFF_RUN_ID:-unknown})."
  if ! grep -qF "($notes)" README.md; then
    [ -z "$(tail -c 1 README.md)" ] || echo >> README.md
    echo "$line" >> README.md
    echo "demo agent: added a line about it to README.md"
  fi
fi
echo "demo agent: done (this is the bundled demo agent; set HANDOFF_LOCAL_AGENT_COMMAND for a real one)"
