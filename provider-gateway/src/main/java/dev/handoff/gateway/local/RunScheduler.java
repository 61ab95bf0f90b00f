package dev.handoff.gateway.local;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where local runs wait for one of the {@code workers} agent slots of this replica. The wait is bounded: beyond
 * {@code maxQueued} waiting runs a new one is refused at once ({@link QueueFull}) instead of waiting for hours. It is
 * fair between workspaces: while a run of another workspace waits, a workspace gets no further slot once it holds
 * {@link #share()} (half of the slots, at least one); with nobody else waiting it may use them all. A workspace's runs
 * start in the order they came; between workspaces, the one whose next run has waited longest goes first. (When every
 * waiting workspace already holds its share, which an odd number of slots allows, a free slot goes to the one holding
 * fewest rather than stay idle.)
 */
final class RunScheduler {

    /** The queue is full: the run is not accepted. */
    static final class QueueFull extends RuntimeException {
        QueueFull(int maxQueued) {
            super(maxQueued + " local runs are already waiting for an agent slot", null, false, false);
        }
    }

    private record Waiting(long order, Runnable task) {
    }

    private final int workers;
    private final int maxQueued;
    private final ExecutorService threads;
    private final Map<String, Deque<Waiting>> waiting = new LinkedHashMap<>();
    private final Map<String, Integer> running = new HashMap<>();
    private final AtomicLong order = new AtomicLong();
    private int queued;
    private int busy;
    private boolean shutdown;

    RunScheduler(int workers, int maxQueued, String threadName) {
        if (workers < 1 || maxQueued < 0) {
            throw new IllegalArgumentException("workers must be at least 1 and maxQueued not negative");
        }
        this.workers = workers;
        this.maxQueued = maxQueued;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, threadName + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** How many slots one workspace may hold while another workspace's run waits. */
    int share() {
        return Math.max(1, workers / 2);
    }

    /**
     * Queues a run of a workspace (it starts at once when a slot is free and the workspace may take it).
     *
     * @throws QueueFull when {@code maxQueued} runs are already waiting
     * @throws IllegalStateException after {@link #shutdown()}
     */
    synchronized void submit(String workspace, Runnable task) {
        if (shutdown) {
            throw new IllegalStateException("the local provider is stopping");
        }
        if (queued >= maxQueued && !(canStartNow(workspace))) {
            throw new QueueFull(maxQueued);
        }
        waiting.computeIfAbsent(workspace, w -> new ArrayDeque<>()).addLast(new Waiting(order.incrementAndGet(), task));
        queued++;
        dispatch();
    }

    /** Work that takes no agent slot (housekeeping), on the same threads. */
    void background(Runnable task) {
        threads.execute(task);
    }

    /** How many runs wait for a slot. */
    synchronized int queued() {
        return queued;
    }

    /** How many runs hold a slot. */
    synchronized int running() {
        return busy;
    }

    /** Takes no new run; those queued still start in turn (and see that they are to stop). */
    synchronized void shutdown() {
        shutdown = true;
        if (queued == 0 && busy == 0) {
            threads.shutdown();
        }
    }

    /** Waits until every queued and running run has ended; false when the time ran out. */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this) {
            while (queued > 0 || busy > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return true;
    }

    /** Drops the queued runs and interrupts the running ones. */
    synchronized void shutdownNow() {
        shutdown = true;
        waiting.clear();
        queued = 0;
        threads.shutdownNow();
        notifyAll();
    }

    /** A free slot the workspace may take now, with nobody waiting ahead of it (so a full queue does not refuse it). */
    private boolean canStartNow(String workspace) {
        return busy < workers && queued == 0 && mayTake(workspace);
    }

    /** Starts waiting runs while slots are free: each time the eligible workspace whose next run waited longest. */
    private void dispatch() {
        while (busy < workers && queued > 0) {
            String next = null;
            long oldest = Long.MAX_VALUE;
            for (Map.Entry<String, Deque<Waiting>> entry : waiting.entrySet()) {
                Waiting head = entry.getValue().peekFirst();
                if (head != null && head.order() < oldest && mayTake(entry.getKey())) {
                    oldest = head.order();
                    next = entry.getKey();
                }
            }
            if (next == null) {
                // every waiting workspace holds its share already (an odd number of slots): rather than leave the
                // slot idle, it goes to the one holding fewest
                next = fewestRunning();
            }
            start(next, take(next));
        }
    }

    private String fewestRunning() {
        String fewest = null;
        for (String workspace : waiting.keySet()) {
            if (fewest == null || running.getOrDefault(workspace, 0) < running.getOrDefault(fewest, 0)
                    || running.getOrDefault(workspace, 0).equals(running.getOrDefault(fewest, 0))
                            && waiting.get(workspace).peekFirst().order() < waiting.get(fewest).peekFirst().order()) {
                fewest = workspace;
            }
        }
        return fewest;
    }

    /** Below its share, or nobody of another workspace waits. */
    private boolean mayTake(String workspace) {
        if (running.getOrDefault(workspace, 0) < share()) {
            return true;
        }
        for (Map.Entry<String, Deque<Waiting>> entry : waiting.entrySet()) {
            if (!entry.getKey().equals(workspace) && !entry.getValue().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private Waiting take(String workspace) {
        Deque<Waiting> runs = waiting.get(workspace);
        Waiting head = runs.pollFirst();
        if (runs.isEmpty()) {
            waiting.remove(workspace);
        }
        queued--;
        return head;
    }

    private void start(String workspace, Waiting run) {
        busy++;
        running.merge(workspace, 1, Integer::sum);
        try {
            threads.execute(() -> {
                try {
                    run.task().run();
                } finally {
                    finished(workspace);
                }
            });
        } catch (RuntimeException rejected) {
            finished(workspace);
            throw rejected;
        }
    }

    private synchronized void finished(String workspace) {
        busy--;
        running.computeIfPresent(workspace, (w, n) -> n <= 1 ? null : n - 1);
        dispatch();
        if (shutdown && queued == 0 && busy == 0) {
            threads.shutdown();
        }
        notifyAll();
    }
}
