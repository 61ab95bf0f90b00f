#!/usr/bin/env bash
# The whole test suite on real infrastructure: PostgreSQL (reused or installed), a fresh Kafka broker for this run,
# every module's tests (./mvnw verify), the last of which (e2e/) starts the real stack as separate processes.
source "$(dirname "$0")/lib.sh"

TEST_KAFKA_PORT=${HANDOFF_TEST_KAFKA_PORT:-19092}
started=$(date +%s)

"$HANDOFF_ROOT/deploy/local/postgres.sh" ensure
"$HANDOFF_ROOT/deploy/local/sandbox.sh" ensure
"$HANDOFF_ROOT/web-console/install-browser.sh"   # the web console's browser tests drive Debian's chromium
"$HANDOFF_ROOT/deploy/local/kafka.sh" stop test-kafka
trap '"$HANDOFF_ROOT/deploy/local/kafka.sh" stop test-kafka' EXIT
"$HANDOFF_ROOT/deploy/local/kafka.sh" start test-kafka "$TEST_KAFKA_PORT" --fresh
export HANDOFF_TEST_KAFKA="127.0.0.1:$TEST_KAFKA_PORT"

say "running the module tests (./mvnw verify) ..."
"$HANDOFF_ROOT/mvnw" -B verify -Dstyle.color=never "$@"

say "all tests passed in $(( $(date +%s) - started )) s"
