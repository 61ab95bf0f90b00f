#!/usr/bin/env bash
# Retakes the README's pictures of the console (web-console/docs/*.png): a headless Chromium drives the console against
# the test's fakes of the four services (no stack needed). Needs chromium + chromium-driver (./install-browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
web-console/install-browser.sh
./mvnw -B -q -Dstyle.color=never -pl web-console -am verify -Dtest=ScreenshotsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dconsole.screenshots.dir="$PWD/web-console/docs"
ls -l web-console/docs/*.png
