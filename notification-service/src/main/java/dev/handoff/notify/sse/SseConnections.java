package dev.handoff.notify.sse;

import dev.handoff.notify.NotifyConfig;
import dev.handoff.notify.live.LiveFeed;
import dev.handoff.notify.repository.RunEventStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The SSE connections of this replica: opens them, beats their heartbeat, ends them on shutdown. */
@ApplicationScoped
public class SseConnections {

    private final Vertx vertx;
    private final LiveFeed feed;
    private final RunEventStore store;
    private final NotifyConfig config;
    private final Set<SseConnection> open = ConcurrentHashMap.newKeySet();
    private long heartbeatTimer = -1;

    public SseConnections(Vertx vertx, LiveFeed feed, RunEventStore store, NotifyConfig config) {
        this.vertx = vertx;
        this.feed = feed;
        this.store = store;
        this.config = config;
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
        SseConnection connection = new SseConnection(context, channel, feed, store, subscription, limits(config),
                open::remove);
        open.add(connection);
        connection.start();
        return connection;
    }

    public int size() {
        return open.size();
    }

    public static SseConnection.Limits limits(NotifyConfig config) {
        return new SseConnection.Limits(config.sse().maxPending(), config.sse().stallTimeout().toMillis(),
                config.sse().replayPageSize());
    }
}
