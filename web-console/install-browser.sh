#!/usr/bin/env bash
# The browser the console's tests drive: Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver).
# Idempotent: does nothing when both are there. Called by deploy/local/test.sh and by the browser tests themselves.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-browser: chromium and chromium-driver are missing and there is no apt-get; install them by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-browser: run as root (or with sudo) to install chromium and chromium-driver" >&2; exit 1; }
  SUDO="sudo -n"
fi
echo "install-browser: installing Debian's chromium and chromium-driver for the web console's browser tests ..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q chromium chromium-driver >&2
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]
