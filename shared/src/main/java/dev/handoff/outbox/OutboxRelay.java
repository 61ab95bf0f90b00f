package dev.handoff.outbox;

import dev.handoff.events.Topics;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The transactional outbox's relay, the one every service uses: publishes the {@code outbox} table (shape:
 * {@link Outbox}) to Kafka and marks what the broker acknowledged as sent. A service builds one with its pool, its
 * outgoing channel's emitter and what to do with a parked event, {@link #kick()}s it right after its commits (low
 * latency) and every {@code handoff.outbox.sweep-interval} as the safety net for whatever a crash or a broker outage
 * left behind, and {@link #purge()}s it hourly.
 * <p>
 * Ordering: a round claims runs by their oldest unsent event ({@code FOR UPDATE SKIP LOCKED}, so replicas share the
 * work without double-sending), then takes the later unsent events of the runs it claimed (nobody else can: their
 * oldest one is locked and unsent) and emits them in id order, which the idempotent producer keeps per partition.
 * So a run's later event is not published before an earlier one, and a change that wrote several events (RUNNING,
 * the pull request, COMPLETED) goes out in one round. Delivery is at least once: a crash between the broker's ack
 * and the commit of {@code sent_at} resends; consumers dedupe by {@code eventId}.
 * <p>
 * An event the producer refuses for good ({@link Unpublishable}: too large, not serializable) is parked in the same
 * round ({@code parked_at}, {@code error}): it is never claimed again, so it cannot hold back the runs claimed after
 * it, and the run's later events follow. The service hears of it ({@code onParked}, after the round's commit, not
 * waited for) and decides what it means for the run. Any other failed send (broker away, timeout) stays unsent and
 * is tried again by a later round.
 * <p>
 * Each event is sent in the trace of the change that wrote it (its row's {@link TraceContext}), so the record's
 * {@code traceparent} header links the consumers' work to that change, not to this relay's round. After a drain
 * the relay notes how old the oldest unsent event is ({@code handoff_outbox_oldest_unsent_seconds}): after every
 * drain that failed, otherwise at most once per {@link #LAG_EVERY} (the sweep drains about that often), so that a
 * busy relay does not pay one more query per commit for it.
 * <p>
 * A drain ends with the first round that was not full (fewer runs claimed than the batch size and fewer events than
 * a round sends): nothing else was unsent and unclaimed when it ran, and whatever was committed since kicked the
 * relay again. So a commit's events cost one round, not one round and an empty one.
 */
public class OutboxRelay {

    /** Claims runs by their oldest unsent event; their events (payloads included) are read by the next query. */
    static final String NEXT_ROUND = """
            select o.run_id
              from outbox o
             where o.sent_at is null and o.parked_at is null
               and not exists (select 1 from outbox p
                                where p.run_id = o.run_id and p.sent_at is null and p.parked_at is null
                                  and p.id < o.id)
             order by o.id
             limit $1
               for update of o skip locked""";
    /** The claimed runs' unsent events, heads included (already ours), oldest first. */
    static final String CLAIMED_RUNS_EVENTS = """
            select o.id, o.event_id, o.run_id, o.topic, o.event_type, o.payload, o.traceparent, o.tracestate
              from outbox o
             where o.run_id = any($1) and o.sent_at is null and o.parked_at is null
             order by o.id
             limit $2
               for update of o""";
    /** A round sends at most this many times the batch size of events (the claimed runs' backlog beyond waits). */
    static final int EVENTS_PER_ROUND_FACTOR = 4;
    /** How often a drain that went well looks up the oldest unsent event at most (a failed one always does). */
    static final java.time.Duration LAG_EVERY = java.time.Duration.ofSeconds(1);
    /** The age gauge's input ({@link OutboxLag}), read after a drain from the unsent rows only (a partial index). */
    static final String OLDEST_UNSENT = "select min(created_at) from outbox where sent_at is null and parked_at is null";
    private static final String MARK_SENT = "update outbox set sent_at = now() where id = any($1)";
    private static final String PARK = "update outbox set parked_at = now(), error = $2 where id = $1";
    private static final String PURGE = """
            delete from outbox
             where sent_at < now() - make_interval(secs => $1) or parked_at < now() - make_interval(secs => $1)""";

    private final String name;
    private final Pool pool;
    private final MutinyEmitter<String> emitter;
    private final OutboxConfig config;
    private final Function<List<Parked>, Uni<Void>> onParked;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long lagMeasuredAt = System.nanoTime() - LAG_EVERY.toNanos();
    private volatile boolean stopped;

    /**
     * @param name names this relay in the log (the service)
     * @param onParked what the service does about events parked in a round, started after the round committed and
     *        not waited for; its failure is logged and does not stop the relay
     */
    public OutboxRelay(String name, Pool pool, MutinyEmitter<String> emitter, OutboxConfig config,
            Function<List<Parked>, Uni<Void>> onParked) {
        this.name = name;
        this.pool = pool;
        this.emitter = emitter;
        this.config = config;
        this.onParked = onParked;
        OutboxLag.register();
    }

    /** Publishes what is pending now, in the background; coalesces with a drain already under way. */
    public void kick() {
        if (stopped) {
            return;
        }
        if (!draining.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        drain().subscribe().with(sent -> finished(), failure -> {
            Log.warnf("%s outbox relay stopped, the sweep will retry: %s", name, failure.toString());
            finished();
        });
    }

    private void finished() {
        draining.set(false);
        if (again.getAndSet(false)) {
            kick();
        }
    }

    /**
     * Rounds until nothing is left (or a send fails for now: the next sweep tries again). A loop, not a recursion:
     * a backlog of thousands of rounds once nested one operator per round and overflowed the stack when the last
     * completed, which left the relay marked busy for good. Answers the number of events published.
     */
    public Uni<Integer> drain() {
        AtomicInteger published = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        return Multi.createBy().repeating().uni(this::round)
                .whilst(result -> result.mayHaveMore())
                .onItem().invoke(result -> {
                    published.addAndGet(result.published());
                    failed.compareAndSet(false, result.failed());
                })
                .collect().last()
                .map(last -> published.get())
                .onTermination().call((result, failure, cancelled) -> failed.get() || failure != null
                        || System.nanoTime() - lagMeasuredAt >= LAG_EVERY.toNanos()
                        ? measureLag() : Uni.createFrom().voidItem());
    }

    /** Updates {@code handoff_outbox_oldest_unsent_seconds}; a failure leaves the last value (and is not raised). */
    private Uni<Void> measureLag() {
        lagMeasuredAt = System.nanoTime();
        return pool.query(OLDEST_UNSENT).execute()
                .invoke(rows -> {
                    var oldest = rows.iterator().next().getOffsetDateTime(0);
                    OutboxLag.oldestUnsent(oldest == null ? null : oldest.toInstant());
                })
                .replaceWithVoid()
                .onFailure().invoke(e -> Log.debugf("%s outbox: oldest unsent event not measured: %s", name, e.toString()))
                .onFailure().recoverWithNull();
    }

    /** No more kicks: the application is stopping. */
    public void stop() {
        stopped = true;
    }

    /** Deletes sent and parked events past {@code handoff.outbox.retention}; a failure is logged, not raised. */
    public Uni<Void> purge() {
        return pool.preparedQuery(PURGE).execute(Tuple.of((double) config.retention().toSeconds()))
                .invoke(rows -> Log.debugf("%s outbox: purged %d events", name, rows.rowCount()))
                .replaceWithVoid()
                .onFailure().invoke(e -> Log.warnf("%s outbox purge failed: %s", name, e.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<Round> round() {
        return pool.withTransaction(connection -> connection.preparedQuery(NEXT_ROUND)
                        .execute(Tuple.of(config.batchSize()))
                        .chain(heads -> {
                            if (heads.size() == 0) {
                                return Uni.createFrom().item(Round.EMPTY);
                            }
                            UUID[] claimed = new UUID[heads.size()];
                            int i = 0;
                            for (Row head : heads) {
                                claimed[i++] = head.getUUID("run_id");
                            }
                            int maxEvents = config.batchSize() * EVENTS_PER_ROUND_FACTOR;
                            boolean allRuns = heads.size() < config.batchSize();
                            return connection.preparedQuery(CLAIMED_RUNS_EVENTS)
                                    .execute(Tuple.of(claimed, maxEvents))
                                    .chain(events -> publishInOrder(events)
                                            .chain(outcomes -> record(connection, outcomes,
                                                    !allRuns || events.size() >= maxEvents)));
                        }))
                .invoke(round -> {
                    if (!round.parked().isEmpty()) {
                        reportParked(round.parked());
                    }
                });
    }

    /**
     * Emits the events in id order, without waiting for one ack before the next send: the idempotent producer keeps
     * the order of a partition (a run's key picks its partition), so a run's events still arrive in order, and the
     * three events of a finished run cost one broker round trip instead of three. A send that fails for now is left
     * unsent and goes out again in a later round; consumers dedupe by eventId and order by version.
     */
    private Uni<List<Outcome>> publishInOrder(RowSet<Row> rows) {
        List<Uni<Outcome>> sends = new ArrayList<>();
        for (Row row : rows) {
            sends.add(publish(row));
        }
        return Uni.join().all(sends).andFailFast();
    }

    /** Sends one event; answers whether the broker acknowledged it, refused it for good, or did not answer. */
    private Uni<Outcome> publish(Row row) {
        long id = row.getLong("id");
        UUID eventId = row.getUUID("event_id");
        UUID runId = row.getUUID("run_id");
        String topic = row.getString("topic");
        String eventType = row.getString("event_type");
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_EVENT_TYPE, eventType.getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_EVENT_ID, eventId.toString().getBytes(StandardCharsets.UTF_8));
        Message<String> record = Message.of(row.getString("payload"))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(topic)
                        .withKey(runId.toString())
                        .withHeaders(headers)
                        .build());
        TraceContext trace = new TraceContext(row.getString("traceparent"), row.getString("tracestate"));
        // the connector's producer span (and the record's traceparent header) continue the change's trace
        Message<String> message = trace.isPresent()
                ? record.addMetadata(TracingMetadata.withCurrent(trace.restore()))
                : record;
        return Uni.createFrom().deferred(() -> emitter.sendMessage(message))
                .ifNoItem().after(config.sendTimeout()).fail()
                .replaceWith(Outcome.sent(id))
                .onFailure().recoverWithItem(e -> {
                    if (Unpublishable.is(e)) {
                        Parked parked = new Parked(id, eventId, runId, topic, eventType, Unpublishable.describe(e));
                        Log.errorf("%s outbox: %s %s of run %s can never be published to %s, parked: %s", name,
                                eventType, eventId, runId, topic, parked.error());
                        return Outcome.parked(parked);
                    }
                    Log.warnf("%s outbox: %s %s of run %s not published to %s yet: %s", name, eventType, eventId,
                            runId, topic, e.toString());
                    return Outcome.unsent(id);
                });
    }

    /** {@code full}: the round took as many runs or events as a round may, so more may be waiting. */
    private Uni<Round> record(SqlConnection connection, List<Outcome> outcomes, boolean full) {
        Long[] sent = outcomes.stream().filter(o -> o.state() == State.SENT).map(Outcome::id).toArray(Long[]::new);
        List<Parked> parked = outcomes.stream().filter(o -> o.state() == State.PARKED).map(Outcome::parked).toList();
        boolean failed = outcomes.stream().anyMatch(o -> o.state() == State.UNSENT);
        Round round = new Round(sent.length, parked, failed, full);
        Uni<Void> marked = sent.length == 0
                ? Uni.createFrom().voidItem()
                : connection.preparedQuery(MARK_SENT).execute(Tuple.tuple().addArrayOfLong(sent)).replaceWithVoid();
        if (parked.isEmpty()) {
            return marked.replaceWith(round);
        }
        List<Tuple> parkings = parked.stream().map(p -> Tuple.of(p.id(), p.error())).toList();
        return marked.chain(() -> connection.preparedQuery(PARK).executeBatch(parkings)).replaceWith(round);
    }

    /** In the background: what the service does about a parked event must not delay the next round either. */
    private void reportParked(List<Parked> parked) {
        Uni.createFrom().deferred(() -> onParked.apply(parked)).subscribe().with(done -> { },
                e -> Log.warnf("%s outbox: handling %d parked events failed: %s", name, parked.size(), e.toString()));
    }

    private enum State {
        SENT, PARKED, UNSENT
    }

    private record Outcome(long id, State state, Parked parked) {

        static Outcome sent(long id) {
            return new Outcome(id, State.SENT, null);
        }

        static Outcome parked(Parked parked) {
            return new Outcome(parked.id(), State.PARKED, parked);
        }

        static Outcome unsent(long id) {
            return new Outcome(id, State.UNSENT, null);
        }
    }

    private record Round(int published, List<Parked> parked, boolean failed, boolean full) {

        static final Round EMPTY = new Round(0, List.of(), false, false);

        /**
         * Whether another round may find more: this one was full and went well (something was sent or set aside, and
         * no send failed for now: the next sweep tries those again).
         */
        boolean mayHaveMore() {
            return full && !failed && (published > 0 || !parked.isEmpty());
        }
    }
}
