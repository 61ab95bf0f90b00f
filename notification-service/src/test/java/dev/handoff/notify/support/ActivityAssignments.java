package dev.handoff.notify.support;

import static org.awaitility.Awaitility.await;

import dev.handoff.events.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The tests' activity consumer has a group of its own that starts at the end of the shared topic (see the test
 * configuration); this tells a test when it is assigned and positioned, so that nothing it publishes afterwards is
 * missed. (As provider-gateway's TestAssignments does for its channels.)
 */
@ApplicationScoped
@Identifier("activity-assignments")
public class ActivityAssignments implements KafkaConsumerRebalanceListener {

    private static final AtomicBoolean ASSIGNED = new AtomicBoolean();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(consumer::position); // resolves "latest" now, before a test publishes
        if (partitions.stream().anyMatch(p -> p.topic().equals(Topics.RUN_ACTIVITY))) {
            ASSIGNED.set(true);
        }
    }

    public static void awaitConsumerReady() {
        await().atMost(Duration.ofSeconds(60)).untilTrue(ASSIGNED);
    }
}
