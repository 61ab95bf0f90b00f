package dev.handoff.gateway.local.agents;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.EventJson;
import dev.handoff.events.FollowUp;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Usage;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each agent preset on the real stack (Kafka, PostgreSQL, git, the sandbox), with a stand-in of its CLI on the agents'
 * PATH (test resources {@code agent-cli/}): the workspace picks the preset and gives its key; the run's summary is the
 * agent's answer, its usage and session are stored and reported; a follow-up resumes the session; the key reaches
 * that agent's process in its CLI's variable only, and is nowhere in the events, the agent's log or the database.
 */
@QuarkusTest
@TestProfile(AgentPresetRunsTest.Presets.class)
class AgentPresetRunsTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
    static final Path STAND_INS = Path.of(System.getProperty("user.dir"), "src", "test", "resources", "agent-cli");

    /** All presets enabled, the stand-ins first on the agents' PATH (the sandbox shows src/test/resources). */
    public static class Presets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.local.agents", "claude-code,codex,gemini,cursor-agent,opencode,custom",
                    "handoff.local.agent-path", STAND_INS.toString());
        }
    }

    private final String workspace = TestRuns.workspace();

    @BeforeEach
    void consumersReady() {
        TestAssignments.awaitConsumersReady();
    }

    /** What each stand-in reports, and the variables its CLI reads the key from (in the stand-in's order). */
    private record Expected(String model, Usage usage, List<String> keyVariables) {
    }

    private static Expected expected(String preset) {
        return switch (preset) {
            case "claude-code" -> new Expected("claude-sonnet-4-5", new Usage(2345L, 150L, 50L, 0.0123), List.of("ANTHROPIC_API_KEY"));
            case "codex" -> new Expected("gpt-5-codex", new Usage(null, 24763L, 122L, null), List.of("OPENAI_API_KEY", "CODEX_API_KEY"));
            case "gemini" -> new Expected("gemini-2.5-pro", new Usage(3000L, 50L, 200L, null), List.of("GEMINI_API_KEY"));
            case "cursor-agent" -> new Expected("sonnet-4", new Usage(5234L, null, null, null), List.of("CURSOR_API_KEY"));
            case "opencode" -> new Expected("openai/gpt-5", new Usage(3000L, 260L, 55L, 0.003), List.of("OPENAI_API_KEY"));
            default -> throw new IllegalArgumentException(preset);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"claude-code", "codex", "gemini", "cursor-agent", "opencode"})
    void aPresetRunsItsCliWithTheWorkspacesKeyAndAFollowUpResumesItsSession(String preset) throws Exception {
        Expected expected = expected(preset);
        String key = "sk-test-" + preset + "-" + UUID.randomUUID();
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body(Map.of("provider", "local", "agent", preset, "apiKey", key, "enabled", true, "model", expected.model()))
                .when().put("/api/agent-config")
                .then().statusCode(200)
                .body("agent", equalTo(preset))
                .body("agents", hasItems("claude-code", "codex", "gemini", "cursor-agent", "opencode", "custom"))
                .body("keyHint", equalTo("..." + key.substring(key.length() - 4)))
                .body("apiKey", equalTo(null));

        String origin = TestRuns.newOrigin();
        RunRequested first = TestRuns.request(workspace, "local", "Preset " + preset + " " + UUID.randomUUID(), origin, null);
        TestRuns.publish(first);
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(first.runId(), RUN_TIMEOUT);
        ProviderRunUpdated done = updates.get(updates.size() - 1);
        assertEquals(RunStatus.COMPLETED, done.status(), () -> "updates: " + updates);
        String hash = sha256(key).substring(0, 16);
        String keys = "keys:" + expected.keyVariables().stream().map(v -> " " + v + "(sha256=" + hash + ")")
                .reduce("", String::concat);
        assertTrue(done.summary().contains("The agent's answer:\nREADME.md edited. resumed=no " + keys + " prompt="),
                done.summary());
        assertTrue(done.pullRequestUrl() != null, "the agent's edit was pushed and a pull request opened");
        assertUsage(expected.usage(), done.usage());
        assertUsage(expected.usage(), storedUsage(first.runId()));
        String session = storedSession(first.runId());
        assertTrue(session.startsWith(preset + ":") && session.length() > preset.length() + 1, session);

        // a follow-up passes the session back to the same CLI
        RunRequested followUp = new RunRequested(UUID.randomUUID(), Instant.now(), workspace, UUID.randomUUID(), first.taskId(),
                "local", origin, "main", done.branch(), "Also mention it in the changelog.", first.context(),
                new FollowUp(first.runId(), done.providerRunId(), done.branch(), done.pullRequestUrl(), done.summary()));
        TestRuns.publish(followUp);
        List<ProviderRunUpdated> again = TestRuns.updatesUntilFinal(followUp.runId(), RUN_TIMEOUT);
        ProviderRunUpdated resumed = again.get(again.size() - 1);
        assertEquals(RunStatus.COMPLETED, resumed.status(), () -> "updates: " + again);
        assertTrue(resumed.summary().contains("resumed=yes " + keys), resumed.summary());
        assertEquals(done.pullRequestUrl(), resumed.pullRequestUrl(), "the follow-up's commits went to the same pull request");
        assertEquals(done.branch(), resumed.branch(), "the follow-up continued the same branch");
        assertEquals(session, storedSession(followUp.runId()), "the CLI continued the same session");

        // the key is nowhere but in the secret store (sealed) and the agent's environment
        for (ProviderRunUpdated update : concat(updates, again)) {
            assertFalse(EventJson.toJson(update).contains(key), "an event carries the key");
        }
        for (UUID runId : List.of(first.runId(), followUp.runId())) {
            Path log = TestRuns.WORK_DIR.resolve(runId.toString()).resolve("agent.log");
            String agentLog = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(agentLog.contains("\"type\""), "the agent's log holds its structured output");
            assertFalse(agentLog.contains(key), "the agent's log holds the key");
        }
        assertFalse(databaseDump().contains(key), "the database holds the key in plaintext");
        assertFalse(databaseDump().contains(key.substring(8)), "the database holds most of the key in plaintext");
    }

    @Test
    void anAgentThatIsNotEnabledIsRefusedAndTheKeyOfOneAgentIsNotGivenToAnother() {
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body(Map.of("provider", "local", "agent", "aider", "enabled", true))
                .when().put("/api/agent-config")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://handoff.dev/problems/validation-failed"));
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body(Map.of("provider", "local", "agent", "custom", "apiKey", "sk-not-for-custom", "enabled", true))
                .when().put("/api/agent-config")
                .then().statusCode(400);

        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body(Map.of("provider", "local", "agent", "claude-code", "apiKey", "sk-ant-0001", "enabled", true,
                        "gitToken", "ghp_workspace_abcd"))
                .when().put("/api/agent-config")
                .then().statusCode(200).body("keyHint", equalTo("...0001")).body("gitTokenHint", equalTo("...abcd"));
        // the same agent without a key keeps its key, and the git token is kept when not given
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body(Map.of("provider", "local", "agent", "claude-code", "enabled", true, "model", "opus"))
                .when().put("/api/agent-config")
                .then().statusCode(200).body("keyHint", equalTo("...0001")).body("gitTokenHint", equalTo("...abcd"));
        // another agent does not inherit it
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body(Map.of("provider", "local", "agent", "codex", "enabled", true))
                .when().put("/api/agent-config")
                .then().statusCode(200).body("agent", equalTo("codex")).body("keyHint", equalTo(null));
        // without agent, the workspace keeps its choice; an empty git token removes it
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body(Map.of("provider", "local", "enabled", true, "gitToken", ""))
                .when().put("/api/agent-config")
                .then().statusCode(200).body("agent", equalTo("codex")).body("gitTokenHint", equalTo(null));
        given().auth().oauth2(Tokens.member(workspace)).when().get("/api/agent-config")
                .then().statusCode(200).body("agent", equalTo("codex")).body("agents[0]", equalTo("claude-code"));
    }

    @Test
    void withoutAChoiceAWorkspaceGetsTheFirstEnabledAgent() {
        String other = TestRuns.workspace();
        given().auth().oauth2(Tokens.admin(other)).contentType(ContentType.JSON)
                .body(Map.of("provider", "local", "enabled", true))
                .when().put("/api/agent-config")
                .then().statusCode(200).body("agent", equalTo("claude-code"));
    }

    private static void assertUsage(Usage expected, Usage actual) {
        assertNotNull(actual, "the run reports its usage");
        assertEquals(expected.durationMs(), actual.durationMs());
        assertEquals(expected.inputTokens(), actual.inputTokens());
        assertEquals(expected.outputTokens(), actual.outputTokens());
        if (expected.costUsd() == null) {
            assertEquals(null, actual.costUsd());
        } else {
            assertEquals(expected.costUsd(), actual.costUsd(), 1e-9);
        }
    }

    private static String storedSession(UUID runId) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select agent_session from provider_run where run_id = ?")) {
            query.setObject(1, runId);
            try (ResultSet rows = query.executeQuery()) {
                assertTrue(rows.next(), "run " + runId + " recorded");
                return String.valueOf(rows.getString(1));
            }
        }
    }

    private static Usage storedUsage(UUID runId) throws Exception {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select usage_duration_ms, usage_input_tokens,"
                        + " usage_output_tokens, usage_cost_usd from provider_run where run_id = ?")) {
            query.setObject(1, runId);
            try (ResultSet rows = query.executeQuery()) {
                assertTrue(rows.next(), "run " + runId + " recorded");
                return new Usage(rows.getObject(1, Long.class), rows.getObject(2, Long.class), rows.getObject(3, Long.class),
                        rows.getObject(4, Double.class));
            }
        }
    }

    /** Every row of every table of the gateway's database, as text. */
    private static String databaseDump() throws Exception {
        StringBuilder dump = new StringBuilder();
        try (Connection db = HandoffTestResource.database().connect()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = db.createStatement().executeQuery(
                    "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            assertTrue(tables.contains("secret") && tables.contains("provider_run"), tables::toString);
            for (String table : tables) {
                try (ResultSet rows = db.createStatement().executeQuery("select t::text from \"" + table + "\" t")) {
                    while (rows.next()) {
                        dump.append(rows.getString(1)).append('\n');
                    }
                }
            }
        }
        return dump.toString();
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
