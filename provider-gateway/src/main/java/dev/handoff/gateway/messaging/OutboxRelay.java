package dev.handoff.gateway.messaging;

import dev.handoff.events.Topics;
import dev.handoff.gateway.repository.OutboxRepository;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Sends what the outbox holds to Kafka, in order, then marks it sent. Runs right after each change ({@link #kick()})
 * and on a timer, which also covers events left behind by a crash between commit and send.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final int BATCH = 100;

    private final Pool pool;
    private final OutboxRepository outbox;
    private final MutinyEmitter<String> updates;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public OutboxRelay(Pool pool, OutboxRepository outbox, @Channel("provider-run-updated") MutinyEmitter<String> updates) {
        this.pool = pool;
        this.outbox = outbox;
        this.updates = updates;
    }

    /** Sends what is pending now, without waiting; a relay already at work goes round once more. */
    public void kick() {
        drain().subscribe().with(nothing -> { }, failure -> Log.warnf("outbox relay: %s (will retry)", failure.toString()));
    }

    @Scheduled(every = "${handoff.outbox.interval:1s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onTimer() {
        return drain().onFailure().recoverWithItem(failure -> {
            Log.warnf("outbox relay: %s (will retry)", failure.toString());
            return null;
        });
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> purge() {
        return pool.withConnection(db -> outbox.purgeSentBefore(db, Duration.ofDays(7))).replaceWithVoid();
    }

    /**
     * Batches until the outbox is empty, and again while kicks arrived meanwhile. Loops, not recursions: a long
     * backlog must not nest one operator per batch (that overflows the stack when the last one completes).
     */
    private Uni<Void> drain() {
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        return Multi.createBy().repeating().uni(() -> {
                    again.set(false);
                    return sendBatches().replaceWith(true);
                })
                .whilst(ignored -> again.get())
                .collect().last()
                .replaceWithVoid()
                .eventually(() -> running.set(false))
                // a kick between the last check and the release above: go round again, as a new subscription
                .invoke(() -> {
                    if (again.get()) {
                        kick();
                    }
                });
    }

    private Uni<Void> sendBatches() {
        return Multi.createBy().repeating().uni(this::sendBatch)
                .whilst(sent -> sent == BATCH)
                .collect().last()
                .replaceWithVoid();
    }

    private Uni<Integer> sendBatch() {
        return pool.withTransaction(db -> outbox.lockBatch(db, BATCH)
                .chain(batch -> batch.isEmpty()
                        ? Uni.createFrom().item(0)
                        : send(batch).chain(() -> outbox.markSent(db, batch.stream().map(OutboxRepository.Pending::id).toList()))
                                .replaceWith(batch.size())));
    }

    /**
     * Hands the whole batch to the producer in outbox order (so a run's events keep their order on its partition)
     * and completes when the broker acknowledged every one of them.
     */
    private Uni<Void> send(List<OutboxRepository.Pending> batch) {
        return Multi.createFrom().iterable(batch)
                .onItem().transformToUni(this::send).merge(batch.size())
                .collect().last()
                .replaceWithVoid();
    }

    private Uni<Void> send(OutboxRepository.Pending event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_EVENT_TYPE, event.eventType().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_EVENT_ID, event.eventId().toString().getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(event.topic())
                .withKey(event.key())
                .withHeaders(headers)
                .build();
        return updates.sendMessage(Message.of(event.payload()).addMetadata(metadata));
    }
}
