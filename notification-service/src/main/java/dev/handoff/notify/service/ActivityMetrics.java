package dev.handoff.notify.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code handoff_activity_entries_total}: the activity entries stored (each entry once, duplicates not counted). */
@Startup // so that the series shows (at 0) before the first batch
@ApplicationScoped
public class ActivityMetrics {

    private final Counter entries;

    public ActivityMetrics(MeterRegistry registry) {
        entries = Counter.builder("handoff.activity.entries")
                .description("Run activity entries stored (redelivered and overlapping entries counted once)")
                .register(registry);
    }

    public void stored(int count) {
        if (count > 0) {
            entries.increment(count);
        }
    }
}
