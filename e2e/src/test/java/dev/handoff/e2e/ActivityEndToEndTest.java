package dev.handoff.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.e2e.chaos.RawHttp;
import dev.handoff.testsupport.SseStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 16's activity on the real stack, with e2e-agent.sh as the local agent. A "chatty" agent prints a line every
 * half second, each with the time it was printed: every line reaches a client of {@code /api/events} as
 * {@code run.activity} before the agent ends; a second client dropped mid-run and reconnected with
 * {@code Last-Event-ID} misses nothing; {@code GET /api/activity} paged 3 at a time by {@code Link: rel="next"} holds
 * exactly what was streamed; the workspace's git token, which the agent prints, is {@code [redacted]} everywhere. A
 * "floods" agent printing 5,000 lines gets {@link E2eStack#ACTIVITY_MAX_ENTRIES} of them, then one {@code truncated}
 * entry, and its run completes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Order(7)
class ActivityEndToEndTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern PRINTED = Pattern.compile("^activity line (\\d) of 8 printed at (\\d+)");
    private static final Pattern ENDS = Pattern.compile("^activity: the agent ends at (\\d+)$");

    private final String canary = "ghp_canary" + UUID.randomUUID().toString().replace("-", "");
    private E2eStack e2e;
    private String token;
    private HandoffClient api;
    private HandoffClient.Ports ports;

    /** One {@code run.activity} entry as a client received it; {@code receivedAtMillis} is the wall clock. */
    record Received(long seq, Instant at, String kind, String text, long receivedAtMillis) {

        static Received of(JsonNode entry, long receivedAtMillis) {
            return new Received(entry.get("seq").asLong(), Instant.parse(entry.get("at").asText()), entry.get("kind").asText(),
                    entry.get("text").asText(), receivedAtMillis);
        }

        /** What {@code GET /api/activity} lists of it. */
        List<Object> listed() {
            return List.of(seq, at, kind, text);
        }
    }

    @BeforeAll
    void configureALocalWorkspaceWithACanaryGitToken() {
        e2e = E2eStack.get();
        ports = e2e.ports();
        token = e2e.jwt().admin(E2eStack.newWorkspace("e2e-activity"));
        api = e2e.client(token);
        JsonNode config = api.put(ports.gateway(), "/api/agent-config",
                Map.of("provider", "local", "enabled", true, "gitToken", canary)).expect(200).body();
        assertEquals("..." + canary.substring(canary.length() - 4), config.get("gitTokenHint").asText(), config.toString());
    }

    @Test
    void aChattyAgentIsFollowedLiveAndItsActivityIsCompleteInOrderAndRedacted() throws Exception {
        String taskId = newTask("A chatty agent", "Keys for the agent, do not share: canary=" + canary);
        List<Received> watched = new ArrayList<>();
        List<Received> resumed = new ArrayList<>();
        String runId;
        long reconnectedAt;
        try (HandoffClient.EventStream watcher = api.events("?taskId=" + taskId)) {
            watcher.awaitLive(Duration.ofSeconds(30));
            HandoffClient.EventStream dropped = api.events("?taskId=" + taskId);
            String lastId;
            try (dropped) {
                dropped.awaitLive(Duration.ofSeconds(30));
                runId = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                        Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main")).expect(201).body().get("id").asText();
                // the second client hangs up once it has seen the agent's third line, while the agent goes on printing
                lastId = readUntil(dropped, runId, resumed, received -> received.text().startsWith("activity line 3 of 8"));
            }
            Thread.sleep(1500);
            reconnectedAt = System.currentTimeMillis();
            try (HandoffClient.EventStream reconnected = api.events("?taskId=" + taskId, Map.of("Last-Event-ID", lastId))) {
                JsonNode run = awaitCompleted(runId);
                List<List<JsonNode>> pages = awaitAllActivity(runId, run, 3);
                assertTrue(pages.size() > 2, "several pages of 3: " + pages.size());
                List<JsonNode> listed = pages.stream().flatMap(List::stream).toList();
                long last = listed.get(listed.size() - 1).get("seq").asLong();
                readUntil(watcher, runId, watched, received -> received.seq() == last);
                int beforeReconnect = resumed.size();
                readUntil(reconnected, runId, resumed, received -> received.seq() == last);

                // 3. GET /api/activity, 3 at a time by Link rel="next", lists exactly what the watching client received
                assertEquals(listed.stream().map(entry -> Received.of(entry, 0).listed()).toList(),
                        watched.stream().map(Received::listed).toList(), "GET /api/activity and the live stream differ");
                assertEquals(LongStream.rangeClosed(1, last).boxed().toList(), watched.stream().map(Received::seq).toList());

                // 2. the reconnected client, with Last-Event-ID, got everything the dropped one had not: no gap, no repeat
                assertEquals(LongStream.rangeClosed(1, last).boxed().toList(), resumed.stream().map(Received::seq).toList(),
                        "the seqs before and after the reconnect");
                assertEquals(watched.stream().map(Received::listed).toList(), resumed.stream().map(Received::listed).toList());
                Received firstAfter = resumed.get(beforeReconnect);
                assertTrue(firstAfter.at().toEpochMilli() < reconnectedAt,
                        "an entry published while the client was away came by replay: " + firstAfter);

                // 1. every line of the agent reached the watching client while the agent was still running
                assertAgentLinesArrivedLive(watched);

                // 4. the canary: redacted in the entry, nowhere raw
                Received keyLine = watched.stream().filter(r -> r.text().startsWith("activity line 5 of 8")).findFirst().orElseThrow();
                assertTrue(keyLine.text().matches("activity line 5 of 8 printed at \\d+ with the key \\[redacted\\]"),
                        "ANSI removed and the key redacted: " + keyLine.text());
                Received stderrLine = watched.stream().filter(r -> r.text().startsWith("activity line 3 of 8")).findFirst().orElseThrow();
                assertEquals("log", stderrLine.kind());
                assertTrue(stderrLine.text().endsWith(" on stderr"), stderrLine.text());
                assertCanaryNowhere(runId, run, listed);
            }
        }
    }

    @Test
    void aFloodIsCutAtTheLimitWithOneTruncatedEntryAndTheRunStillCompletes() {
        String taskId = newTask("An agent that floods its output", "Nothing secret here.");
        String runId = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                Map.of("repositoryUrl", e2e.sampleRepository(), "branch", "main")).expect(201).body().get("id").asText();
        JsonNode run = awaitCompleted(runId);
        List<JsonNode> entries = awaitAllActivity(runId, run, 200).stream().flatMap(List::stream).toList();

        assertEquals(LongStream.rangeClosed(1, entries.size()).boxed().toList(),
                entries.stream().map(entry -> entry.get("seq").asLong()).toList());
        List<String> kinds = entries.stream().map(entry -> entry.get("kind").asText()).toList();
        List<String> logs = entries.stream().filter(entry -> entry.get("kind").asText().equals("log"))
                .map(entry -> entry.get("text").asText()).toList();
        List<String> expected = LongStream.rangeClosed(1, E2eStack.ACTIVITY_MAX_ENTRIES).mapToObj(n -> "flood line " + n).toList();
        assertEquals(expected, logs, "the first HANDOFF_ACTIVITY_MAX_ENTRIES lines, nothing else of the agent's");
        assertEquals(1, kinds.stream().filter("truncated"::equals).count(), "one truncated entry: " + kinds);
        int truncated = kinds.indexOf("truncated");
        assertEquals(truncated - 1, kinds.lastIndexOf("log"), "the truncated entry right after the last line shown");
        List<String> stepsAfter = entries.subList(truncated + 1, entries.size()).stream()
                .map(entry -> entry.get("text").asText()).toList();
        assertTrue(stepsAfter.stream().anyMatch(text -> text.startsWith("pull request opened: ")),
                "the gateway's own steps still follow: " + stepsAfter);
        assertTrue(kinds.subList(truncated + 1, kinds.size()).stream().allMatch("step"::equals), kinds.toString());
    }

    private String newTask(String title, String briefNote) {
        Map<String, Object> brief = new LinkedHashMap<>(Sample.brief());
        brief.put("content", brief.get("content") + "\n" + briefNote + "\n");
        JsonNode created = api.post(ports.tasks(), "/api/briefs", brief).expect(201).body();
        return api.post(ports.tasks(), "/api/briefs/" + created.get("id").asText() + "/tasks", Sample.task(title))
                .expect(201).body().get("id").asText();
    }

    private JsonNode awaitCompleted(String runId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = api.get(ports.runs(), "/api/runs/" + runId).expect(200).body();
            return List.of("COMPLETED", "FAILED", "CANCELLED").contains(last[0].get("status").asText());
        });
        assertEquals("COMPLETED", last[0].get("status").asText(), last[0].toString());
        return last[0];
    }

    /** The pages of the run's whole activity once its last step (the pull request) is stored. */
    private List<List<JsonNode>> awaitAllActivity(String runId, JsonNode run, int limit) {
        String pullRequest = run.path("pullRequest").path("url").asText(null);
        assertNotNull(pullRequest, "a pull request: " + run);
        List<List<JsonNode>> pages = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            pages.clear();
            pages.addAll(activityPages(runId, limit));
            List<JsonNode> page = pages.get(pages.size() - 1);
            assertEquals("pull request opened: " + pullRequest, page.get(page.size() - 1).get("text").asText());
        });
        pages.subList(0, pages.size() - 1).forEach(page -> assertEquals(limit, page.size(), "a full page before a next one"));
        return pages;
    }

    /** GET /api/activity from the first page, following each {@code Link: <...>; rel="next"} to the end. */
    private List<List<JsonNode>> activityPages(String runId, int limit) {
        Api raw = new Api(e2e, token);
        List<List<JsonNode>> pages = new ArrayList<>();
        String next = "/api/activity?runId=" + runId + "&limit=" + limit;
        while (next != null) {
            assertTrue(pages.size() < 1000, "the Link header goes round in circles");
            RawHttp.Answer answer = raw.get(e2e.notifications(next));
            JsonNode page = raw.expect(200, answer);
            List<JsonNode> entries = new ArrayList<>();
            page.forEach(entries::add);
            pages.add(entries);
            Matcher link = Pattern.compile("^<([^>]+)>; rel=\"next\"$").matcher(String.valueOf(answer.header("Link")));
            next = link.matches() ? link.group(1) : null;
            assertTrue(next == null || !entries.isEmpty(), "an empty page links to another: " + answer.header("Link"));
        }
        return pages;
    }

    /**
     * Takes the stream's events until one of the run's activity entries matches {@code until}, adding the run's
     * entries to {@code into}; returns the id of the last event taken.
     */
    private static String readUntil(HandoffClient.EventStream stream, String runId, List<Received> into,
            Predicate<Received> until) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        String lastId = null;
        while (System.nanoTime() < deadline) {
            SseStream.Event event = stream.next(Duration.ofMillis(500));
            if (event == null) {
                continue;
            }
            lastId = event.id();
            if (!"run.activity".equals(event.event()) || !runId.equals(event.json().path("runId").asText())) {
                continue;
            }
            long receivedAt = System.currentTimeMillis() - (System.nanoTime() - event.receivedAtNanos()) / 1_000_000;
            boolean done = false;
            for (JsonNode entry : event.json().get("entries")) {
                Received received = Received.of(entry, receivedAt);
                into.add(received);
                done |= until.test(received);
            }
            if (done) {
                return lastId;
            }
        }
        throw new AssertionError("the awaited entry did not arrive within " + RUN_TIMEOUT + "; received: " + into);
    }

    /** Each of the agent's 8 lines was received after it was printed and before the agent printed that it ends. */
    private static void assertAgentLinesArrivedLive(List<Received> watched) {
        long endedAt = watched.stream().map(r -> ENDS.matcher(r.text())).filter(Matcher::matches)
                .mapToLong(m -> Long.parseLong(m.group(1))).findFirst().orElseThrow(() -> new AssertionError("no end line: " + watched));
        List<Integer> lines = new ArrayList<>();
        for (Received received : watched) {
            Matcher printed = PRINTED.matcher(received.text());
            if (!printed.find()) {
                continue;
            }
            lines.add(Integer.parseInt(printed.group(1)));
            long printedAt = Long.parseLong(printed.group(2));
            assertEquals("log", received.kind(), received.toString());
            // the same clock (the sandbox is on this machine); a few ms for rounding nanoTime to the wall clock
            assertTrue(received.receivedAtMillis() >= printedAt - 5, "received before it was printed? " + received);
            assertTrue(received.receivedAtMillis() < endedAt, "line " + printed.group(1) + " printed at " + printedAt
                    + " arrived at " + received.receivedAtMillis() + ", after the agent ended at " + endedAt);
        }
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), lines, "the agent's lines, in order");
    }

    /** The git token the agent printed is in no entry, no answer about the run, no log of the stack, not in agent.log. */
    private void assertCanaryNowhere(String runId, JsonNode run, List<JsonNode> listed) throws Exception {
        assertFalse(listed.toString().contains(canary), "GET /api/activity shows the git token");
        assertFalse(api.get(ports.runs(), "/api/runs/" + runId).raw().contains(canary), "the run shows the git token");
        String pullRequest = run.get("pullRequest").get("url").asText().replaceFirst("^https?://[^/]+", "");
        assertFalse(api.get(ports.gateway(), pullRequest).expect(200).raw().contains(canary), "the pull request shows it");
        Path agentLog = e2e.state().resolve("worktrees").resolve(runId).resolve("agent.log");
        assertTrue(Files.isRegularFile(agentLog), agentLog + " is kept");
        String log = Files.readString(agentLog);
        assertTrue(log.contains("with the key [redacted]"), log);
        assertFalse(log.contains(canary), "agent.log holds the git token");
        try (Stream<Path> files = Files.list(e2e.logs())) {
            List<Path> logs = files.filter(p -> p.toString().endsWith(".log")).toList();
            assertTrue(logs.size() >= 4, "the services' logs: " + logs);
            for (Path file : logs) {
                assertFalse(Files.readString(file).contains(canary), file + " holds the git token");
            }
        }
    }
}
