package dev.handoff.notify.webhook;

import static dev.handoff.notify.support.TestEvents.publish;
import static dev.handoff.notify.support.TestEvents.statusChanged;
import static dev.handoff.notify.support.TestEvents.workspace;
import static dev.handoff.notify.webhook.WebhookApi.create;
import static dev.handoff.notify.webhook.WebhookApi.deliveries;
import static dev.handoff.notify.webhook.WebhookApi.metric;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunStatus;
import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Without HANDOFF_WEBHOOK_ALLOW_PRIVATE, receivers in our own network are refused, at creation and at delivery. */
@QuarkusTest
@TestProfile(WebhookPrivateUrlTest.PrivateUrlsRefused.class)
class WebhookPrivateUrlTest {

    public static class PrivateUrlsRefused implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.webhooks.allow-private", "false",
                    "handoff.webhooks.retry.give-up-after", "2s");
        }
    }

    @Test
    void privateLoopbackAndLinkLocalUrlsAreRefusedAtCreation() {
        String ws = workspace();
        for (String url : List.of("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook",
                "https://10.1.2.3/hook", "http://172.16.0.1/hook", "http://192.168.1.10/hook",
                "http://169.254.169.254/latest/meta-data", "http://[fe80::1]/hook", "http://[fd00::1]/hook",
                "http://0.0.0.0/hook", "http://224.0.0.1/hook", "http://[::ffff:127.0.0.1]/hook", "http://2130706433/")) {
            create(ws, Map.of("url", url)).then().statusCode(400)
                    .body("code", equalTo("validation-failed"))
                    .body("violations.field", hasItem("url"));
        }
        create(ws, Map.of("url", "http://127.0.0.1/hook")).then()
                .body("detail", containsString("HANDOFF_WEBHOOK_ALLOW_PRIVATE"));
    }

    @Test
    void aPublicAddressIsNotRefused() throws Exception {
        assertTrue(AddressGuard.isPublic(InetAddress.getByName("93.184.215.14")));
        assertTrue(AddressGuard.isPublic(InetAddress.getByName("2606:2800:21f:cb07:6820:80da:af6b:8b2c")));
        assertTrue(!AddressGuard.isPublic(InetAddress.getByName("100.64.0.1")));
        assertTrue(!AddressGuard.isPublic(InetAddress.getByName("64:ff9b::a00:1")));
        create(workspace(), Map.of("url", "https://93.184.215.14/hook")).then().statusCode(201);
    }

    /** A name that resolved to a public address when the webhook was created and to loopback now (DNS rebinding). */
    @Test
    void aDeliveryToAnAddressThatTurnedPrivateIsRefusedRecordedAndFinallyFailed() throws Exception {
        String ws = workspace();
        double failedBefore = metric("handoff_webhook_deliveries_total", "result=\"failed\"");
        try (FakeReceiver receiver = FakeReceiver.answering()) {
            UUID id = UUID.randomUUID();
            // as if it had passed the check at creation: stored directly
            try (Connection db = HandoffTestResource.database().connect();
                    PreparedStatement insert = db.prepareStatement("insert into webhook (id, workspace_id, url, events,"
                            + " format, secret) values (?, ?, ?, array['run.status-changed'], 'handoff', ?)")) {
                insert.setObject(1, id);
                insert.setString(2, ws);
                insert.setString(3, receiver.url());
                insert.setBytes(4, "s3cret-s3cret-s3cret-s3cret-s3cret".getBytes(StandardCharsets.UTF_8));
                insert.executeUpdate();
            }
            publish(statusChanged(ws, UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1));

            // the first event after this profile's restart waits for the consumer group to settle: allow for it
            await().atMost(Duration.ofSeconds(120)).until(() -> "failed".equals(
                    deliveries(ws, id).then().extract().jsonPath().getString("[0].status")));
            deliveries(ws, id).then().statusCode(200)
                    .body("[0].lastError", containsString("loopback, private or link-local"))
                    .body("[0].lastStatusCode", equalTo(null));
            assertEquals(0, receiver.requests().size(), "never connected");
        }
        assertTrue(metric("handoff_webhook_deliveries_total", "result=\"failed\"") >= failedBefore + 1);
    }
}
