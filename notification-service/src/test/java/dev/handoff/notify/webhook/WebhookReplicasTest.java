package dev.handoff.notify.webhook;

import static dev.handoff.notify.support.TestEvents.publish;
import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static dev.handoff.notify.webhook.WebhookApi.register;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.events.RunStatus;
import dev.handoff.events.RunStatusChanged;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two delivery workers on one database, as two replicas have: every event reaches the receiver once (no attempt is
 * made by both), and each run's events in order.
 */
@QuarkusTest
class WebhookReplicasTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Vertx vertx;
    @Inject
    WebhookStore store;
    @Inject
    SecretCipher cipher;
    @Inject
    AddressGuard guard;
    @Inject
    WebhookConfig config;
    @Inject
    WebhookMetrics metrics;

    @Test
    void withTwoReplicasEachDeliveryIsMadeOnceAndEachRunInOrder() throws Exception {
        DeliveryWorker secondReplica = new DeliveryWorker(vertx, store, cipher, guard, config, metrics);
        secondReplica.start(null);
        String ws = workspace();
        try (FakeReceiver receiver = FakeReceiver.answering()) {
            register(ws, receiver.url(), null, null);
            List<UUID> runs = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
            RunStatus[] path = { RunStatus.PENDING, RunStatus.RUNNING, RunStatus.COMPLETED };
            List<RunStatusChanged> events = new ArrayList<>();
            for (int step = 0; step < path.length; step++) {
                for (UUID run : runs) {
                    events.add(statusChanged(ws, UUID.randomUUID(), run, step == 0 ? null : path[step - 1], path[step],
                            step + 1));
                }
                Thread.sleep(2);
            }
            events.forEach(e -> publish(e));

            await().atMost(Duration.ofSeconds(90)).until(() -> receiver.requests().size() >= events.size());
            Thread.sleep(1000); // a duplicate would arrive now
            List<FakeReceiver.Request> requests = receiver.requests();
            assertEquals(events.size(), requests.size(), "each event once");
            Set<String> deliveryIds = new HashSet<>();
            Map<String, List<String>> statusesByRun = new LinkedHashMap<>();
            for (FakeReceiver.Request request : requests) {
                deliveryIds.add(request.header("X-Handoff-Delivery"));
                JsonNode data = JSON.readTree(request.body()).get("data");
                statusesByRun.computeIfAbsent(data.get("runId").asText(), r -> new ArrayList<>())
                        .add(data.get("status").asText());
            }
            assertEquals(events.size(), deliveryIds.size());
            for (UUID run : runs) {
                assertEquals(List.of("PENDING", "RUNNING", "COMPLETED"), statusesByRun.get(run.toString()), "run " + run);
            }
        } finally {
            secondReplica.stop(null);
        }
    }
}
