package dev.handoff.gateway.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.handoff.events.Topics;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A message the gateway cannot read goes to the topic's dead-letter topic and does not block the ones after it. */
@QuarkusTest
class DeadLetterTest {

    @Test
    void unreadableRequestsGoToTheDeadLetterTopics() {
        TestAssignments.awaitConsumersReady();
        String launchKey = "broken-" + UUID.randomUUID();
        String cancelKey = "broken-" + UUID.randomUUID();
        KafkaProbe.publishRaw(Topics.RUN_REQUESTED, launchKey, "{not json", "RunRequested", UUID.randomUUID().toString());
        KafkaProbe.publishRaw(Topics.RUN_CANCEL_REQUESTED, cancelKey, "[1, 2", "RunCancelRequested", UUID.randomUUID().toString());

        assertEquals(1, KafkaProbe.await(Topics.RUN_REQUESTED + Topics.DLQ_SUFFIX, record -> launchKey.equals(record.key()), 1,
                Duration.ofSeconds(60)).size());
        assertEquals(1, KafkaProbe.await(Topics.RUN_CANCEL_REQUESTED + Topics.DLQ_SUFFIX, record -> cancelKey.equals(record.key()), 1,
                Duration.ofSeconds(60)).size());
    }
}
