package dev.handoff.gateway;

import static org.awaitility.Awaitility.await;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The tests' consumers start at the end of the shared topics (the broker is shared by every module's tests); this
 * tells a test when they are assigned and positioned, so that nothing it publishes afterwards is missed.
 */
@ApplicationScoped
@Identifier("test-assignments")
public class TestAssignments implements KafkaConsumerRebalanceListener {

    private static final Set<String> ASSIGNED = ConcurrentHashMap.newKeySet();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(consumer::position); // resolves "latest" now, before a test publishes
        partitions.forEach(partition -> ASSIGNED.add(partition.topic()));
    }

    public static void awaitConsumersReady() {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> ASSIGNED.containsAll(Set.of("handoff.run-requested", "handoff.run-cancel-requested")));
    }
}
