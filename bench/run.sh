#!/usr/bin/env bash
# ./handoff bench [--quick] [--keep] [--name=value ...]: the benchmarks (see bench/README.md).
# Builds what is missing, then runs the harness, which starts its own isolated stack, prints one table and writes
# bench/RESULTS.md. Not part of ./handoff test.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
say() { printf '%s\n' "$*" >&2; }

SERVICES=(task-service agent-run-service provider-gateway notification-service)

# The services: package them (no install: ~/.m2 stays as it is) when a jar is missing or a source is newer.
stale=0
for name in "${SERVICES[@]}"; do
  jar="$name/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$name/src/main" "$name/pom.xml" shared/src/main shared/pom.xml pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]; then
    stale=1
  fi
done
if [ $stale = 1 ]; then
  say "bench: building the services (./mvnw package -DskipTests) ..."
  ./mvnw -B -q package -DskipTests -pl "$(IFS=,; echo "${SERVICES[*]}")" -am >&2
fi

# The bench project (its own Maven project, parent ../pom.xml): the floor app and the harness, with the test kit
# (test-support and shared) it builds from source.
harness=bench/harness/target/handoff-bench.jar
floor=bench/floor-app/target/quarkus-app/quarkus-run.jar
if [ ! -f "$harness" ] || [ ! -f "$floor" ] \
   || [ -n "$(find bench/pom.xml bench/harness/pom.xml bench/harness/src bench/floor-app/pom.xml bench/floor-app/src \
        test-support/pom.xml test-support/src shared/pom.xml shared/src -newer "$harness" -print -quit 2>/dev/null)" ] \
   || [ -n "$(find bench/floor-app/src bench/floor-app/pom.xml -newer "$floor" -print -quit 2>/dev/null)" ]; then
  say "bench: building the bench project (./mvnw -f bench/pom.xml package) ..."
  ./mvnw -B -q -f bench/pom.xml package -DskipTests >&2
fi

export HANDOFF_ROOT="$ROOT"
exec java -Xmx768m -XX:+UseSerialGC -jar "$harness" "$@"
