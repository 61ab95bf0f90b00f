package dev.handoff.notify.sse;

import dev.handoff.notify.RunEvent;
import dev.handoff.notify.live.FeedListener;
import dev.handoff.notify.live.LiveFeed;
import dev.handoff.notify.repository.RunEventStore;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One client's event stream: replay from the database after its Last-Event-ID, then the live events, each exactly
 * once and in sequence order. All state is touched only on the connection's own Vert.x context, so a slow client
 * never holds up anybody else: at most one write is in flight, at most {@code maxPending} items wait behind it, and
 * a client that lets more pile up, or does not take a write within the stall timeout, is dropped. Its EventSource
 * then reconnects with the last id it got and is replayed the rest from the database.
 */
public final class SseConnection implements FeedListener {

    /** Sent once the stream is live (after any replay); EventSource ignores comments. */
    public static final String CONNECTED = "connected";
    public static final String KEEP_ALIVE = "keep-alive";
    /** How long a new stream waits for a lost LISTEN to come back before it is turned away. */
    static final Duration LISTEN_WAIT = Duration.ofSeconds(10);

    private final Context context;
    private final ClientChannel channel;
    private final LiveFeed feed;
    private final RunEventStore store;
    private final Subscription subscription;
    private final Limits limits;
    private final Consumer<SseConnection> onClosed;

    private final ArrayDeque<RunEvent> heldBack = new ArrayDeque<>();
    private final ArrayDeque<Object> outbox = new ArrayDeque<>();
    /** Highest sequence queued for this client; nothing at or below it is sent again. */
    private long lastQueued;
    private boolean replaying;
    private boolean writing;
    private long writingSince;
    private Runnable whenDrained;
    private boolean closed;
    /** The timer that ends the stream when its token expires (-1: none). */
    private long expiryTimer = -1;

    /** What the client asked for: its workspace, optional task/run filters, and where to resume (null: live only). */
    public record Subscription(String workspaceId, UUID taskId, UUID runId, Long lastEventId) {
    }

    /** How much a client may lag before it is dropped, and the replay page size. */
    public record Limits(int maxPending, long stallTimeoutMillis, int replayPageSize) {
    }

    public SseConnection(Context context, ClientChannel channel, LiveFeed feed, RunEventStore store,
            Subscription subscription, Limits limits, Consumer<SseConnection> onClosed) {
        this.context = context;
        this.channel = channel;
        this.feed = feed;
        this.store = store;
        this.subscription = subscription;
        this.limits = limits;
        this.onClosed = onClosed;
    }

