package dev.handoff.run.service;

import dev.handoff.run.Run;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The contract's run metrics, told by {@link RunService} once the change they count has committed (a replayed
 * launch, a redelivered update or a lost race counts nothing):
 * <ul>
 * <li>{@code handoff_runs_launched_total{provider}}: runs created (launches and retries);</li>
 * <li>{@code handoff_runs_finished_total{provider,status}}: runs that reached COMPLETED, FAILED or CANCELLED;</li>
 * <li>{@code handoff_run_duration_seconds{provider,status}}: a histogram of the time from the launch
 * ({@code createdAt}) to the final status ({@code finishedAt}), what the user waited, queueing included; a run
 * cancelled before it started has no start.</li>
 * </ul>
 */
@ApplicationScoped
public class RunMetrics {

    /** Buckets from seconds (a refused local run) to hours (a long agent run); beyond 4 h is +Inf. */
    private static final Duration[] BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofHours(1),
            Duration.ofHours(2), Duration.ofHours(4)};

    private final MeterRegistry registry;

    public RunMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A launch committed; a replayed one (the same Idempotency-Key answered again) is not counted. */
    public void launched(RunService.Launched launched) {
        if (launched == null || launched.replayed()) {
            return;
        }
        Counter.builder("handoff.runs.launched")
                .description("Runs created (launches and retries)")
                .tag("provider", String.valueOf(launched.run().provider()))
                .register(registry)
                .increment();
    }

    /** A change that finished the run committed. */
    public void finished(Run run) {
        if (run == null || !run.status().isFinal()) {
            return;
        }
        String provider = String.valueOf(run.provider());
        String status = run.status().name();
        Counter.builder("handoff.runs.finished")
                .description("Runs that reached a final status")
                .tag("provider", provider)
                .tag("status", status)
                .register(registry)
                .increment();
        if (run.createdAt() != null && run.finishedAt() != null) {
            Timer.builder("handoff.run.duration")
                    .description("Time from a run's launch (createdAt) to its final status (finishedAt)")
                    .tag("provider", provider)
                    .tag("status", status)
                    .serviceLevelObjectives(BUCKETS)
                    .minimumExpectedValue(BUCKETS[0])
                    .maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
                    .register(registry)
                    .record(max(Duration.between(run.createdAt(), run.finishedAt()), Duration.ZERO));
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
