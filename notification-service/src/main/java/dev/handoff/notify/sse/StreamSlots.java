package dev.handoff.notify.sse;

import java.util.HashMap;
import java.util.Map;

/**
 * How many streams are open on this replica, in total and per workspace, and whether one more may open: at most
 * {@code perWorkspace} for one workspace ({@code HANDOFF_SSE_MAX_PER_WORKSPACE}) and {@code total} in all
 * ({@code HANDOFF_SSE_MAX}). Taking and giving back a slot are atomic, so concurrent opens never exceed a cap.
 */
public final class StreamSlots {

    /** Why a stream was refused. */
    public enum Refusal {
        WORKSPACE, REPLICA
    }

    private final int perWorkspace;
    private final int total;
    private final Map<String, Integer> byWorkspace = new HashMap<>();
    private int open;

    public StreamSlots(int perWorkspace, int total) {
        if (perWorkspace < 1 || total < 1) {
            throw new IllegalArgumentException("stream limits must be at least 1");
        }
        this.perWorkspace = perWorkspace;
        this.total = total;
    }

    /** Takes a slot for a stream of {@code workspace}: null when taken, or why there is none. */
    public synchronized Refusal tryAcquire(String workspace) {
        int ofWorkspace = byWorkspace.getOrDefault(workspace, 0);
        if (ofWorkspace >= perWorkspace) {
            return Refusal.WORKSPACE;
        }
        if (open >= total) {
            return Refusal.REPLICA;
        }
        byWorkspace.put(workspace, ofWorkspace + 1);
        open++;
        return null;
    }

    /** Gives back the slot of a stream of {@code workspace} that ended. */
    public synchronized void release(String workspace) {
        Integer ofWorkspace = byWorkspace.get(workspace);
        if (ofWorkspace == null) {
            return;
        }
        if (ofWorkspace <= 1) {
            byWorkspace.remove(workspace);
        } else {
            byWorkspace.put(workspace, ofWorkspace - 1);
        }
        open--;
    }

    public synchronized int open() {
        return open;
    }

    public synchronized int open(String workspace) {
        return byWorkspace.getOrDefault(workspace, 0);
    }

    public int perWorkspace() {
        return perWorkspace;
    }

    public int total() {
        return total;
    }
}