    /**
     * Ends the stream at {@code epochMillis}, when its token expires: the client reconnects with a fresh token and
     * its Last-Event-ID and misses nothing. Call before {@link #start()}.
     */
    public void endAt(long epochMillis) {
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            long delay = Math.max(1, epochMillis - System.currentTimeMillis());
            expiryTimer = context.owner().setTimer(delay, id -> context.runOnContext(x -> {
                expiryTimer = -1;
                if (!closed) {
                    Log.debugf("a stream of workspace %s ends: its token expired", subscription.workspaceId());
                    doClose();
                }
            }));
        });
    }

    /** Subscribes to the live feed first, then replays from the database; live events wait until the replay ends. */
    public void start() {
        context.runOnContext(v -> begin(true));
    }

    private void begin(boolean mayWait) {
        if (closed) {
            return;
        }
        replaying = subscription.lastEventId() != null;
        lastQueued = replaying ? subscription.lastEventId() : 0;
        if (!feed.subscribe(subscription.workspaceId(), this)) {
            if (mayWait) {
                // the LISTEN is being re-established (it takes about a second): wait for it rather than refuse
                feed.whenListening(LISTEN_WAIT).onComplete(listening -> context.runOnContext(x -> begin(false)));
                return;
            }
            // not hearing about new events right now: let the client come back shortly (readiness is down too)
            Log.infof("refusing a stream of workspace %s: not listening for stored events", subscription.workspaceId());
            channel.comment("unavailable", 1000);
            close();
            return;
        }
        if (replaying) {
            replayPage();
        } else {
            enqueue(CONNECTED);
        }
    }

    @Override
    public void onEvent(RunEvent event) {
        context.runOnContext(v -> live(event));
    }

    @Override
    public void onFeedLost() {
        context.runOnContext(v -> close());
    }

    /** Heartbeat tick: a comment when idle, and the end for a client that stopped taking writes. */
    public void heartbeat() {
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            if (writing && System.currentTimeMillis() - writingSince > limits.stallTimeoutMillis()) {
                drop("stalled");
            } else if (!writing && outbox.isEmpty()) {
                enqueue(KEEP_ALIVE);
            }
        });
    }

    /** The client went away (or the server is stopping). */
    public void close() {
        context.runOnContext(v -> doClose());
    }

    public String workspaceId() {
        return subscription.workspaceId();
    }

    private void replayPage() {
        store.after(subscription.workspaceId(), lastQueued, subscription.taskId(), subscription.runId(),
                limits.replayPageSize())
                .subscribe().with(
                        events -> context.runOnContext(v -> replayed(events)),
                        failure -> context.runOnContext(v -> {
                            Log.warnf("replay for workspace %s failed: %s", subscription.workspaceId(), failure.getMessage());
                            doClose();
                        }));
    }

    private void replayed(List<RunEvent> events) {
        if (closed) {
            return;
        }
        events.forEach(this::enqueue);
        if (events.size() == limits.replayPageSize()) {
            // the next page once this one is on the wire: a replay never sits in memory as a whole
            whenDrained = this::replayPage;
            drainedCheck();
            return;
        }
        replaying = false;
        while (!heldBack.isEmpty()) {
            RunEvent event = heldBack.poll();
            if (event.sequence() > lastQueued) {
                enqueue(event);
            }
        }
        enqueue(CONNECTED);
    }

    private void live(RunEvent event) {
        if (closed || !event.matches(subscription.taskId(), subscription.runId())) {
            return;
        }
        if (replaying) {
            heldBack.add(event);
            if (heldBack.size() > limits.maxPending()) {
                drop("too many events during its replay");
            }
        } else if (event.sequence() > lastQueued) {
            enqueue(event);
        }
    }

    private void enqueue(Object item) {
        if (closed) {
            return;
        }
        if (item instanceof RunEvent event) {
            lastQueued = event.sequence();
        }
        outbox.add(item);
        if (outbox.size() > limits.maxPending()) {
            drop("too slow");
            return;
        }
        pump();
    }

    private void pump() {
        if (writing || closed || outbox.isEmpty()) {
            return;
        }
        Object item = outbox.poll();
        writing = true;
        writingSince = System.currentTimeMillis();
        CompletionStage<?> written;
        try {
            written = item instanceof RunEvent event ? channel.send(event) : channel.comment((String) item, 0);
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        written.whenComplete((ignored, failure) -> context.runOnContext(v -> written(failure)));
    }

    private void written(Throwable failure) {
        writing = false;
        if (closed) {
            return;
        }
        if (failure != null) {
            Log.debugf("client of workspace %s gone: %s", subscription.workspaceId(), failure.getMessage());
            doClose();
            return;
        }
        if (outbox.isEmpty()) {
            drainedCheck();
        } else {
            pump();
        }
    }

    private void drainedCheck() {
        if (!writing && outbox.isEmpty() && whenDrained != null) {
            Runnable next = whenDrained;
            whenDrained = null;
            next.run();
        }
    }

    private void drop(String reason) {
        Log.debugf("dropping a client of workspace %s: %s (it resumes by Last-Event-ID)", subscription.workspaceId(),
                reason);
        doClose();
    }

    private void doClose() {
        if (closed) {
            return;
        }
        closed = true;
        if (expiryTimer >= 0) {
            context.owner().cancelTimer(expiryTimer);
            expiryTimer = -1;
        }
        feed.unsubscribe(subscription.workspaceId(), this);
        outbox.clear();
        heldBack.clear();
        whenDrained = null;
        try {
            channel.close();
        } catch (RuntimeException e) {
            Log.debugf("closing a stream: %s", e.getMessage());
        }
        onClosed.accept(this);
    }
}
