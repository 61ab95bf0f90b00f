#!/usr/bin/env bash
# What the local agents' sandbox needs (provider-gateway, HANDOFF_LOCAL_SANDBOX=on, the default): bubblewrap, and socat
# for the bridge to the gateway's egress proxy (not with HANDOFF_LOCAL_SANDBOX_NETWORK=none). Installs what is missing
# from Debian's packages (as root), then checks that bubblewrap can start a sandbox on this machine. Without a working
# sandbox the stack still starts, and local runs fail with sandbox-unavailable: they never run unconfined.
#   sandbox.sh ensure
source "$(dirname "$0")/lib.sh"

check() {
  bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL --ro-bind /usr /usr \
    --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --proc /proc --dev /dev --tmpfs /tmp -- /usr/bin/true >/dev/null 2>&1 \
  || bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL --ro-bind / / \
    --proc /proc --dev /dev --tmpfs /tmp -- /usr/bin/true >/dev/null 2>&1
}

ensure() {
  if [ "${HANDOFF_LOCAL_SANDBOX:-on}" = off ]; then
    say "HANDOFF_LOCAL_SANDBOX=off: local agents will run UNCONFINED, with this user's files and network"
    return 0
  fi
  local missing=()
  command -v bwrap >/dev/null || missing+=(bubblewrap)
  if [ "${HANDOFF_LOCAL_SANDBOX_NETWORK:-proxy}" != none ]; then
    command -v socat >/dev/null || missing+=(socat)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing ${missing[*]} for the local agents' sandbox from Debian's packages ..."
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2 \
        || say "handoff: could not install ${missing[*]}: local runs will fail with sandbox-unavailable"
    else
      say "handoff: the local agents' sandbox needs ${missing[*]} (sudo apt-get install -y ${missing[*]});" \
        "until then local runs fail with sandbox-unavailable"
      return 0
    fi
  fi
  if command -v bwrap >/dev/null && ! check; then
    say "handoff: bubblewrap cannot start a sandbox on this machine (user or network namespaces refused?);" \
      "local runs will fail with sandbox-unavailable"
  fi
}

case "${1:-}" in
  ensure) ensure ;;
  *) die "usage: sandbox.sh ensure" ;;
esac
