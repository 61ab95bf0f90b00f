package dev.handoff.gateway.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An agent that floods its output, with {@code HANDOFF_ACTIVITY_MAX_ENTRIES} lowered and the sandbox turned off by
 * the operator: exactly the limit of its lines, one {@code truncated} entry, and the gateway's steps still follow.
 */
@QuarkusTest
@TestProfile(TruncatedActivityTest.LowLimitUnconfined.class)
class TruncatedActivityTest {

    static final int MAX_ENTRIES = 1000;

    public static class LowLimitUnconfined implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.activity.max-entries", String.valueOf(MAX_ENTRIES), "handoff.local.sandbox.mode", "off");
        }
    }

    @BeforeEach
    void consumersReady() {
        TestAssignments.awaitConsumersReady();
    }

    @Test
    void aFloodOfLinesIsCutAtTheLimitWithOneTruncatedEntryAndTheStepsStillFollow() throws Exception {
        RunRequested request = TestRuns.request(TestRuns.workspace(), "local", "A flood task", TestRuns.newOrigin(), null);
        TestRuns.publish(request);
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), Duration.ofSeconds(90));
        ProviderRunUpdated last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.COMPLETED, last.status(), () -> "updates: " + updates);

        List<RunActivity.Entry> entries = TestRuns.activityUntil(request.runId(), TestRuns.untilStep("pull request opened: "),
                Duration.ofSeconds(60));
        for (int i = 0; i < entries.size(); i++) {
            assertEquals(i + 1, entries.get(i).seq(), "gap or repeat at entry " + i);
        }
        List<RunActivity.Entry> logs = entries.stream().filter(e -> e.kind().equals("log")).toList();
        assertEquals(MAX_ENTRIES, logs.size());
        for (int i = 0; i < logs.size(); i++) {
            assertEquals("flood line " + (i + 1), logs.get(i).text());
        }
        List<String> kinds = entries.stream().map(RunActivity.Entry::kind).toList();
        assertEquals(1, kinds.stream().filter("truncated"::equals).count(), kinds.toString());
        int truncated = kinds.indexOf("truncated");
        assertEquals(kinds.lastIndexOf("log") + 1, truncated, "the truncated entry follows the last line kept");
        List<String> after = entries.subList(truncated + 1, entries.size()).stream()
                .map(e -> e.kind() + ": " + e.text()).toList();
        assertTrue(after.size() >= 4 && after.stream().allMatch(t -> t.startsWith("step: ")), after.toString());
        assertTrue(after.get(0).startsWith("step: the agent finished with exit code 0"), after.toString());
        assertTrue(after.stream().anyMatch(t -> t.startsWith("step: committed the agent's changes")), after.toString());
        assertTrue(after.stream().anyMatch(t -> t.startsWith("step: pushing " + last.branch())), after.toString());

        // the operator turned the sandbox off: the run says so, first thing
        assertEquals("step", entries.get(0).kind());
        assertTrue(entries.get(0).text().contains("unconfined") && entries.get(0).text().contains("HANDOFF_LOCAL_SANDBOX=off"),
                entries.get(0).text());
        assertTrue(entries.stream().anyMatch(e -> e.text().equals("starting the agent: bash test-agent.sh, without a sandbox")));
    }
}
