package dev.handoff.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code handoff_outbox_oldest_unsent_seconds}: how long the oldest event of this service's outbox has been waiting
 * to be published (0 when none waits). The relay looks the oldest unsent row up once per drain (so at least once per
 * sweep interval); a scrape only subtracts, so the age keeps growing between look-ups while the relay is stuck, and
 * scraping costs no query. One gauge per process (every relay of it shares the same table).
 */
final class OutboxLag {

    static final String METRIC = "handoff.outbox.oldest.unsent";

    /** The oldest unsent event's {@code created_at}, null when nothing waits. */
    private static final AtomicReference<Instant> OLDEST = new AtomicReference<>();

    static {
        Gauge.builder(METRIC, OLDEST, OutboxLag::ageSeconds)
                .description("Age of the oldest outbox event not yet published to Kafka (0 when none waits)")
                .baseUnit("seconds")
                .strongReference(true)
                .register(Metrics.globalRegistry);
    }

    /** Registers the gauge (once per process) before the first measurement, so that it is scraped from the start. */
    static void register() {
        // the static initializer does it
    }

    static void oldestUnsent(Instant createdAt) {
        OLDEST.set(createdAt);
    }

    static double ageSeconds(AtomicReference<Instant> oldest) {
        Instant at = oldest.get();
        return at == null ? 0 : Math.max(0, (System.currentTimeMillis() - at.toEpochMilli()) / 1000.0);
    }

    private OutboxLag() {
    }
}
