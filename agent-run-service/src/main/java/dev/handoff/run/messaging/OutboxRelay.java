package dev.handoff.run.messaging;

import dev.handoff.events.Topics;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes the outbox to Kafka and marks what the broker acknowledged as sent. Use cases {@link #kick()} it right
 * after their commit (low latency); {@link OutboxSweeper} kicks it every {@code handoff.outbox.sweep-interval} as the
 * safety net for whatever a crash or a broker outage left behind.
 * <p>
 * Ordering: a round claims runs by their oldest unsent event ({@code FOR UPDATE SKIP LOCKED}, so replicas share the
 * work without double-sending), then takes the later unsent events of the runs it claimed (nobody else can: their
 * oldest one is locked and unsent) and emits them in id order, which the idempotent producer keeps per partition.
 * So a run's later event is not published before an earlier one, and a change that wrote several events (RUNNING,
 * the pull request, COMPLETED) goes out in one round. Delivery
 * is at least once: a crash between the broker's ack and the commit of {@code sent_at} resends; consumers dedupe by
 * {@code eventId}.
 */
@ApplicationScoped
public class OutboxRelay {

    /** Claims runs by their oldest unsent event; their events (payloads included) are read by the next query. */
    private static final String NEXT_ROUND = """
            select o.run_id
              from outbox o
             where o.sent_at is null
               and not exists (select 1 from outbox p
                                where p.run_id = o.run_id and p.sent_at is null and p.id < o.id)
             order by o.id
             limit $1
               for update of o skip locked""";
    /** The claimed runs' unsent events, heads included (already ours), oldest first. */
    private static final String CLAIMED_RUNS_EVENTS = """
            select o.id, o.event_id, o.run_id, o.topic, o.event_type, o.payload
              from outbox o
             where o.run_id = any($1) and o.sent_at is null
             order by o.id
             limit $2
               for update of o""";
    /** A round sends at most this many times the batch size of events (the claimed runs' backlog beyond waits). */
    private static final int EVENTS_PER_ROUND_FACTOR = 4;
    private static final String MARK_SENT = "update outbox set sent_at = now() where id = any($1)";

    private final Pool pool;
    private final MutinyEmitter<String> emitter;
    private final OutboxConfig config;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean stopped;

    public OutboxRelay(Pool pool, @Channel(Channels.OUTBOX) MutinyEmitter<String> emitter, OutboxConfig config) {
        this.pool = pool;
        this.emitter = emitter;
        this.config = config;
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
            Log.warnf("outbox relay stopped, the sweep will retry: %s", failure.toString());
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
     * Rounds until nothing is left (or a send fails: the next sweep tries again). A loop, not a recursion: a backlog
     * of thousands of rounds once nested one operator per round and overflowed the stack when the last completed,
     * which left the relay marked busy for good.
     */
    Uni<Integer> drain() {
        AtomicInteger published = new AtomicInteger();
        return Multi.createBy().repeating().uni(this::round)
                .whilst(result -> result.published() > 0 && !result.failed())
                .onItem().invoke(result -> published.addAndGet(result.published()))
                .collect().last()
                .map(last -> published.get());
    }

    /** No more kicks: the application is stopping. */
    void stop() {
        stopped = true;
    }

    /** Deletes sent events past their retention, and old processed-event ids. */
    Uni<Void> purge() {
        long seconds = config.retention().toSeconds();
        return pool.preparedQuery("delete from outbox where sent_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) seconds))
                .chain(() -> pool.preparedQuery(
                        "delete from processed_events where processed_at < now() - interval '14 days'").execute())
                .replaceWithVoid()
                .onFailure().invoke(e -> Log.warnf("outbox purge failed: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<Round> round() {
        return pool.withTransaction(connection -> connection.preparedQuery(NEXT_ROUND)
                .execute(Tuple.of(config.batchSize()))
                .chain(heads -> {
                    if (heads.size() == 0) {
                        return Uni.createFrom().item(new Round(0, false));
                    }
                    UUID[] claimed = new UUID[heads.size()];
                    int i = 0;
                    for (Row head : heads) {
                        claimed[i++] = head.getUUID("run_id");
                    }
                    return connection.preparedQuery(CLAIMED_RUNS_EVENTS)
                            .execute(Tuple.of(claimed, config.batchSize() * EVENTS_PER_ROUND_FACTOR))
                            .chain(this::publishInOrder)
                            .chain(ids -> markSent(connection, ids));
                }));
    }

    /**
     * Emits the events in id order, without waiting for one ack before the next send: the idempotent producer keeps
     * the order of a partition (a run's key picks its partition), so a run's events still arrive in order, and the
     * three events of a finished run cost one broker round trip instead of three. A send that fails is left unsent
     * (null in the answer) and goes out again in a later round; consumers dedupe by eventId and order by version.
     */
    private Uni<List<Long>> publishInOrder(RowSet<Row> rows) {
        List<Uni<Long>> sends = new ArrayList<>();
        for (Row row : rows) {
            sends.add(publish(row));
        }
        return Uni.join().all(sends).andFailFast();
    }

    /** Sends one event and answers its id once the broker acknowledged it, or null when it did not. */
    private Uni<Long> publish(Row row) {
        long id = row.getLong("id");
        UUID runId = row.getUUID("run_id");
        String topic = row.getString("topic");
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_EVENT_TYPE, row.getString("event_type").getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_EVENT_ID, row.getUUID("event_id").toString().getBytes(StandardCharsets.UTF_8));
        Message<String> message = Message.of(row.getString("payload"))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(topic)
                        .withKey(runId.toString())
                        .withHeaders(headers)
                        .build());
        return emitter.sendMessage(message)
                .ifNoItem().after(config.sendTimeout()).fail()
                .replaceWith(id)
                .onFailure().invoke(e -> Log.warnf("event %s for run %s not published to %s yet: %s",
                        row.getUUID("event_id"), runId, topic, e.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<Round> markSent(SqlConnection connection, List<Long> results) {
        Long[] sent = results.stream().filter(Objects::nonNull).toArray(Long[]::new);
        boolean failed = sent.length < results.size();
        if (sent.length == 0) {
            return Uni.createFrom().item(new Round(0, failed));
        }
        return connection.preparedQuery(MARK_SENT).execute(Tuple.tuple().addArrayOfLong(sent))
                .replaceWith(new Round(sent.length, failed));
    }

    private record Round(int published, boolean failed) {
    }
}
