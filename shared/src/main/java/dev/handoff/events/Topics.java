package dev.handoff.events;

import java.util.List;

/** The Kafka topics of the contract; every message is keyed by run id. */
public final class Topics {

    public static final String RUN_REQUESTED = "handoff.run-requested";
    public static final String RUN_CANCEL_REQUESTED = "handoff.run-cancel-requested";
    public static final String PROVIDER_RUN_UPDATED = "handoff.provider-run-updated";
    public static final String RUN_STATUS_CHANGED = "handoff.run-status-changed";
    public static final String PULL_REQUEST_OPENED = "handoff.pull-request-opened";
    public static final String RUN_ACTIVITY = "handoff.run-activity";

    public static final String DLQ_SUFFIX = ".dlq";

    /** Header names carried by every event message. */
    public static final String HEADER_EVENT_TYPE = "event-type";
    public static final String HEADER_EVENT_ID = "event-id";

    public static final List<String> ALL = List.of(
            RUN_REQUESTED, RUN_CANCEL_REQUESTED, PROVIDER_RUN_UPDATED, RUN_STATUS_CHANGED, PULL_REQUEST_OPENED,
            RUN_ACTIVITY);

    public static List<String> allWithDeadLetters() {
        return ALL.stream().flatMap(t -> java.util.stream.Stream.of(t, t + DLQ_SUFFIX)).toList();
    }

    private Topics() {
    }
}
