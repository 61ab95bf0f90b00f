package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.testsupport.SseStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract's "Observability" on the real stack ({@link E2eStack}, whose services export their spans to an OTLP
 * receiver in this JVM): one trace id from the launch's POST, through RunRequested, the provider's updates and every
 * RunStatusChanged, to the SSE write; and the {@code handoff_*} metrics of {@code /q/metrics} moving as a run goes by.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TraceAndMetricsTest {

    private static final Set<String> SERVICES = Set.of("task-service", "agent-run-service", "provider-gateway",
            "notification-service");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private E2eStack e2e;
    private HandoffClient api;
    private HandoffClient.Ports ports;
    private String token;

    @BeforeAll
    void configureAWorkspaceForTheLocalAgent() {
        e2e = E2eStack.get();
        String workspace = E2eStack.newWorkspace("trace");
        ports = e2e.ports();
        token = e2e.jwt().admin(workspace);
        api = e2e.client(token);
        api.put(ports.gateway(), "/api/agent-config", Map.of("provider", "local", "enabled", true)).expect(200);
    }

    @Test
    void oneTraceLinksTheLaunchToEverySseEventAndTheRunMetricsMove() throws Exception {
        String before = metrics(ports.runs());
        double launchedBefore = sum(before, "handoff_runs_launched_total", Map.of("provider", "local"));
        double completedBefore = sum(before, "handoff_runs_finished_total",
                Map.of("provider", "local", "status", "COMPLETED"));
        double durationsBefore = sum(before, "handoff_run_duration_seconds_count",
                Map.of("provider", "local", "status", "COMPLETED"));

        String taskId = newTask("Add a --shout option to the greeter");
        // the caller's own trace: every span of the launch must continue it
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        String traceparent = "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01";
        List<JsonNode> statusEvents = new ArrayList<>();
        String runId;
        try (HandoffClient.EventStream events = api.events("?taskId=" + taskId)) {
            HttpResponse<String> launched = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + ports.runs() + "/api/tasks/" + taskId + "/runs"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .header("traceparent", traceparent)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"repositoryUrl\":\"" + e2e.sampleRepository()
                                    + "\",\"branch\":\"main\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, launched.statusCode(), launched.body());
            runId = HandoffClient.parse(launched.body()).get("id").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline) {
                SseStream.Event event = events.next(Duration.ofMillis(500));
                if (event != null && "run.status-changed".equals(event.event())
                        && runId.equals(event.json().path("runId").asText())) {
                    statusEvents.add(event.json());
                    if ("COMPLETED".equals(event.json().path("status").asText())
                            || "FAILED".equals(event.json().path("status").asText())) {
                        break;
                    }
                }
            }
        }
        List<String> statuses = statusEvents.stream().map(e -> e.get("status").asText()).toList();
        assertEquals(List.of("PENDING", "RUNNING", "COMPLETED"), statuses, "status events: " + statusEvents);

        // the SSE write of every status event of the run happened in the launch's trace
        String run = runId;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<OtlpReceiver.ReceivedSpan> sse = e2e.traces().spans().stream()
                    .filter(s -> s.service().equals("notification-service") && s.name().startsWith("sse ")
                            && run.equals(s.attributes().get("handoff.run_id")))
                    .toList();
            assertTrue(sse.size() >= statuses.size() + 1, "an SSE span per status event and the pull request: " + sse);
            assertEquals(Set.of(traceId), sse.stream().map(OtlpReceiver.ReceivedSpan::traceId).collect(Collectors.toSet()),
                    "the SSE writes' trace ids");
        });
        List<OtlpReceiver.ReceivedSpan> trace = e2e.traces().spans().stream()
                .filter(s -> s.traceId().equals(traceId)).toList();
        // all four services worked in it: the launch (runs, tasks for the context), RunRequested (gateway), each
        // RunStatusChanged (tasks, notifications)
        assertEquals(SERVICES, trace.stream().map(OtlpReceiver.ReceivedSpan::service).collect(Collectors.toSet()),
                "services in the trace: " + describe(trace));
        assertTrue(trace.stream().anyMatch(s -> s.service().equals("agent-run-service") && s.kind() == 2
                        && s.name().startsWith("POST")), "the launch's server span: " + describe(trace));
        assertTrue(trace.stream().anyMatch(s -> s.service().equals("provider-gateway") && s.kind() == 5
                        && s.name().contains("run-requested")), "RunRequested consumed by the gateway: " + describe(trace));
        // the provider's updates (RUNNING, COMPLETED) come from the agent's process, not from the RunRequested's
        // consumer: the gateway keeps the launch's trace with the run and publishes them in it
        long updates = trace.stream().filter(s -> s.service().equals("agent-run-service") && s.kind() == 5
                && s.name().contains("provider-run-updated")).count();
        assertTrue(updates >= 2, "provider updates consumed in the trace: " + describe(trace));
        long statusChanges = trace.stream().filter(s -> s.service().equals("notification-service") && s.kind() == 5
                && s.name().contains("run-status-changed")).count();
        assertTrue(statusChanges >= statuses.size(), "RunStatusChanged consumed in the trace: " + describe(trace));

        // the metrics moved once the run finished
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String after = metrics(ports.runs());
            assertEquals(launchedBefore + 1, sum(after, "handoff_runs_launched_total", Map.of("provider", "local")));
            assertEquals(completedBefore + 1, sum(after, "handoff_runs_finished_total",
                    Map.of("provider", "local", "status", "COMPLETED")));
            assertEquals(durationsBefore + 1, sum(after, "handoff_run_duration_seconds_count",
                    Map.of("provider", "local", "status", "COMPLETED")));
            assertTrue(after.contains("handoff_run_duration_seconds_bucket{"), "a histogram");
        });
        for (int port : List.of(ports.runs(), ports.gateway())) {
            String text = metrics(port);
            List<Double> lag = values(text, "handoff_outbox_oldest_unsent_seconds", Map.of());
            assertFalse(lag.isEmpty(), "the outbox gauge on port " + port);
            assertTrue(lag.get(0) >= 0 && lag.get(0) < 60, "outbox lag on port " + port + ": " + lag);
        }
        for (int port : List.of(ports.tasks(), ports.runs(), ports.gateway(), ports.notifications())) {
            String text = metrics(port);
            assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics on port " + port);
            assertTrue(text.contains("http_server_requests_seconds_count"), "HTTP metrics on port " + port);
            assertTrue(text.contains("kafka_"), "Kafka client metrics on port " + port);
        }
    }

    private String newTask(String title) {
        JsonNode brief = api.post(ports.tasks(), "/api/briefs", Sample.brief()).expect(201).body();
        return api.post(ports.tasks(), "/api/briefs/" + brief.get("id").asText() + "/tasks", Sample.task(title))
                .expect(201).body().get("id").asText();
    }

    private String metrics(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), "/q/metrics on port " + port);
        return response.body();
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? ([^ ]+)");

    /** The values of the samples named {@code name} whose labels include {@code labels}. */
    static List<Double> values(String exposition, String name, Map<String, String> labels) {
        List<Double> values = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find() || !m.group(1).equals(name)) {
                continue;
            }
            String labelText = m.group(3) == null ? "" : m.group(3);
            boolean all = labels.entrySet().stream()
                    .allMatch(l -> labelText.contains(l.getKey() + "=\"" + l.getValue() + "\""));
            if (all) {
                values.add(Double.parseDouble(m.group(4)));
            }
        }
        return values;
    }

    static double sum(String exposition, String name, Map<String, String> labels) {
        return values(exposition, name, labels).stream().mapToDouble(Double::doubleValue).sum();
    }

    private static String describe(List<OtlpReceiver.ReceivedSpan> spans) {
        return spans.stream().map(s -> s.service() + ":" + s.name() + "(kind " + s.kind() + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        do {
            ThreadLocalRandom.current().nextBytes(bytes);
        } while (allZero(bytes));
        return bytes;
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
