package dev.handoff.gateway.cursor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunStatus;
import dev.handoff.gateway.cursor.CursorClient.Agent;
import dev.handoff.gateway.cursor.CursorClient.AgentTarget;
import dev.handoff.gateway.service.RunUpdate;
import org.junit.jupiter.api.Test;

/** Cursor's agent statuses onto run updates: plain logic, no Quarkus. */
class CursorStatusesTest {

    private static final String PAGE = "https://cursor.com/agents?id=bc_1";

    private static Agent agent(String status, String prUrl, String summary) {
        return new Agent("bc_1", "Add a shout option", status, null,
                new AgentTarget("handoff/shout-1", PAGE, prUrl, true), summary, "2026-12-01T10:00:00Z");
    }

    @Test
    void creatingAndUnknownStatusesAreStillPending() {
        assertTrue(CursorStatuses.update(agent("CREATING", null, null), null).isEmpty());
        assertTrue(CursorStatuses.update(agent("PAUSED", null, null), null).isEmpty());
        assertTrue(CursorStatuses.update(agent(null, null, null), null).isEmpty());
    }

    @Test
    void runningReportsTheAgentItsPageAndBranch() {
        RunUpdate update = CursorStatuses.update(agent("RUNNING", null, null), null).orElseThrow();
        assertEquals(RunStatus.RUNNING, update.status());
        assertEquals("RUNNING", update.providerStatus());
        assertEquals("bc_1", update.providerRunId());
        assertEquals(PAGE, update.providerUrl());
        assertEquals("handoff/shout-1", update.branch());
    }

    @Test
    void finishedCompletesWithThePullRequestBranchAndSummary() {
        RunUpdate update = CursorStatuses.update(agent("FINISHED", "https://github.com/acme/greeter/pull/7", "Added --shout"), null)
                .orElseThrow();
        assertEquals(RunStatus.COMPLETED, update.status());
        assertEquals("FINISHED", update.providerStatus());
        assertEquals("https://github.com/acme/greeter/pull/7", update.pullRequestUrl());
        assertEquals("handoff/shout-1", update.branch());
        assertEquals("Added --shout", update.summary());
        assertEquals("bc_1", update.providerRunId());
        assertEquals(PAGE, update.providerUrl());
        assertNull(update.error());

        RunUpdate unsummarised = CursorStatuses.update(agent("FINISHED", null, null), null).orElseThrow();
        assertEquals("Cursor's agent finished.", unsummarised.summary());
        assertNull(unsummarised.pullRequestUrl());
    }

    @Test
    void errorAndExpiredFailWithTheirOwnCodes() {
        RunUpdate error = CursorStatuses.update(agent("ERROR", null, "Could not access the repository"), null).orElseThrow();
        assertEquals(RunStatus.FAILED, error.status());
        assertEquals("provider-error", error.error().code());
        assertEquals("Cursor's agent stopped with an error: Could not access the repository", error.error().message());
        assertEquals("Cursor's agent stopped with an error",
                CursorStatuses.update(agent("ERROR", null, null), null).orElseThrow().error().message());

        RunUpdate expired = CursorStatuses.update(agent("EXPIRED", null, null), null).orElseThrow();
        assertEquals(RunStatus.FAILED, expired.status());
        assertEquals("EXPIRED", expired.providerStatus());
        assertEquals("provider-expired", expired.error().code());
    }

    @Test
    void anAnswerWithoutAnIdKeepsTheKnownAgent() {
        Agent anonymous = new Agent(null, null, "FINISHED", null, null, null, null);
        RunUpdate update = CursorStatuses.update(anonymous, "bc_known").orElseThrow();
        assertEquals("bc_known", update.providerRunId());
        assertNull(update.providerUrl());
        assertNull(update.branch());
    }
}
