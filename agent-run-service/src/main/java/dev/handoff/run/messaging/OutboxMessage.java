package dev.handoff.run.messaging;

import dev.handoff.outbox.TraceContext;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * An event waiting to be published, written in the transaction of the state change it reports. The identity
 * {@code id} orders a run's events: the relay publishes them in that order.
 */
@Entity
@Table(name = "outbox")
public class OutboxMessage {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(name = "event_id", nullable = false)
    private UUID eventId;
    @Column(name = "run_id", nullable = false)
    private UUID runId;
    @Column(nullable = false)
    private String topic;
    @Column(name = "event_type", nullable = false)
    private String eventType;
    @Column(nullable = false)
    private String payload;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;
    @Column(name = "sent_at")
    private Instant sentAt;
    /** The trace of the change that wrote the event, in which the relay publishes it (may be null). */
    @Column(name = "traceparent")
    private String traceparent;
    @Column(name = "tracestate")
    private String tracestate;

    protected OutboxMessage() {
    }

    OutboxMessage(UUID eventId, UUID runId, String topic, String eventType, String payload, Instant createdAt,
            TraceContext trace) {
        this.traceparent = trace.traceparent();
        this.tracestate = trace.tracestate();
        this.eventId = eventId;
        this.runId = runId;
        this.topic = topic;
        this.eventType = eventType;
        this.payload = payload;
        this.createdAt = createdAt;
    }

    public Long id() {
        return id;
    }
}
