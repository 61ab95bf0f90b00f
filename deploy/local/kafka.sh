#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft) from Maven Central, in its own JVM.
#   kafka.sh start NAME PORT [--fresh]   start (or reuse) broker NAME on 127.0.0.1:PORT (controller on PORT+1), create the topics
#   kafka.sh stop NAME                   stop it
source "$(dirname "$0")/lib.sh"

LIB="$HANDOFF_ROOT/.handoff/kafka-lib"

fetch() {
  if [ ! -f "$LIB/.complete" ]; then
    say "fetching the Kafka broker from Maven Central ..."
    rm -rf "$LIB"
    mvnw -f "$HANDOFF_ROOT/deploy/local/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIB" >&2
    touch "$LIB/.complete"
  fi
}

start() {
  local name=$1 port=$2 fresh=${3:-} dir="$HANDOFF_STATE/$1"
  if [ -f "$dir/pid" ] && pid_alive "$(cat "$dir/pid")" && port_open 127.0.0.1 "$port"; then
    say "kafka $name already running on 127.0.0.1:$port"
    return 0
  fi
  port_open 127.0.0.1 "$port" && die "port $port is in use by another process; stop it or choose another port"
  fetch
  [ "$fresh" = "--fresh" ] && rm -rf "$dir"
  mkdir -p "$dir"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((port + 1))
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=6
auto.create.topics.enable=true
PROPS
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id
    id=$(java -cp "$LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    java -cp "$LIB/*" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" > "$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; die "could not format the Kafka log directory"; }
  fi
  # setsid: the broker gets its own process group, so stopping it never touches the caller
  setsid java -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.level=warn -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$LIB/*" kafka.Kafka "$dir/server.properties" > "$dir/broker.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  wait_port 127.0.0.1 "$port" 60 "kafka $name"
  java -cp "$LIB/*" "$HANDOFF_ROOT/deploy/local/CreateTopics.java" "127.0.0.1:$port" "$HANDOFF_ROOT/deploy/local/topics.txt" >&2
  say "kafka $name ready on 127.0.0.1:$port"
}

stop() {
  stop_pidfile "$HANDOFF_STATE/$1/pid"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  fetch) fetch ;;
  *) die "usage: kafka.sh start NAME PORT [--fresh] | stop NAME | fetch" ;;
esac
