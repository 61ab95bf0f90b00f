package dev.handoff.notify.support;

import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.KafkaProbe;
import java.time.Instant;
import java.util.UUID;

/** Run events as the run service publishes them, sent to the real broker ({@link KafkaProbe}). */
public final class TestEvents {

    public static String workspace() {
        return "ws-" + UUID.randomUUID().toString().substring(0, 12);
    }

    public static RunStatusChanged statusChanged(String workspace, UUID taskId, UUID runId, RunStatus from, RunStatus to,
            long version) {
        return new RunStatusChanged(UUID.randomUUID(), Instant.now(), workspace, runId, taskId, from, to, version,
                "moved to " + to, null);
    }

    public static PullRequestOpened pullRequestOpened(String workspace, UUID taskId, UUID runId) {
        return new PullRequestOpened(UUID.randomUUID(), Instant.now(), workspace, runId, taskId,
                "https://github.com/acme/shop/pull/" + (1 + (runId.hashCode() & 0xfff)), "handoff/" + runId, "Do it");
    }

    public static String topicOf(HandoffEvent event) {
        return event instanceof PullRequestOpened ? Topics.PULL_REQUEST_OPENED : Topics.RUN_STATUS_CHANGED;
    }

    /** Publishes and waits for the broker's acknowledgement; key = run id, headers event-type and event-id. */
    public static void publish(HandoffEvent event) {
        KafkaProbe.publish(topicOf(event), event);
    }

    private TestEvents() {
    }
}
