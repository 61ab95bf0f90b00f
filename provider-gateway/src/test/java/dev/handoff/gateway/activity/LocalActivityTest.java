package dev.handoff.gateway.activity;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.EventJson;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.secrets.SecretNames;
import dev.handoff.gateway.secrets.SecretStore;
import dev.handoff.testsupport.KafkaBroker;
import dev.handoff.testsupport.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A local run's activity on the real broker, from a real agent process in its sandbox: its lines arrive while it
 * runs, numbered without gaps, without its secrets, and between the gateway's own steps.
 */
@QuarkusTest
class LocalActivityTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern PRINTED_AT = Pattern.compile("^line (\\d) at (\\d+)$");

    @Inject
    SecretStore secrets;

    private final String workspace = TestRuns.workspace();

    @BeforeEach
    void consumersReady() {
        TestAssignments.awaitConsumersReady();
    }

    /** An entry and the wall-clock time the probe received it. */
    record Received(RunActivity.Entry entry, long atMillis, UUID eventId, int eventSize, String eventType) {
    }

    @Test
    void aSlowAgentsLinesArriveWhileItRunsNumberedWithoutGapsAndWithoutItsSecrets() throws Exception {
        String canaryKey = "canary-key-" + UUID.randomUUID().toString().replace("-", "");
        String canaryUrlToken = "canary-url-" + UUID.randomUUID().toString().replace("-", "");
        // the workspace's key as the secret store keeps it: the agent prints it (here it finds it in its task)
        secrets.put(SecretNames.agentKey(workspace), canaryKey).await().atMost(Duration.ofSeconds(10));
        RunRequested request = TestRuns.withInstructions(TestRuns.request(workspace, "local", "A chatty task",
                TestRuns.newOrigin(), null), "Keep the change small. Mention " + canaryKey + " and " + canaryUrlToken + ".");

        List<Received> received = Collections.synchronizedList(new ArrayList<>());
        try (KafkaProbe.Tail tail = KafkaProbe.tail(KafkaBroker.bootstrapServers(), List.of(Topics.RUN_ACTIVITY), (record, nanos) -> {
            if (request.runId().toString().equals(record.key())) {
                long now = System.currentTimeMillis();
                RunActivity event = EventJson.fromJson(record.value(), RunActivity.class);
                event.entries().forEach(entry -> received.add(new Received(entry, now, event.eventId(), event.entries().size(),
                        KafkaProbe.header(record, Topics.HEADER_EVENT_TYPE))));
            }
        }).start()) {
            TestRuns.publish(request);
            List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
            ProviderRunUpdated last = updates.get(updates.size() - 1);
            assertEquals(RunStatus.COMPLETED, last.status(), () -> "updates: " + updates);
            await().atMost(Duration.ofSeconds(20)).until(() -> texts(received).stream().anyMatch(t -> t.startsWith("pull request opened: ")));

            List<Received> all = dedupe(received);
            // numbered from 1 without gaps, in the order they arrived, across several events of at most 100 entries
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).entry().seq(), "seq of entry " + i + ": " + texts(all));
            }
            assertTrue(all.stream().map(Received::eventId).distinct().count() > 1, "one batch only");
            assertTrue(all.stream().allMatch(r -> r.eventSize() <= 100 && "RunActivity".equals(r.eventType())));
            assertTrue(all.stream().allMatch(r -> r.entry().at() != null));

            // each line arrived within about a second of being printed, and long before the agent ended
            long doneAt = all.stream().map(r -> r.entry().text()).filter(t -> t.startsWith("done at "))
                    .map(t -> Long.parseLong(t.substring("done at ".length()))).findFirst().orElseThrow();
            int lines = 0;
            List<Long> latencies = new ArrayList<>();
            for (Received r : all) {
                Matcher printed = PRINTED_AT.matcher(r.entry().text());
                if (!printed.matches()) {
                    continue;
                }
                lines++;
                assertEquals("log", r.entry().kind());
                long latency = r.atMillis() - Long.parseLong(printed.group(2));
                latencies.add(latency);
                assertTrue(r.atMillis() < doneAt, "line " + printed.group(1) + " arrived after the agent's last line");
                assertTrue(latency <= 1500, "line " + printed.group(1) + " took " + latency + " ms");
            }
            assertEquals(5, lines, () -> texts(all).toString());
            System.out.println("activity latencies of the chatty agent's lines (ms): " + latencies);

            // the canaries appear only as [redacted], the colours are gone
            for (Received r : all) {
                assertFalse(r.entry().text().contains(canaryKey) || r.entry().text().contains(canaryUrlToken), r.entry().text());
                assertFalse(r.entry().text().contains("\u001B"), r.entry().text());
            }
            List<String> texts = texts(all);
            assertTrue(texts.contains("the key is [redacted]"), texts.toString());
            assertTrue(texts.contains("fetching https://[redacted]@git.example.com/acme/greeter.git"), texts.toString());
            Path log = TestRuns.WORK_DIR.resolve(request.runId().toString()).resolve("agent.log");
            String logText = Files.readString(log);
            assertTrue(logText.contains("the key is [redacted]") && !logText.contains(canaryKey) && !logText.contains(canaryUrlToken));
            assertFalse(EventJson.toJson(last).contains(canaryKey), last.summary());

            // the gateway's steps, in the order they happened, around the agent's lines
            assertInOrder(all, "cloning " + request.repositoryUrl() + " at branch main",
                    "starting the agent: bash test-agent.sh, in its sandbox",
                    "line 1 at ", "line 5 at ", "done at ",
                    "the agent finished with exit code 0",
                    "committed the agent's changes on " + last.branch() + ": 1 commit, 1 file changed",
                    "pushing " + last.branch() + " to " + request.repositoryUrl(),
                    "pull request opened: " + last.pullRequestUrl());
        }
    }

    @Test
    void aFiftyMegabyteLineWithoutALineEndCostsOneCutEntryAndTheRunGoesOn() throws Exception {
        RunRequested request = TestRuns.request(workspace, "local", "A huge line task", TestRuns.newOrigin(), null);
        TestRuns.publish(request);
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.COMPLETED, updates.get(updates.size() - 1).status(), () -> "updates: " + updates);

        List<RunActivity.Entry> entries = TestRuns.activityUntil(request.runId(), TestRuns.untilStep("pull request opened: "),
                Duration.ofSeconds(30));
        List<RunActivity.Entry> logs = entries.stream().filter(e -> e.kind().equals("log")).toList();
        assertEquals(2, logs.size(), () -> "log entries: " + logs.stream().map(e -> e.text().length() + " chars").toList());
        String huge = logs.get(0).text();
        assertTrue(huge.length() <= 4000 && huge.startsWith("xxxx"), huge.length() + " chars");
        long kept = huge.chars().filter(c -> c == 'x').count();
        assertTrue(huge.endsWith(" [cut: " + (50_000_000 - kept) + " more characters]"), huge.substring(huge.length() - 60));
        assertEquals("after the huge line", logs.get(1).text());
        // the agent's log holds the cut line too, not 50 MB
        Path log = TestRuns.WORK_DIR.resolve(request.runId().toString()).resolve("agent.log");
        assertTrue(Files.size(log) < 64 * 1024, Files.size(log) + " bytes");
        System.out.println("50 MB line handled with a max heap of " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
    }

    @Test
    void aFailedRunEndsWithAnErrorEntrySayingWhy() throws Exception {
        RunRequested request = TestRuns.request(workspace, "local", "A fail task", TestRuns.newOrigin(), null);
        TestRuns.publish(request);
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.FAILED, updates.get(updates.size() - 1).status(), () -> "updates: " + updates);

        List<RunActivity.Entry> entries = TestRuns.activityUntil(request.runId(),
                all -> all.stream().anyMatch(e -> e.kind().equals("error")), Duration.ofSeconds(30));
        RunActivity.Entry error = entries.stream().filter(e -> e.kind().equals("error")).findFirst().orElseThrow();
        assertTrue(error.text().startsWith("the agent command exited with code 3"), error.text());
        assertTrue(entries.stream().anyMatch(e -> e.kind().equals("log") && e.text().equals("test agent: something broke")));
    }

    /** Each entry once: an event delivered again (at least once) brings the same entries. */
    private static List<Received> dedupe(List<Received> received) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<Received> ordered = new ArrayList<>();
        synchronized (received) {
            for (Received r : received) {
                if (seen.add(r.eventId() + ":" + r.entry().seq())) {
                    ordered.add(r);
                }
            }
        }
        return ordered;
    }

    private static List<String> texts(List<Received> received) {
        synchronized (received) {
            return received.stream().map(r -> r.entry().text()).toList();
        }
    }

    /** Each prefix starts the text of a later entry than the one before. */
    private static void assertInOrder(List<Received> all, String... prefixes) {
        int at = -1;
        for (String prefix : prefixes) {
            int found = -1;
            for (int i = at + 1; i < all.size(); i++) {
                if (all.get(i).entry().text().startsWith(prefix)) {
                    found = i;
                    break;
                }
            }
            assertTrue(found >= 0, "no entry '" + prefix + "' after entry " + at + " in " + texts(all));
            at = found;
        }
    }
}
