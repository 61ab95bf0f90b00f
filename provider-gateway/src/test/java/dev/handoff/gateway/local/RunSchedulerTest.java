package dev.handoff.gateway.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The local provider's queue: bounded, fair between workspaces, in order within one. Plain logic, no Quarkus. */
class RunSchedulerTest {

    private final List<String> started = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> release = new ConcurrentHashMap<>();
    private RunScheduler scheduler;

    @AfterEach
    void releaseAll() throws InterruptedException {
        release.values().forEach(CountDownLatch::countDown);
        if (scheduler != null) {
            scheduler.shutdown();
            assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void oneWorkspaceUsesEverySlotWhileNobodyElseWaits() throws Exception {
        scheduler = new RunScheduler(4, 10, "test");
        for (int i = 1; i <= 6; i++) {
            submit("a", "a" + i);
        }
        awaitStarted(4);
        assertEquals(List.of("a1", "a2", "a3", "a4"), started.stream().sorted().toList(), "the first four, at once");
        assertEquals(2, scheduler.queued());
    }

    @Test
    void aWorkspaceHoldingHalfTheSlotsGetsNoMoreWhileAnotherWorkspaceWaits() throws Exception {
        scheduler = new RunScheduler(4, 10, "test");
        for (int i = 1; i <= 6; i++) {
            submit("a", "a" + i);
        }
        awaitStarted(4);
        submit("b", "b1");
        submit("b", "b2");
        submit("b", "b3");
        assertEquals(4, started.size(), "every slot is taken: b waits");

        finish("a1");
        awaitStarted(5);
        assertEquals("b1", started.get(4), "the freed slot goes to the waiting workspace, not to a's next run");
        finish("a2");
        awaitStarted(6);
        assertEquals("b2", started.get(5));
        finish("a3");
        awaitStarted(7);
        assertEquals("a5", started.get(6), "b now holds its half (2 of 4): a, below its half, gets the slot back");
        finish("b1");
        awaitStarted(8);
        assertEquals("b3", started.get(7), "a holds its half while b waits, so b gets the slot");
        finish("b2");
        finish("b3");
        awaitStarted(9);
        assertEquals("a6", started.get(8), "with nobody else waiting, a takes a slot beyond its half");
        assertEquals(0, scheduler.queued());
    }

    @Test
    void aWorkspaceBelowItsShareTakesAFreedSlotBeforeOneAtItsShare() throws Exception {
        scheduler = new RunScheduler(2, 10, "test");
        submit("a", "a1");
        submit("a", "a2");
        awaitStarted(2);
        submit("a", "a3");
        submit("b", "b1");
        finish("a1");
        awaitStarted(3);
        assertEquals("b1", started.get(2), "a3 came first but a already holds its share (1 of 2) while b waits");
    }

    @Test
    void aWorkspacesRunsStartInTheOrderTheyCame() throws Exception {
        scheduler = new RunScheduler(1, 20, "test");
        for (int i = 1; i <= 8; i++) {
            submit("a", "a" + i);
        }
        for (int i = 1; i <= 8; i++) {
            awaitStarted(i);
            finish("a" + i);
        }
        awaitStarted(8);
        assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"), started);
    }

    @Test
    void runsBeyondTheBoundAreRefusedAtOnceAndAcceptedAgainWhenThereIsRoom() throws Exception {
        scheduler = new RunScheduler(1, 2, "test");
        submit("a", "a1");
        awaitStarted(1);
        submit("a", "a2");
        submit("b", "b1");
        RunScheduler.QueueFull full = assertThrows(RunScheduler.QueueFull.class, () -> submit("c", "c1"));
        assertTrue(full.getMessage().contains("2 local runs are already waiting"), full.getMessage());
        assertEquals(2, scheduler.queued(), "the refused run was not queued");

        finish("a1");
        awaitStarted(2);
        submit("c", "c1");
        assertEquals(2, scheduler.queued());
    }

    @Test
    void afterShutdownNoRunIsTakenButQueuedOnesStillRun() throws Exception {
        scheduler = new RunScheduler(1, 5, "test");
        submit("a", "a1");
        submit("a", "a2");
        awaitStarted(1);
        scheduler.shutdown();
        assertThrows(IllegalStateException.class, () -> submit("a", "a3"));
        finish("a1");
        finish("a2");
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(List.of("a1", "a2"), started);
    }

    private void submit(String workspace, String name) {
        CountDownLatch latch = release.computeIfAbsent(name, n -> new CountDownLatch(1));
        scheduler.submit(workspace, () -> {
            started.add(name);
            try {
                latch.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void finish(String name) {
        release.computeIfAbsent(name, n -> new CountDownLatch(1)).countDown();
    }

    private void awaitStarted(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> started.size() >= count);
        // and no further run starts on its own
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> started.size() == count);
        assertEquals(count, started.size(), "runs started: " + started);
    }
}
