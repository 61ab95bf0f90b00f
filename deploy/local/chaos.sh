#!/usr/bin/env bash
# ./handoff chaos: the long fault tests (a few minutes; not part of ./handoff test).
# On an isolated stack (ports 38081-38084, Kafka 19392, databases *_chaos, state in .handoff/chaos) it puts many runs
# in flight on the local provider and on a fake Cursor (in the chaos JVM), kills each of the four services once with
# SIGKILL at a random moment and restarts it with ./handoff up, then does the same to the Kafka broker, and checks:
# every run ends in the state its provider reached, nothing is launched twice at a provider, no pull request is
# opened twice, every task's projection equals its run, and a resuming SSE client saw every status change in order.
# Meanwhile a share of the runs that COMPLETED with a pull request (--followups, default 0.3) is followed up by two
# clients at once (exactly one follow-up accepted): it must end like any run, with followUpOf set, on the same branch
# and pull request (local: the pull request holds both runs' commits). After the faults every run's activity is paged
# through GET /api/activity: seqs exactly 1..n (fewer after a kill, never a hole), kinds from the contract, and the
# same seqs the resuming SSE client saw as run.activity.
# With --db-outage SECONDS a third phase makes the four service databases refuse connections for that long mid-flow
# (needs psql as the postgres superuser on 127.0.0.1, as deploy/local/postgres.sh does).
#   ./handoff chaos [--runs 200] [--cursor-runs 50] [--broker-runs 60] [--db-outage 0] [--followups 0.3] [--seed N] [--keep true]
#                   [--port-offset 30000] [--kafka-port 19392]
source "$(dirname "$0")/lib.sh"

jar="$HANDOFF_ROOT/e2e/target/handoff-e2e.jar"
stale=0
for svc in task-service agent-run-service provider-gateway notification-service; do
  [ -f "$HANDOFF_ROOT/$svc/target/quarkus-app/quarkus-run.jar" ] || stale=1
done
[ -f "$jar" ] || stale=1
ls "$HANDOFF_ROOT"/e2e/target/lib/postgresql-*.jar >/dev/null 2>&1 || stale=1
ls "$HANDOFF_ROOT"/e2e/target/lib/handoff-test-support-*.jar >/dev/null 2>&1 || stale=1
if [ $stale = 1 ]; then
  say "building (./mvnw install -DskipTests) ..."
  mvnw install -DskipTests >&2 || die "build failed"
fi
command -v git >/dev/null || die "chaos needs git (apt-get install -y git)"
export HANDOFF_ROOT
exec java -Xmx512m -cp "$jar:$HANDOFF_ROOT/e2e/target/lib/*" dev.handoff.e2e.chaos.Chaos "$@"
