package dev.handoff.notify.live;

import dev.handoff.notify.RunEvent;
import dev.handoff.notify.repository.RunEventStore;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.logging.Log;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgNotification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * One replica's view of the events as they are stored, whichever replica stored them: a LISTEN on
 * {@link RunEventStore#CHANNEL}, and for each workspace that has listeners here, a cursor that reads the new rows
 * in sequence order and hands each to the listeners.
 * <p>
 * Why a listener never misses an event: a notification arrives only after its transaction committed, and within a
 * workspace sequences commit in order, so once sequence n is announced every lower one is visible. A listener gets
 * every event announced after it subscribed; whatever committed before is in the replay its connection reads after
 * subscribing (the connection drops the duplicates at the seam by sequence). Notifications are lost only when the
 * LISTEN connection is: then every listener is told ({@link FeedListener#onFeedLost()}) and no new one is accepted
 * until the LISTEN is back, so the clients resume by Last-Event-ID from the database.
 */
public class LiveFeed {

    private static final int FETCH_LIMIT = 500;
    private static final long RETRY_DELAY_MS = 1000;
    /** How long a probe may take before the connection counts as dead: generous, a busy server is not a dead one. */
    private static final long MIN_PROBE_TIMEOUT_MS = 15_000;

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final RunEventStore store;
    private final Duration probeInterval;
    private final Tracer tracer;
    private final Map<String, Workspace> workspaces = new HashMap<>();
    private final Promise<Void> firstListen = Promise.promise();
    /** Who waits for the LISTEN to be back (a stream opened in the second it takes to reconnect). */
    private final List<Promise<Void>> waiters = new ArrayList<>();
    private PgConnection connection;
    private boolean listening;
    private boolean stopped;
    private long probeTimer = -1;
    /** A probe is out (only touched on the event loop that runs the timers). */
    private volatile boolean probing;

    /** {@code probeInterval}: how often the LISTEN connection is checked, so a silently dead one is noticed. */
    public LiveFeed(Vertx vertx, PgConnectOptions options, RunEventStore store, Duration probeInterval) {
        this(vertx, options, store, probeInterval, OpenTelemetry.noop().getTracer("handoff"));
    }

    /** {@code tracer}: makes the span, in each event's stored trace, in which it is handed to the SSE streams. */
    public LiveFeed(Vertx vertx, PgConnectOptions options, RunEventStore store, Duration probeInterval, Tracer tracer) {
        this.tracer = tracer;
        this.vertx = vertx;
        this.options = options;
        this.store = store;
        this.probeInterval = probeInterval;
    }

    /** Starts listening; the future completes with the first LISTEN. Retries by itself until {@link #stop()}. */
    public Future<Void> start() {
        connect();
        return firstListen.future();
    }

    public synchronized Future<Void> stop() {
        stopped = true;
        listening = false;
        if (probeTimer >= 0) {
            vertx.cancelTimer(probeTimer);
        }
        return connection == null ? Future.succeededFuture() : connection.close();
    }

    public synchronized boolean isListening() {
        return listening;
    }

    /**
     * From now on the listener gets every event of the workspace this replica is told about; subscribe before reading
     * the replay of a reconnecting client. False when the feed is not listening (the caller should refuse the client).
     */
    public synchronized boolean subscribe(String workspaceId, FeedListener listener) {
        if (!listening) {
            return false;
        }
        workspaces.computeIfAbsent(workspaceId, Workspace::new).listeners.add(listener);
        return true;
    }

    public synchronized void unsubscribe(String workspaceId, FeedListener listener) {
        Workspace workspace = workspaces.get(workspaceId);
        if (workspace != null) {
            workspace.listeners.remove(listener);
            if (workspace.listeners.isEmpty()) {
                workspaces.remove(workspaceId);
            }
        }
    }

    /**
     * Completes as soon as the feed listens (at once when it does now), or fails after {@code timeout}: a stream
     * opened during the second a lost LISTEN takes to come back is served rather than turned away.
     */
    public Future<Void> whenListening(Duration timeout) {
        Promise<Void> promise = Promise.promise();
        synchronized (this) {
            if (listening) {
                return Future.succeededFuture();
            }
            if (stopped) {
                return Future.failedFuture("the live feed is stopped");
            }
            waiters.add(promise);
        }
        long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
            synchronized (this) {
                waiters.remove(promise);
            }
            promise.tryFail("not listening for stored events after " + timeout.toMillis() + " ms");
        });
        return promise.future().onComplete(done -> vertx.cancelTimer(timer));
    }

    /** How many listeners this replica has (all workspaces). */
    public synchronized int listenerCount() {
        return workspaces.values().stream().mapToInt(w -> w.listeners.size()).sum();
    }

    private void connect() {
        PgConnection.connect(vertx, options)
                .compose(conn -> {
                    conn.notificationHandler(this::onNotification);
                    conn.closeHandler(v -> linkLost(conn));
                    conn.exceptionHandler(e -> Log.debugf("LISTEN connection: %s", e.getMessage()));
                    return conn.query("LISTEN " + RunEventStore.CHANNEL).execute().map(rows -> conn)
                            .onFailure(e -> conn.close());
                })
                .onSuccess(this::listening)
                .onFailure(e -> {
                    Log.warnf("cannot LISTEN on PostgreSQL (%s); retrying", e.getMessage());
                    retry();
                });
    }

    private void listening(PgConnection conn) {
        List<Promise<Void>> waiting;
        synchronized (this) {
            if (stopped) {
                conn.close();
                return;
            }
            connection = conn;
            listening = true;
            probing = false;
            probeTimer = vertx.setPeriodic(probeInterval.toMillis(), t -> probe(conn));
            waiting = new ArrayList<>(waiters);
            waiters.clear();
        }
        Log.debug("listening for stored run events");
        firstListen.tryComplete();
        waiting.forEach(Promise::tryComplete);
    }

    /** A LISTEN connection whose peer vanished without a word is only noticed by using it. */
    private void probe(PgConnection conn) {
        if (probing) {
            return;
        }
        probing = true;
        long deadline = vertx.setTimer(Math.max(MIN_PROBE_TIMEOUT_MS, probeInterval.toMillis()), t -> {
            Log.warn("the PostgreSQL LISTEN connection does not answer; reconnecting");
            conn.close();
        });
        conn.query("select 1").execute().onComplete(result -> {
            probing = false;
            vertx.cancelTimer(deadline);
            if (result.failed()) {
                conn.close();
            }
        });
    }

    private void linkLost(PgConnection conn) {
        List<FeedListener> lost = new ArrayList<>();
        boolean reconnect;
        synchronized (this) {
            if (connection != conn) {
                return;
            }
            connection = null;
            listening = false;
            if (probeTimer >= 0) {
                vertx.cancelTimer(probeTimer);
                probeTimer = -1;
            }
            workspaces.values().forEach(w -> lost.addAll(w.listeners));
            workspaces.clear();
            reconnect = !stopped;
        }
        if (reconnect) {
            Log.warnf("lost the PostgreSQL LISTEN connection; ending %d streams and reconnecting", lost.size());
            retry();
        }
        lost.forEach(FeedListener::onFeedLost);
    }

    private void retry() {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        vertx.setTimer(RETRY_DELAY_MS, t -> connect());
    }

    private void onNotification(PgNotification notification) {
        String payload = notification.getPayload();
        int colon = payload == null ? -1 : payload.lastIndexOf(':');
        if (colon <= 0) {
            Log.debugf("ignoring notification '%s'", payload);
            return;
        }
        long sequence;
        try {
            sequence = Long.parseLong(payload.substring(colon + 1));
        } catch (NumberFormatException e) {
            Log.debugf("ignoring notification '%s'", payload);
            return;
        }
        Workspace workspace;
        synchronized (this) {
            workspace = workspaces.get(payload.substring(0, colon));
        }
        if (workspace != null) {
            workspace.announced(sequence);
        }
        // else nobody here follows this workspace
    }

    /** The listeners of one workspace and how far this replica has read it. One fetch at a time, in order. */
    private final class Workspace {

        final String id;
        final Set<FeedListener> listeners = new CopyOnWriteArraySet<>();
        /** Highest sequence handed to the listeners; -1 until the first announcement since this workspace is followed. */
        private long cursor = -1;
        /** Highest sequence announced (so committed). */
        private long announced = -1;
        private boolean fetching;

        Workspace(String id) {
            this.id = id;
        }

        void announced(long sequence) {
            synchronized (this) {
                if (cursor < 0) {
                    // the first announcement since this workspace is followed: earlier events are in the replays
                    cursor = sequence - 1;
                }
                announced = Math.max(announced, sequence);
                if (fetching || announced <= cursor) {
                    return;
                }
                fetching = true;
            }
            fetch();
        }

        private void fetch() {
            long from;
            long upTo;
            synchronized (this) {
                from = cursor;
                upTo = announced;
            }
            store.tracedBetween(id, from, upTo, FETCH_LIMIT).subscribe().with(events -> {
                deliver(events);
                boolean more;
                synchronized (this) {
                    // a short page read everything up to upTo; missing sequences are gaps that were never stored
                    cursor = events.size() < FETCH_LIMIT ? upTo : events.get(events.size() - 1).event().sequence();
                    more = announced > cursor;
                    fetching = more;
                }
                if (more) {
                    fetch();
                }
            }, failure -> {
                if (listeners.isEmpty()) {
                    synchronized (this) {
                        fetching = false;
                    }
                    return;
                }
                Log.warnf("could not read the new events of workspace %s (%s); retrying", id, failure.getMessage());
                vertx.setTimer(RETRY_DELAY_MS, t -> fetch());
            });
        }

        /**
         * Hands each event to this replica's streams in a span of the trace it was stored in (the trace of the change
         * that caused it, from the launch on), so the SSE write shows in that trace.
         */
        private void deliver(List<RunEventStore.Traced> events) {
            for (RunEventStore.Traced traced : events) {
                RunEvent event = traced.event();
                Span span = tracer.spanBuilder("sse " + event.type().kafkaType())
                        .setParent(traced.trace().restore())
                        .setSpanKind(SpanKind.PRODUCER)
                        .setAttribute("handoff.run_id", String.valueOf(event.runId()))
                        .setAttribute("handoff.event_id", String.valueOf(event.eventId()))
                        .setAttribute("handoff.sse.streams", (long) listeners.size())
                        .startSpan();
                try (Scope ignored = span.makeCurrent()) {
                    for (FeedListener listener : listeners) {
                        try {
                            listener.onEvent(event);
                        } catch (RuntimeException e) {
                            Log.warnf(e, "a listener of workspace %s failed", id);
                        }
                    }
                } finally {
                    span.end();
                }
            }
        }
    }
}
