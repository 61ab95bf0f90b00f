package dev.handoff.notify;

import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunStatusChanged;
import java.util.Arrays;

/** The events a frontend is told about: the Kafka {@code event-type} and the SSE {@code event:} name of each. */
public enum RunEventType {

    STATUS_CHANGED("RunStatusChanged", "run.status-changed"),
    PULL_REQUEST_OPENED("PullRequestOpened", "run.pull-request-opened"),
    /** A batch of what happens inside a run; streamed, never sent to webhooks (see V50__webhooks.sql). */
    ACTIVITY("RunActivity", "run.activity");

    private final String kafkaType;
    private final String sseName;

    RunEventType(String kafkaType, String sseName) {
        this.kafkaType = kafkaType;
        this.sseName = sseName;
    }

    public String kafkaType() {
        return kafkaType;
    }

    public String sseName() {
        return sseName;
    }

    public static RunEventType of(HandoffEvent event) {
        if (event instanceof RunStatusChanged) {
            return STATUS_CHANGED;
        }
        if (event instanceof PullRequestOpened) {
            return PULL_REQUEST_OPENED;
        }
        if (event instanceof RunActivity) {
            return ACTIVITY;
        }
        throw new IllegalArgumentException("not a run event for frontends: " + event.eventType());
    }

    public static RunEventType ofKafkaType(String kafkaType) {
        return Arrays.stream(values()).filter(t -> t.kafkaType.equals(kafkaType)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown stored event type " + kafkaType));
    }
}
