package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.e2e.chaos.RawHttp;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.KafkaProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A canary Cursor API key, configured and used by real runs (launch, polling, stop), and a second one Cursor refuses:
 * neither, nor the Basic credentials made of them, nor any run's webhook secret, appears in the four services' logs,
 * in a pg_dump of any service database, or in any record of any Kafka topic. Runs last, so that it reads what every
 * e2e class left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(100)
class SecretHygieneTest {

    private final String canary = "key_canary_" + UUID.randomUUID().toString().replace("-", "");
    private final String refusedCanary = "key_refused_canary_" + UUID.randomUUID().toString().replace("-", "");
    private E2eStack e2e;
    private final Map<String, String> needles = new LinkedHashMap<>();

    @BeforeAll
    void configureTheCanaryAndUseItInRuns() {
        e2e = E2eStack.get();
        FakeCursorApi cursor = e2e.cursor();
        cursor.acceptKey(canary);
        Api api = new Api(e2e, e2e.jwt().admin(E2eStack.newWorkspace("secrets")));

        RawHttp.Answer refused = api.send("PUT", e2e.gateway("/api/agent-config"),
                Map.of("provider", "cursor", "apiKey", refusedCanary, "enabled", true));
        assertEquals(422, refused.status(), refused.brief());
        assertEquals("provider-rejected-key", refused.code());
        assertFalse(refused.body().contains(refusedCanary), "the refusal does not echo the key");

        JsonNode config = api.expect(200, api.send("PUT", e2e.gateway("/api/agent-config"),
                Map.of("provider", "cursor", "apiKey", canary, "enabled", true, "model", "canary-model")));
        assertEquals("..." + canary.substring(canary.length() - 4), config.get("keyHint").asText());
        assertFalse(config.toString().contains(canary));
        assertFalse(api.get(e2e.gateway("/api/agent-config")).body().contains(canary));

        String brief = api.newBrief();
        Map<String, Object> launch = Map.of("repositoryUrl", "https://github.com/acme/greeter.git", "branch", "main");
        String finished = api.launch(api.newTask(brief, "Canary run that finishes"), launch).get("id").asText();
        String stopped = api.launch(api.newTask(brief, "Canary run that is cancelled"), launch).get("id").asText();
        FakeCursorApi.Agent finishing = agentOf(api, finished);
        FakeCursorApi.Agent stopping = agentOf(api, stopped);
        cursor.setStatus(finishing.id, "RUNNING", null, null);
        cursor.setStatus(stopping.id, "RUNNING", null, null);
        api.awaitStatus(finished, "RUNNING", Duration.ofSeconds(30));
        api.awaitStatus(stopped, "RUNNING", Duration.ofSeconds(30));
        cursor.setStatus(finishing.id, "FINISHED", "https://github.com/acme/greeter/pull/99", "Done");
        int delivered = cursor.deliver(cursor.webhookOf(finishing.id));
        assertTrue(delivered >= 200 && delivered < 300, "webhook answered " + delivered);
        api.awaitStatus(finished, "COMPLETED", Duration.ofSeconds(30));
        api.expect(200, api.send("POST", e2e.runs("/api/runs/" + stopped + "/cancel"), null));
        await().atMost(Duration.ofSeconds(30)).until(stopping::stopped);

        String basic = "Basic " + Base64.getEncoder().encodeToString((canary + ":").getBytes(StandardCharsets.UTF_8));
        List<String> used = cursor.received().stream().filter(r -> basic.equals(r.authorization()))
                .map(r -> r.method() + " " + r.path().replaceAll("bc_\\w+", "{id}")).distinct().toList();
        assertTrue(used.containsAll(List.of("GET /v0/me", "POST /v0/agents", "GET /v0/agents/{id}", "POST /v0/agents/{id}/stop")),
                "the canary key was really used with Cursor: " + used);

        needles.put("the canary API key", canary);
        needles.put("the refused canary API key", refusedCanary);
        needles.put("the canary's Basic credentials", basic.substring("Basic ".length()));
        needles.put("the refused canary's Basic credentials",
                Base64.getEncoder().encodeToString((refusedCanary + ":").getBytes(StandardCharsets.UTF_8)));
        needles.put("the canary in Base64", Base64.getEncoder().encodeToString(canary.getBytes(StandardCharsets.UTF_8)));
        needles.put("the default e2e Cursor key", E2eStack.CURSOR_KEY);
        for (FakeCursorApi.Agent agent : cursor.agents()) {
            if (agent.webhookSecret != null) {
                needles.put("the webhook secret of " + agent.id, agent.webhookSecret);
            }
        }
    }

    private FakeCursorApi.Agent agentOf(Api api, String runId) {
        String branch = api.run(runId).get("targetBranch").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> e2e.cursor().agentForBranch(branch).isPresent());
        return e2e.cursor().agentForBranch(branch).orElseThrow();
    }

    @Test
    @Order(1)
    void theCanaryIsInNoServiceLog() throws IOException {
        // the four services' logs, and the web console's when it was built (it forwards every request of the browser)
        assertEquals(List.of(), Leaks.inServiceLogs(e2e, needles));
    }

    @Test
    @Order(2)
    void theCanaryIsInNoDatabaseDump() throws Exception {
        assertEquals(List.of(), Leaks.inDatabaseDumps(e2e, needles));
    }

    @Test
    @Order(3)
    void theCanaryIsInNoKafkaRecord() {
        List<String> found = new ArrayList<>();
        Map<String, Long> perTopic = new LinkedHashMap<>();
        // every topic from the beginning, within 2 minutes
        for (ConsumerRecord<byte[], byte[]> record : KafkaProbe.readAll("127.0.0.1:19192", Duration.ofSeconds(120))) {
            perTopic.merge(record.topic(), 1L, Long::sum);
            StringBuilder text = new StringBuilder();
            text.append(record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8)).append('\n');
            text.append(record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8)).append('\n');
            for (Header header : record.headers()) {
                text.append(header.key()).append('=')
                        .append(header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8)).append('\n');
            }
            found.addAll(Leaks.search(needles, record.topic() + "@" + record.partition() + ":" + record.offset(), text.toString()));
        }
        System.out.println("[secret hygiene] Kafka records read per topic: " + perTopic);
        assertTrue(perTopic.getOrDefault("handoff.run-requested", 0L) > 0, "the run requests were read: " + perTopic);
        assertEquals(List.of(), found);
    }
}
