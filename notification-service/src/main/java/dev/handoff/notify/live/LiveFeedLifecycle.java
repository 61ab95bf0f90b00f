package dev.handoff.notify.live;

import dev.handoff.notify.NotifyConfig;
import dev.handoff.notify.repository.RunEventStore;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Makes this replica's {@link LiveFeed} from the service's own datasource settings, and starts and stops it. */
@ApplicationScoped
public class LiveFeedLifecycle {

    /** How the LISTEN connection shows in pg_stat_activity. */
    public static final String APPLICATION_NAME = "handoff-notify-live-feed";
    private static final long STARTUP_WAIT_SECONDS = 15;

    @Produces
    @Singleton
    LiveFeed liveFeed(Vertx vertx, RunEventStore store, NotifyConfig config, Tracer tracer,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        return new LiveFeed(vertx, connectOptions(url, user, password), store, config.sse().heartbeat(), tracer);
    }

    /** The LISTEN connection uses the datasource's server and credentials, outside the pool (it is held forever). */
    public static PgConnectOptions connectOptions(String reactiveUrl, String user, String password) {
        String uri = reactiveUrl.startsWith("vertx-reactive:") ? reactiveUrl.substring("vertx-reactive:".length())
                : reactiveUrl;
        return PgConnectOptions.fromUri(uri).setUser(user).setPassword(password).setTcpKeepAlive(true)
                .addProperty("application_name", APPLICATION_NAME);
    }

    void start(@Observes StartupEvent startup, LiveFeed feed) {
        try {
            feed.start().toCompletionStage().toCompletableFuture().get(STARTUP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            // not fatal: it keeps trying, readiness stays down and streams are refused until it listens
            Log.warnf("not yet listening for stored events after %d s; still trying", STARTUP_WAIT_SECONDS);
        }
    }

    void stop(@Observes ShutdownEvent shutdown, LiveFeed feed) {
        feed.stop();
    }
}
