package dev.handoff.gateway.activity;

import dev.handoff.gateway.provider.ActivityKind;
import dev.handoff.gateway.provider.RunActivity;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One run's activity while it goes on: entries are cleaned as they come, held in a bounded queue and written in
 * batches (a batch as soon as {@link ActivityRepository#EVENT_ENTRIES} are waiting, otherwise {@link #LINGER} after
 * the oldest waiting one), one write at a time, never on the caller's thread. An agent that prints faster than its
 * entries are written waits in {@link #agent} (its pipe fills and it blocks), so memory stays bounded and other runs'
 * writes are not queued behind its flood.
 */
final class RunLog implements RunActivity.Run {

    /** The contract's batching: an event every 250 ms at most while entries come slower than 100 at a time. */
    static final Duration LINGER = Duration.ofMillis(250);
    /** Unwritten entries a run holds at most before its agent waits: 500 of 4,000 characters are 4 MB at worst. */
    static final int CAPACITY = 500;
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** Writes a batch (numbers, outbox) in one transaction. */
    interface Writer {
        Uni<Void> write(RunRef run, List<Entry> batch, long agentEntries, boolean truncated);
    }

    private final RunRef run;
    private final Redactor redactor;
    private final Writer writer;
    private final ScheduledExecutorService timer;
    private final long maxAgentEntries;
    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private long agentEntries;
    private boolean truncated;
    private boolean writing;
    private boolean closed;
    /** Closed and given up on: what could not be written by then is dropped, and not retried for ever. */
    private boolean abandoned;
    private ScheduledFuture<?> scheduled;
    private long reported;
    private long written;

    RunLog(RunRef run, Redactor redactor, Writer writer, ScheduledExecutorService timer, long maxAgentEntries,
            ActivityRepository.Position position) {
        this.run = run;
        this.redactor = redactor;
        this.writer = writer;
        this.timer = timer;
        this.maxAgentEntries = maxAgentEntries;
        this.agentEntries = position.agentEntries();
        this.truncated = position.truncated();
    }

    @Override
    public void step(String text) {
        add(ActivityKind.STEP, redactor.clean(text, 0));
    }

    @Override
    public void error(String text) {
        add(ActivityKind.ERROR, redactor.clean(text, 0));
    }

    @Override
    public void agent(ActivityKind kind, String text, long cutChars) {
        synchronized (this) {
            if (closed || truncated) {
                return;
            }
            if (agentEntries >= maxAgentEntries) {
                truncated = true;
                enqueue(ActivityKind.TRUNCATED, "The agent's output reached " + maxAgentEntries
                        + " entries (HANDOFF_ACTIVITY_MAX_ENTRIES); what it prints from here on is not shown.");
                return;
            }
            agentEntries++;
        }
        String clean = redactor.clean(text, cutChars);
        synchronized (this) {
            try {
                while (!closed && pending.size() >= CAPACITY) {
                    wait(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!closed) {
                enqueue(kind == ActivityKind.STEP ? ActivityKind.LOG : kind, clean);
            }
        }
    }

    @Override
    public String clean(String text, long cutChars) {
        return redactor.clean(text, cutChars);
    }

    private synchronized void add(ActivityKind kind, String clean) {
        if (!closed) {
            enqueue(kind, clean);
        }
    }

    private void enqueue(ActivityKind kind, String clean) {
        pending.add(new Entry(Instant.now(), kind, clean));
        reported++;
        schedule();
    }

    /** Under the lock: starts a write now when a batch is full, else makes sure one starts when the oldest entry is due. */
    private void schedule() {
        if (writing || pending.isEmpty()) {
            return;
        }
        if (pending.size() >= ActivityRepository.EVENT_ENTRIES) {
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
            timer.execute(this::writeDue);
        } else if (scheduled == null) {
            long age = Duration.between(pending.peekFirst().at(), Instant.now()).toMillis();
            scheduled = timer.schedule(this::writeDue, Math.max(0, LINGER.toMillis() - age), TimeUnit.MILLISECONDS);
        }
    }

    /** Takes a batch and writes it; the next one is scheduled when this write has ended. */
    private void writeDue() {
        List<Entry> batch = new ArrayList<>();
        long entries;
        boolean cut;
        synchronized (this) {
            scheduled = null;
            if (writing || pending.isEmpty()) {
                return;
            }
            int bytes = 0;
            while (!pending.isEmpty() && batch.size() < ActivityRepository.EVENT_ENTRIES
                    && (batch.isEmpty() || bytes + pending.peekFirst().jsonBytes() <= ActivityRepository.EVENT_MAX_BYTES)) {
                Entry entry = pending.pollFirst();
                bytes += entry.jsonBytes();
                batch.add(entry);
            }
            writing = true;
            entries = agentEntries;
            cut = truncated;
        }
        Uni.createFrom().deferred(() -> writer.write(run, batch, entries, cut))
                .subscribe().with(done -> written(batch, null), failure -> written(batch, failure));
    }

    private void written(List<Entry> batch, Throwable failure) {
        synchronized (this) {
            writing = false;
            if (failure == null) {
                written += batch.size();
                notifyAll();
                schedule();
                return;
            }
            if (abandoned) {
                return;
            }
            Log.warnf("activity of run %s: %d entries not written yet, retrying: %s", run.runId(), batch.size(),
                    failure.toString());
            for (int i = batch.size() - 1; i >= 0; i--) {
                pending.addFirst(batch.get(i));
            }
            if (scheduled == null) {
                scheduled = timer.schedule(this::writeDue, RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public synchronized boolean flush(Duration timeout) {
        long target = reported;
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!writing && scheduled != null && !pending.isEmpty()) {
            // no need to linger: whoever flushes wants it out now
            scheduled.cancel(false);
            scheduled = null;
            timer.execute(this::writeDue);
        }
        try {
            while (written < target) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                wait(Math.min(left, 100));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        if (!flush(CLOSE_WAIT)) {
            synchronized (this) {
                Log.warnf("activity of run %s: %d entries could not be written and are dropped", run.runId(), pending.size());
                pending.clear();
                abandoned = true;
                if (scheduled != null) {
                    scheduled.cancel(false);
                    scheduled = null;
                }
            }
        }
    }
}
