package dev.handoff.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The floor of the status-to-browser path: three plain Kafka produce->consume hops on the bench's broker. A producer
 * writes to hop 1; a relay consumes hop 1 and produces the same record to hop 2, another relays 2 -> 3, and the last
 * consumer takes the time. kafka-clients defaults (acks=all, idempotence, linger.ms=5 in 4.x), topics of 6
 * partitions like the contract's, records keyed by a fresh UUID (like a run id) with a 600-byte value (about a
 * RunStatusChanged). Open loop, at the same rate as the status updates; latency from the moment a record was due.
 */
final class KafkaHops implements AutoCloseable {

    private static final int HOPS = 3;
    private static final int VALUE_BYTES = 600;

    private final String bootstrap;
    private final String prefix = "bench.floor." + UUID.randomUUID().toString().substring(0, 8) + ".hop";
    private final List<Thread> relays = new ArrayList<>();
    private volatile boolean stopped;
    private volatile Samples current;
    private volatile CountDownLatch remaining;
    private KafkaProducer<String, byte[]> source;

    KafkaHops(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Creates the topics and starts the relays and the last consumer; answers when all are assigned their partitions. */
    KafkaHops start() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            for (int hop = 1; hop <= HOPS; hop++) {
                topics.add(new NewTopic(prefix + hop, 6, (short) 1));
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the floor topics", e);
        }
        CountDownLatch assigned = new CountDownLatch(HOPS);
        for (int hop = 1; hop <= HOPS; hop++) {
            int from = hop;
            Thread thread = new Thread(() -> relay(from, assigned), "kafka-hop-" + hop);
            thread.setDaemon(true);
            thread.start();
            relays.add(thread);
        }
        source = producer();
        source.partitionsFor(prefix + 1); // the topic's metadata, once: the records of the rounds find a warm producer
        try {
            if (!assigned.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the floor consumers got no partitions within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    private void relay(int hop, CountDownLatch assigned) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + hop + ".group");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<String, byte[]> producer = hop < HOPS ? producer() : null) {
            consumer.subscribe(List.of(prefix + hop));
            boolean counted = false;
            while (!stopped) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (!counted && consumer.assignment().size() == 6) {
                    counted = true;
                    assigned.countDown();
                }
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (producer != null) {
                        producer.send(new ProducerRecord<>(prefix + (hop + 1), record.key(), record.value()));
                    } else {
                        arrived(record.value(), System.nanoTime());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // stopping
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private void arrived(byte[] value, long now) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        long round = buffer.getLong();
        int index = buffer.getInt();
        long due = buffer.getLong();
        Samples samples = current;
        if (samples != null && round == samples.hashCode() && index < samples.size() && !samples.has(index)) {
            samples.record(index, now - due);
            remaining.countDown();
        }
    }

    /** One open-loop round of {@code count} records at {@code perSecond}; waits up to {@code drain} for the last. */
    Samples round(String name, double perSecond, int count, Duration drain) {
        Samples samples = new Samples(name, count);
        current = samples;
        remaining = new CountDownLatch(count);
        KafkaProducer<String, byte[]> producer = source;
        try {
            long period = (long) (1e9 / perSecond);
            long start = System.nanoTime() + 20_000_000L;
            for (int i = 0; i < count; i++) {
                long due = start + i * period;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                ByteBuffer value = ByteBuffer.allocate(VALUE_BYTES);
                value.putLong(samples.hashCode()).putInt(i).putLong(due);
                int index = i;
                producer.send(new ProducerRecord<>(prefix + 1, UUID.randomUUID().toString(), value.array()), (meta, failure) -> {
                    if (failure != null) {
                        samples.fail(index, "produce: " + failure.getClass().getSimpleName());
                        remaining.countDown();
                    }
                });
            }
            remaining.await(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        samples.missing("not through the three hops within " + drain.toSeconds() + " s");
        current = null;
        return samples;
    }

    @Override
    public void close() {
        stopped = true;
        if (source != null) {
            source.close();
        }
        for (Thread relay : relays) {
            try {
                relay.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<String> names = new ArrayList<>();
            for (int hop = 1; hop <= HOPS; hop++) {
                names.add(prefix + hop);
            }
            admin.deleteTopics(names).all().get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the bench broker is thrown away with the bench stack anyway
        }
    }
}
