package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.testsupport.SseStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each agent preset on the real stack, through the public API only: a workspace admin picks the preset and gives it a
 * canary key, a member launches a run and follows it up. The CLIs are the gateway tests' stand-ins
 * ({@code provider-gateway/src/test/resources/agent-cli}, on the agents' PATH by E2eStack), run in the sandbox; their
 * answer says which session they ran in, which model they were given and which variables of their environment held
 * the key (by name; the key only as a hash). The five presets run at once, each in a workspace of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentPresetsEndToEndTest {

    private static final List<String> PRESETS = List.of("claude-code", "codex", "gemini", "cursor-agent", "opencode");
    private static final List<String> FINAL = List.of("COMPLETED", "FAILED", "CANCELLED");
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
    /** The end of a stand-in's answer (provider-gateway's agent-cli/standin-lib.sh). */
    private static final Pattern ANSWER = Pattern.compile("The agent's answer:\\nREADME\\.md edited\\. resumed=(yes|no) "
            + "keys: (.*?) prompt=\\d+ session=(\\S+) model=(.+?) key-in: (\\S+)");

    /**
     * What a preset's stand-in reports (the README's table "what each preset reports"): the model the workspace gives,
     * the variables its CLI reads the key from, and its usage {@code [durationMs, inputTokens, outputTokens, costUsd]}.
     */
    private record Preset(String model, List<String> keyVariables, List<Number> usage) {
    }

    private static final Map<String, Preset> EXPECTED = Map.of(
            "claude-code", new Preset("claude-opus-4-1", List.of("ANTHROPIC_API_KEY"), Arrays.asList(2345L, 150L, 50L, 0.0123)),
            "codex", new Preset("gpt-5-codex", List.of("OPENAI_API_KEY", "CODEX_API_KEY"), Arrays.asList(null, 24763L, 122L, null)),
            "gemini", new Preset("gemini-2.5-flash", List.of("GEMINI_API_KEY"), Arrays.asList(3000L, 50L, 200L, null)),
            "cursor-agent", new Preset("gpt-5", List.of("CURSOR_API_KEY"), Arrays.asList(5234L, null, null, null)),
            "opencode", new Preset("openai/gpt-5", List.of("OPENAI_API_KEY"), Arrays.asList(3000L, 260L, 55L, 0.003)));

    /** One preset's launch and follow-up, as the API answered them. */
    private record Flow(String key, JsonNode config, JsonNode first, List<JsonNode> firstActivity,
            JsonNode followUp, List<JsonNode> followUpActivity, JsonNode pullRequest, List<String> answers,
            List<SseStream.Event> events) {
    }

    private E2eStack e2e;
    private ExecutorService pool;
    private final Map<String, CompletableFuture<Flow>> flows = new LinkedHashMap<>();

    @BeforeAll
    void runEveryPresetAtOnce() {
        e2e = E2eStack.get();
        String repositoryUrl = e2e.sampleRepository();
        pool = Executors.newFixedThreadPool(PRESETS.size());
        for (String preset : PRESETS) {
            flows.put(preset, CompletableFuture.supplyAsync(() -> launchAndFollowUp(preset, repositoryUrl), pool));
        }
    }

    @AfterAll
    void stopThePool() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-code", "codex", "gemini", "cursor-agent", "opencode"})
    @Order(1)
    void aPresetRunsWithTheWorkspacesKeyAndAFollowUpResumesItsSession(String preset) {
        Flow flow = flows.get(preset).join();
        Preset expected = EXPECTED.get(preset);
        assertEquals(preset, flow.config().get("agent").asText(), flow.config().toString());
        assertTrue(names(flow.config().get("agents")).containsAll(PRESETS), flow.config().toString());
        assertEquals(expected.model(), flow.config().get("model").asText());
        assertEquals("..." + flow.key().substring(flow.key().length() - 4), flow.config().get("keyHint").asText());

        // the first run: the CLI's answer, usage, messages and tool calls, and a pull request
        JsonNode first = flow.first();
        assertEquals("COMPLETED", first.get("status").asText(), () -> "run " + first + "\nactivity " + flow.firstActivity());
        assertEquals("local", first.get("provider").asText());
        String pullRequestUrl = first.path("pullRequest").path("url").asText(null);
        assertNotNull(pullRequestUrl, "a pull request: " + first);
        Matcher answer = answer(first);
        assertEquals("no", answer.group(1), "a new session");
        String keys = expected.keyVariables().stream().map(v -> v + "(sha256=" + sha256(flow.key()).substring(0, 16) + ")")
                .collect(Collectors.joining(" "));
        assertEquals(keys, answer.group(2), "the workspace's key in the variables its CLI reads");
        assertEquals(new TreeSet<>(expected.keyVariables()), variables(answer.group(5)),
                "no other variable of the agent's environment holds the key");
        assertEquals(expected.model(), answer.group(4), "the workspace's model reached the CLI");
        String session = answer.group(3);
        assertUsage(expected.usage(), first.get("usage"));
        assertMessageAndToolEntries(flow.firstActivity());

        // the follow-up: the same CLI resumes the first run's session, and its commit goes to the same pull request
        JsonNode followUp = flow.followUp();
        assertEquals("COMPLETED", followUp.get("status").asText(), () -> "run " + followUp + "\nactivity " + flow.followUpActivity());
        assertEquals(first.get("id").asText(), followUp.get("followUpOf").asText());
        assertEquals(pullRequestUrl, followUp.path("pullRequest").path("url").asText(null), "the same pull request");
        Matcher resumed = answer(followUp);
        assertEquals("yes", resumed.group(1), "the follow-up resumed a session");
        assertEquals(session, resumed.group(3), "the follow-up passed the first run's session back to the CLI");
        assertEquals(keys, resumed.group(2));
        assertEquals(new TreeSet<>(expected.keyVariables()), variables(resumed.group(5)));
        assertUsage(expected.usage(), followUp.get("usage"));
        assertMessageAndToolEntries(flow.followUpActivity());
        String diff = flow.pullRequest().get("diff").asText();
        String cli = preset.equals("claude-code") ? "claude" : preset;
        assertTrue(diff.contains("+Edited by " + cli + " (resumed=no).") && diff.contains("+Edited by " + cli + " (resumed=yes)."),
                "both runs' edits are in the pull request: " + diff);

        // the live stream carried both runs' activity and statuses
        for (JsonNode run : List.of(first, followUp)) {
            String runId = run.get("id").asText();
            assertTrue(flow.events().stream().anyMatch(e -> "run.activity".equals(e.event()) && runId.equals(e.json().path("runId").asText())),
                    "run.activity of " + runId + " on /api/events");
            assertTrue(flow.events().stream().anyMatch(e -> "run.status-changed".equals(e.event())
                    && runId.equals(e.json().path("runId").asText()) && "COMPLETED".equals(e.json().path("status").asText())),
                    "COMPLETED of " + runId + " on /api/events");
        }

        // the key is in none of the answers, activity entries or events the workspace's users saw
        Map<String, String> secret = secrets(preset, flow.key());
        List<String> found = new ArrayList<>();
        flow.answers().forEach(text -> found.addAll(Leaks.search(secret, "an answer", text)));
        flow.firstActivity().forEach(entry -> found.addAll(Leaks.search(secret, "the first run's activity", entry.toString())));
        flow.followUpActivity().forEach(entry -> found.addAll(Leaks.search(secret, "the follow-up's activity", entry.toString())));
        flow.events().forEach(event -> found.addAll(Leaks.search(secret, "event " + event.id() + " " + event.event(), event.data())));
        assertEquals(List.of(), found);
    }

    @Test
    @Order(2)
    void noPresetsKeyIsInTheServicesLogsOrDatabases() throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String preset : PRESETS) {
            keys.putAll(secrets(preset, flows.get(preset).join().key()));
        }
        List<String> found = new ArrayList<>(Leaks.inServiceLogs(e2e, keys));
        found.addAll(Leaks.inDatabaseDumps(e2e, keys));
        assertEquals(List.of(), found);
    }

    /** The admin picks the preset with a canary key; a member launches a run, waits for it, follows it up, waits. */
    private Flow launchAndFollowUp(String preset, String repositoryUrl) {
        String workspace = E2eStack.newWorkspace("e2e-" + preset);
        String key = "sk-canary-" + preset + "-" + UUID.randomUUID().toString().replace("-", "");
        Api admin = new Api(e2e, e2e.jwt().admin(workspace));
        Api member = new Api(e2e, e2e.jwt().member(workspace));
        List<String> answers = new ArrayList<>();
        JsonNode config = admin.expect(200, admin.send("PUT", e2e.gateway("/api/agent-config"), Map.of("provider", "local",
                "agent", preset, "apiKey", key, "enabled", true, "model", EXPECTED.get(preset).model())));
        answers.add(config.toString());
        answers.add(member.get(e2e.gateway("/api/agent-config")).body());

        try (HandoffClient.EventStream stream = e2e.client(member.token()).events("")) {
            String brief = member.newBrief();
            String taskId = member.newTask(brief, "Preset " + preset + ": add a line to the README");
            HandoffClient client = e2e.client(member.token());
            String runId = createRun(client, "/api/tasks/" + taskId + "/runs", Map.of("repositoryUrl", repositoryUrl, "branch", "main"))
                    .get("id").asText();
            JsonNode first = awaitFinal(member, runId);
            List<JsonNode> firstActivity = activity(member, runId);

            JsonNode created = createRun(client, "/api/runs/" + runId + "/followups",
                    Map.of("instructions", "Also mention it in the changelog."));
            String followUpId = created.get("id").asText();
            JsonNode followUp = awaitFinal(member, followUpId);
            List<JsonNode> followUpActivity = activity(member, followUpId);

            String pullRequestUrl = first.path("pullRequest").path("url").asText("");
            JsonNode pullRequest = pullRequestUrl.isEmpty() ? null
                    : member.expect(200, member.get(e2e.gateway(pullRequestUrl.replaceFirst("^https?://[^/]+", ""))));
            answers.add(first.toString());
            answers.add(created.toString());
            answers.add(followUp.toString());
            answers.add(String.valueOf(pullRequest));
            answers.add(member.get(e2e.runs("/api/tasks/" + taskId + "/runs")).body());
            answers.add(member.get(e2e.tasks("/api/tasks/" + taskId)).body());
            List<SseStream.Event> events = eventsUntilCompleted(stream, followUpId);
            return new Flow(key, config, first, firstActivity, followUp, followUpActivity, pullRequest, answers, events);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Creates a run (a launch or a follow-up) as a careful client does: with an Idempotency-Key, tried again while the
     * run service answers 503 "try again shortly" (its calls to the task service and the gateway time out while a busy
     * machine warms the fresh stack up).
     */
    private JsonNode createRun(HandoffClient client, String path, Map<String, Object> body) {
        Map<String, String> key = Map.of("Idempotency-Key", "e2e-presets-" + UUID.randomUUID());
        AtomicReference<HandoffClient.Reply> reply = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(2)).until(() -> {
            reply.set(client.post(e2e.ports().runs(), path, body, key));
            return reply.get().status() != 503;
        });
        return reply.get().expect(201).body();
    }

    private static JsonNode awaitFinal(Api api, String runId) {
        await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> FINAL.contains(api.run(runId).get("status").asText()));
        return api.run(runId);
    }

    /**
     * The run's activity, page by page; waited for until the agent's words and tool calls are in (activity reaches the
     * notification service on its own way, beside the run's status).
     */
    private List<JsonNode> activity(Api api, String runId) {
        List<JsonNode> entries = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            while (true) {
                JsonNode page = api.expect(200, api.get(e2e.notifications("/api/activity?runId=" + runId + "&limit=200&after="
                        + (entries.isEmpty() ? 0 : entries.get(entries.size() - 1).get("seq").asLong()))));
                if (page.isEmpty()) {
                    break;
                }
                page.forEach(entries::add);
            }
            return kinds(entries).containsAll(Set.of("message", "tool"));
        });
        return entries;
    }

    /** The workspace's events until the run's COMPLETED arrived (within a minute), and what follows within a second. */
    private static List<SseStream.Event> eventsUntilCompleted(HandoffClient.EventStream stream, String runId)
            throws InterruptedException {
        List<SseStream.Event> events = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        boolean completed = false;
        while (System.nanoTime() < deadline) {
            SseStream.Event event = stream.next(Duration.ofSeconds(completed ? 1 : 5));
            if (event == null) {
                if (completed) {
                    return events;
                }
                continue;
            }
            events.add(event);
            completed |= "run.status-changed".equals(event.event()) && runId.equals(event.json().path("runId").asText())
                    && "COMPLETED".equals(event.json().path("status").asText());
        }
        throw new AssertionError("no COMPLETED of " + runId + " on /api/events within a minute; seen " + events.size() + " events");
    }

    private static void assertMessageAndToolEntries(List<JsonNode> activity) {
        assertTrue(activity.stream().anyMatch(e -> "message".equals(e.get("kind").asText()) && e.get("text").asText().contains("README.md")),
                "the agent's words as message entries: " + activity);
        assertTrue(activity.stream().anyMatch(e -> "tool".equals(e.get("kind").asText()) && e.get("text").asText().contains("README.md")),
                "the agent's tool call, with its arguments, as a tool entry: " + activity);
    }

    private static void assertUsage(List<Number> expected, JsonNode usage) {
        assertTrue(usage != null && usage.isObject(), "the run reports its usage: " + usage);
        List<String> fields = List.of("durationMs", "inputTokens", "outputTokens", "costUsd");
        for (int i = 0; i < fields.size(); i++) {
            JsonNode actual = usage.get(fields.get(i));
            Number want = expected.get(i);
            if (want == null) {
                assertTrue(actual == null || actual.isNull(), fields.get(i) + " is not reported: " + usage);
            } else if (want instanceof Double cost) {
                assertNotNull(actual, fields.get(i) + ": " + usage);
                assertEquals(cost, actual.asDouble(), 1e-9, fields.get(i) + ": " + usage);
            } else {
                assertNotNull(actual, fields.get(i) + ": " + usage);
                assertEquals(want.longValue(), actual.asLong(), fields.get(i) + ": " + usage);
                assertTrue(actual.isIntegralNumber(), fields.get(i) + ": " + usage);
            }
        }
    }

    /** A preset's key, and its random part alone (a key cut short, not redacted, would still show it). */
    private static Map<String, String> secrets(String preset, String key) {
        return Map.of("the " + preset + " key", key, "the random part of the " + preset + " key", key.substring(key.lastIndexOf('-') + 1));
    }

    private static Matcher answer(JsonNode run) {
        String summary = run.path("summary").asText("");
        Matcher answer = ANSWER.matcher(summary);
        assertTrue(answer.find(), "the stand-in's answer in the run's summary: " + summary);
        return answer;
    }

    private static Set<String> variables(String commaSeparated) {
        return new TreeSet<>(List.of(commaSeparated.split(",")));
    }

    private static Set<String> kinds(List<JsonNode> entries) {
        return entries.stream().map(e -> e.get("kind").asText()).collect(Collectors.toSet());
    }

    private static List<String> names(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
