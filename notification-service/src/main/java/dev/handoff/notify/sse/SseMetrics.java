package dev.handoff.notify.sse;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code handoff_sse_connections}: the SSE streams open on this replica. */
@Startup
@ApplicationScoped
public class SseMetrics {

    private final SseConnections connections;

    public SseMetrics(MeterRegistry registry, SseConnections connections) {
        this.connections = connections;
        Gauge.builder("handoff.sse.connections", this, m -> m.connections.size())
                .description("Open SSE streams on this replica").register(registry);
    }
}
