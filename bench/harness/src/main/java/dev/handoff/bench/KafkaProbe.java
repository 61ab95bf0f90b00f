package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A passive listener on the product's topics (a consumer group of its own, from the end): notes when each run's
 * records crossed the topics of the status path, to show where it spends its time: COMPLETED on
 * {@code handoff.provider-run-updated} (the gateway's outbox relay published it), then RUNNING, the pull request and
 * COMPLETED from the run service ({@code handoff.run-status-changed}, {@code handoff.pull-request-opened}).
 */
final class KafkaProbe implements AutoCloseable {

    static final String PROVIDER_RUN_UPDATED = "handoff.provider-run-updated";
    static final String RUN_STATUS_CHANGED = "handoff.run-status-changed";
    static final String PULL_REQUEST_OPENED = "handoff.pull-request-opened";

    /** The points the probe times, in the order the path passes them. */
    static final List<String> POINTS = List.of(
            PROVIDER_RUN_UPDATED + " COMPLETED",
            RUN_STATUS_CHANGED + " RUNNING",
            PULL_REQUEST_OPENED,
            RUN_STATUS_CHANGED + " COMPLETED");

    /** A run's first event (PENDING), published by the run service's outbox relay when the run was created. */
    static final String CREATED = RUN_STATUS_CHANGED + " PENDING";

    private final Map<String, Map<String, Long>> seen = new ConcurrentHashMap<>();
    private final Thread thread;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean stopped;

    KafkaProbe(String bootstrap) {
        thread = new Thread(() -> run(bootstrap), "kafka-probe");
        thread.setDaemon(true);
        POINTS.forEach(point -> seen.put(point, new ConcurrentHashMap<>()));
        seen.put(CREATED, new ConcurrentHashMap<>());
    }

    KafkaProbe start() {
        thread.start();
        try {
            if (!assigned.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the Kafka probe got no partitions within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    /** When (System.nanoTime) the run's record passed that point, or null. */
    Long seen(String point, String runId) {
        return seen.get(point).get(runId);
    }

    private void run(String bootstrap) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-probe-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(PROVIDER_RUN_UPDATED, RUN_STATUS_CHANGED, PULL_REQUEST_OPENED));
            while (!stopped) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                if (assigned.getCount() > 0 && consumer.assignment().size() >= 18) {
                    assigned.countDown();
                }
                for (ConsumerRecord<String, String> record : records) {
                    try {
                        JsonNode event = Http.JSON.readTree(record.value());
                        String point = record.topic().equals(PULL_REQUEST_OPENED) ? PULL_REQUEST_OPENED
                                : record.topic() + " " + event.path("status").asText();
                        Map<String, Long> times = seen.get(point);
                        if (times != null) {
                            times.putIfAbsent(event.path("runId").asText(), now);
                        }
                    } catch (Exception ignored) {
                        // not JSON: not one of the events we time
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // stopping
        }
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
