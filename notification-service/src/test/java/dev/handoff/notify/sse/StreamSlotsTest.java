package dev.handoff.notify.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The stream caps without a server: per workspace, per replica, released slots, concurrent opens. */
class StreamSlotsTest {

    @Test
    void aWorkspaceGetsAtMostItsShareAndTheReplicaAtMostItsTotal() {
        StreamSlots slots = new StreamSlots(2, 3);
        assertNull(slots.tryAcquire("a"));
        assertNull(slots.tryAcquire("a"));
        assertEquals(StreamSlots.Refusal.WORKSPACE, slots.tryAcquire("a"));
        assertNull(slots.tryAcquire("b"));
        assertEquals(StreamSlots.Refusal.REPLICA, slots.tryAcquire("c"));
        assertEquals(3, slots.open());

        slots.release("a");
        assertEquals(1, slots.open("a"));
        assertNull(slots.tryAcquire("c"));
        assertEquals(StreamSlots.Refusal.REPLICA, slots.tryAcquire("a"));
        slots.release("b");
        slots.release("b"); // a second release of an unknown slot changes nothing
        assertEquals(2, slots.open());
        assertEquals(0, slots.open("b"));
    }

    @Test
    void concurrentOpensNeverExceedTheCap() throws Exception {
        StreamSlots slots = new StreamSlots(50, 5000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<StreamSlots.Refusal>> tries = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tries.add(pool.submit(() -> slots.tryAcquire("w")));
            }
            int granted = 0;
            for (Future<StreamSlots.Refusal> attempt : tries) {
                if (attempt.get() == null) {
                    granted++;
                }
            }
            assertEquals(50, granted);
            assertEquals(50, slots.open("w"));
        } finally {
            pool.shutdownNow();
        }
    }
}
