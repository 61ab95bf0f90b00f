package dev.handoff.notify.support;

import dev.handoff.events.EventJson;
import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Run events as the run service publishes them, sent to the real broker through one long-lived producer. */
public final class TestEvents {

    private static KafkaProducer<String, String> producer;

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
        ProducerRecord<String, String> record = new ProducerRecord<>(topicOf(event), event.runId().toString(),
                EventJson.toJson(event));
        record.headers().add(Topics.HEADER_EVENT_TYPE, event.eventType().getBytes(StandardCharsets.UTF_8));
        record.headers().add(Topics.HEADER_EVENT_ID, event.eventId().toString().getBytes(StandardCharsets.UTF_8));
        try {
            producer().send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + event.eventType(), e);
        }
    }

    private static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            producer = new KafkaProducer<>(props);
            Runtime.getRuntime().addShutdownHook(new Thread(producer::close));
        }
        return producer;
    }

    private TestEvents() {
    }
}
