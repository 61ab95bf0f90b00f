package dev.handoff.notify.sse;

import dev.handoff.notify.NotifyConfig;
import dev.handoff.notify.live.LiveFeed;
import dev.handoff.notify.repository.RunEventStore;
import dev.handoff.web.ProblemException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SSE connections of this replica: opens them within the caps ({@link StreamSlots}), beats their heartbeat, ends
 * each when its token expires and all of them on shutdown.
 */
@ApplicationScoped
public class SseConnections {

    private final Vertx vertx;
    private final LiveFeed feed;
    private final RunEventStore store;
    private final NotifyConfig config;
    private final SseLimitsConfig limitsConfig;
    private final StreamSlots slots;
    private final Set<SseConnection> open = ConcurrentHashMap.newKeySet();
    private long heartbeatTimer = -1;

    public SseConnections(Vertx vertx, LiveFeed feed, RunEventStore store, NotifyConfig config,
            SseLimitsConfig limitsConfig) {
        this.vertx = vertx;
        this.feed = feed;
        this.store = store;
        this.config = config;
        this.limitsConfig = limitsConfig;
        this.slots = new StreamSlots(limitsConfig.maxPerWorkspace(), limitsConfig.max());
    }

    void start(@Observes StartupEvent startup) {
        heartbeatTimer = vertx.setPeriodic(config.sse().heartbeat().toMillis(),
                t -> open.forEach(SseConnection::heartbeat));
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
        // clients reconnect (to another replica) with their Last-Event-ID
        open.forEach(SseConnection::close);
    }

    /** Opens a stream on {@code context} (the request's); it runs until the client leaves or is dropped. */
    public SseConnection open(Context context, ClientChannel channel, SseConnection.Subscription subscription) {
        return open(context, channel, subscription, 0);
    }

    /**
     * Opens a stream that ends at {@code expiresAtMillis} (epoch millis, the token's {@code exp}; 0: never), when the
     * workspace and the replica are under their caps; otherwise 429 {@code concurrency-limit} with
     * {@code Retry-After}, and nothing is opened.
     */
    public SseConnection open(Context context, ClientChannel channel, SseConnection.Subscription subscription,
            long expiresAtMillis) {
        String workspace = subscription.workspaceId();
        StreamSlots.Refusal refused = slots.tryAcquire(workspace);
        if (refused != null) {
            throw concurrencyLimit(refused);
        }
        SseConnection connection = new SseConnection(context, channel, feed, store, subscription, limits(config),
                closed -> {
                    if (open.remove(closed)) {
                        slots.release(workspace);
                    }
                });
        open.add(connection);
        if (expiresAtMillis > 0) {
            connection.endAt(expiresAtMillis);
        }
        connection.start();
        return connection;
    }

    private ProblemException concurrencyLimit(StreamSlots.Refusal refused) {
        long retryAfter = Math.max(1, limitsConfig.retryAfter().toSeconds());
        String detail = refused == StreamSlots.Refusal.WORKSPACE
                ? "this workspace already has " + slots.perWorkspace() + " open event streams (at most "
                        + slots.perWorkspace() + "); close one or try again later"
                : "this server holds its maximum of " + slots.total() + " event streams; try again shortly";
        Map<String, Object> extensions = refused == StreamSlots.Refusal.WORKSPACE
                ? Map.of("maxStreamsPerWorkspace", slots.perWorkspace())
                : Map.of("maxStreams", slots.total());
        return new ProblemException(429, "concurrency-limit", "Too many event streams", detail, extensions,
                Map.of("Retry-After", String.valueOf(retryAfter)));
    }

    /** Open streams of {@code workspace} on this replica. */
    public int size(String workspace) {
        return slots.open(workspace);
    }

    public int size() {
        return open.size();
    }

    public static SseConnection.Limits limits(NotifyConfig config) {
        return new SseConnection.Limits(config.sse().maxPending(), config.sse().stallTimeout().toMillis(),
                config.sse().replayPageSize());
    }
}
