package dev.handoff.testsupport;

import dev.handoff.events.EventJson;
import dev.handoff.events.HandoffEvent;
import dev.handoff.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes to and reads from a real broker, as another team's producer or consumer would. The short forms use the
 * tests' broker ({@link KafkaBroker}); the forms that take a bootstrap address serve the end-to-end tests and the bench,
 * whose stacks run a broker of their own.
 */
public final class KafkaProbe {

    private static final Map<String, KafkaProducer<String, String>> PRODUCERS = new ConcurrentHashMap<>();

    /** Publishes an event as the services do (key = run id, headers event-type and event-id) and waits for the ack. */
    public static void publish(String topic, HandoffEvent event) {
        publishRaw(topic, event.runId().toString(), EventJson.toJson(event), event.eventType(), event.eventId().toString());
    }

    public static void publishRaw(String topic, String key, String json, String eventType, String eventId) {
        publishRaw(KafkaBroker.bootstrapServers(), topic, key, json, eventType, eventId);
    }

    /** Publishes any bytes (null headers are left out) through one long-lived producer per broker. */
    public static void publishRaw(String bootstrap, String topic, String key, String json, String eventType, String eventId) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, json);
        if (eventType != null) {
            record.headers().add(Topics.HEADER_EVENT_TYPE, eventType.getBytes(StandardCharsets.UTF_8));
        }
        if (eventId != null) {
            record.headers().add(Topics.HEADER_EVENT_ID, eventId.getBytes(StandardCharsets.UTF_8));
        }
        try {
            producer(bootstrap).send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + topic, e);
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return PRODUCERS.computeIfAbsent(bootstrap, servers -> {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            KafkaProducer<String, String> producer = new KafkaProducer<>(props);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> producer.close(Duration.ofSeconds(5))));
            return producer;
        });
    }

    /**
     * Reads the topic from the beginning until {@code count} records match, or the timeout passes; returns the
     * matching records in partition order (a run's records share a partition, so they are in order).
     */
    public static List<ConsumerRecord<String, String>> await(String topic, Predicate<ConsumerRecord<String, String>> match,
            int count, Duration timeout) {
        Properties props = consumerProperties(KafkaBroker.bootstrapServers(), "earliest");
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (found.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(record)) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    /** Shorthand: records of one run on a topic. */
    public static Predicate<ConsumerRecord<String, String>> ofRun(UUID runId) {
        return record -> runId.toString().equals(record.key());
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Every record of every topic of the broker (internal ones included), from the beginning up to the end offsets
     * seen when the read started; fails when that takes longer than {@code timeout}.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, Duration timeout) {
        Properties props = consumerProperties(bootstrap, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.EXCLUDE_INTERNAL_TOPICS_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (List<PartitionInfo> topic : consumer.listTopics(Duration.ofSeconds(30)).values()) {
                topic.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read every topic of " + bootstrap + " within " + timeout);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * A passive listener from the end of {@code topics} (a consumer group of its own) that hands every record to
     * {@code listener} with the moment (System.nanoTime) its poll returned; {@link Tail#start()} returns once every
     * partition of the topics is assigned, so nothing published afterwards is missed.
     */
    public static Tail tail(String bootstrap, Collection<String> topics, Tail.Listener listener) {
        return new Tail(bootstrap, List.copyOf(topics), listener);
    }

    /** See {@link #tail}. */
    public static final class Tail implements AutoCloseable {

        /** Receives each record on the tail's own thread. */
        public interface Listener {
            void onRecord(ConsumerRecord<String, String> record, long polledNanos);
        }

        private final Thread thread;
        private final CountDownLatch assigned = new CountDownLatch(1);
        private volatile boolean stopped;

        private Tail(String bootstrap, List<String> topics, Listener listener) {
            thread = new Thread(() -> run(bootstrap, topics, listener), "kafka-probe-tail");
            thread.setDaemon(true);
        }

        public Tail start() {
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

        private void run(String bootstrap, List<String> topics, Listener listener) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties(bootstrap, "latest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(topics);
                int partitions = 0;
                for (String topic : topics) {
                    partitions += consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
                }
                while (!stopped) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    long now = System.nanoTime();
                    if (assigned.getCount() > 0 && consumer.assignment().size() >= partitions) {
                        assigned.countDown();
                    }
                    for (ConsumerRecord<String, String> record : records) {
                        listener.onRecord(record, now);
                    }
                }
            } catch (InterruptException e) {
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

    private static Properties consumerProperties(String bootstrap, String reset) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    private KafkaProbe() {
    }
}
