package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.KafkaProbe;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the status path spends its time: a passive {@link KafkaProbe#tail} on the product's topics notes when each
 * run's records crossed them: COMPLETED on {@code handoff.provider-run-updated} (the gateway's outbox relay published
 * it), then RUNNING, the pull request and COMPLETED from the run service ({@code handoff.run-status-changed},
 * {@code handoff.pull-request-opened}).
 */
final class StageTimes implements AutoCloseable {

    /** The points timed, in the order the path passes them. */
    static final List<String> POINTS = List.of(
            Topics.PROVIDER_RUN_UPDATED + " COMPLETED",
            Topics.RUN_STATUS_CHANGED + " RUNNING",
            Topics.PULL_REQUEST_OPENED,
            Topics.RUN_STATUS_CHANGED + " COMPLETED");

    /** A run's first event (PENDING), published by the run service's outbox relay when the run was created. */
    static final String CREATED = Topics.RUN_STATUS_CHANGED + " PENDING";

    private final Map<String, Map<String, Long>> seen = new ConcurrentHashMap<>();
    private final KafkaProbe.Tail tail;

    StageTimes(String bootstrap) {
        POINTS.forEach(point -> seen.put(point, new ConcurrentHashMap<>()));
        seen.put(CREATED, new ConcurrentHashMap<>());
        tail = KafkaProbe.tail(bootstrap, List.of(Topics.PROVIDER_RUN_UPDATED, Topics.RUN_STATUS_CHANGED, Topics.PULL_REQUEST_OPENED),
                (record, polledNanos) -> {
                    try {
                        JsonNode event = Http.JSON.readTree(record.value());
                        String point = record.topic().equals(Topics.PULL_REQUEST_OPENED) ? Topics.PULL_REQUEST_OPENED
                                : record.topic() + " " + event.path("status").asText();
                        Map<String, Long> times = seen.get(point);
                        if (times != null) {
                            times.putIfAbsent(event.path("runId").asText(), polledNanos);
                        }
                    } catch (Exception ignored) {
                        // not JSON: not one of the events we time
                    }
                });
    }

    StageTimes start() {
        tail.start();
        return this;
    }

    /** When (System.nanoTime) the run's record passed that point, or null. */
    Long seen(String point, String runId) {
        return seen.get(point).get(runId);
    }

    @Override
    public void close() {
        tail.close();
    }
}
