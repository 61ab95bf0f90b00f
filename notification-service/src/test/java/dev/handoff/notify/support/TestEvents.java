package dev.handoff.notify.support;

import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.KafkaProbe;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.LongStream;

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

    /** A batch of the gateway's: entries {@code firstSeq .. firstSeq + count - 1}, log lines that name their seq. */
    public static RunActivity activity(String workspace, UUID taskId, UUID runId, long firstSeq, int count) {
        Instant now = Instant.now();
        return new RunActivity(UUID.randomUUID(), now, workspace, runId, taskId, "local",
                LongStream.range(firstSeq, firstSeq + count)
                        .mapToObj(seq -> new RunActivity.Entry(seq, now, seq == 1 ? "step" : "log", "line " + seq))
                        .toList());
    }

    public static String topicOf(HandoffEvent event) {
        if (event instanceof RunActivity) {
            return Topics.RUN_ACTIVITY;
        }
        return event instanceof PullRequestOpened ? Topics.PULL_REQUEST_OPENED : Topics.RUN_STATUS_CHANGED;
    }

    /** Publishes and waits for the broker's acknowledgement; key = run id, headers event-type and event-id. */
    public static void publish(HandoffEvent event) {
        KafkaProbe.publish(topicOf(event), event);
    }

    private TestEvents() {
    }
}
