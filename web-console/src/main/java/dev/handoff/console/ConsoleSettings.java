package dev.handoff.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Where the console forwards {@code /api/**}: the four services' base URLs (the same variables the services use). */
@ConfigMapping(prefix = "handoff")
public interface ConsoleSettings {

    /** task-service, {@code HANDOFF_TASKS_URL}. */
    @WithDefault("http://127.0.0.1:8081")
    String tasksUrl();

    /** agent-run-service, {@code HANDOFF_RUNS_URL}. */
    @WithDefault("http://127.0.0.1:8082")
    String runsUrl();

    /** provider-gateway, {@code HANDOFF_GATEWAY_URL}. */
    @WithDefault("http://127.0.0.1:8083")
    String gatewayUrl();

    /** notification-service, {@code HANDOFF_NOTIFICATIONS_URL}. */
    @WithDefault("http://127.0.0.1:8084")
    String notificationsUrl();

    /** How long to wait for a service to accept the connection. */
    @WithDefault("5s")
    Duration connectTimeout();

    /**
     * A connection to a service that carries nothing for this long is closed (the answer fails with 502). The event
     * stream is not affected: notification-service writes a heartbeat every 15 s.
     */
    @WithDefault("60s")
    Duration idleTimeout();

    /** Connections per service. Every open event stream holds one to notification-service for as long as it lasts. */
    @WithDefault("2000")
    int maxConnections();
}
