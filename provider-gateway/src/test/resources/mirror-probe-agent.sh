#!/usr/bin/env bash
# An agent that probes the workspace's mirror, for LocalMirrorsTest: with the paths and the commit it is given in its
# task (lines "NAME=value" of the prompt), it reads what its own git shows, tries to read another workspace's commit,
# and tries to write into the mirror's objects (shown read-only) and into the mirrors' folders on the host. Each
# attempt goes to MIRROR_REPORT.txt as "<attempt>: <exit code> <output on one line>"; then it edits README.md.
set -u
given() { sed -n "s/^$1=//p" "$HANDOFF_PROMPT_FILE" | head -n 1; }
try() { # name, command...
  local name=$1 out rc
  shift
  out=$(timeout 10 "$@" 2>&1)
  rc=$?
  printf '%s: %s %s\n' "$name" "$rc" "$(printf '%s' "$out" | tr '\n\0' '  ' | cut -c1-2000)" >> MIRROR_REPORT.txt
}
: > MIRROR_REPORT.txt
objects=/run/handoff/mirror-objects
mine=$(given OWN_MIRROR)
theirs=$(given OTHER_MIRROR)
private=$(given PRIVATE_COMMIT)

try head git log -1 --format=%H
try own-tree git ls-tree -r --name-only HEAD
try read-private git cat-file -p "$private"
try all-refs git log --all --format=%H
try list-objects ls "$objects"
try write-objects touch "$objects/planted"
try write-pack bash -c "echo x > $objects/pack/planted.pack"
try write-object-dir mkdir "$objects/ab"
try write-info bash -c "echo /tmp > $objects/info/alternates"
try remove-pack bash -c "rm -f $objects/pack/* $objects/??/*"
try host-own-config bash -c "echo '[core] evil' >> $mine/config"
try host-own-ref git --git-dir="$mine" update-ref refs/heads/main HEAD
try host-other-list ls "$theirs"
try host-other-read git --git-dir="$theirs" log --all --format=%H
echo "Changed by the mirror probe for run $HANDOFF_RUN_ID" >> README.md
echo "mirror probe: done"
