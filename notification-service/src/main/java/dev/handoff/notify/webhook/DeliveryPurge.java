package dev.handoff.notify.webhook;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** Deletes finished delivery records older than {@code handoff.webhooks.retention}; every replica, idempotent. */
@ApplicationScoped
public class DeliveryPurge {

    private final WebhookStore store;
    private final WebhookConfig config;

    public DeliveryPurge(WebhookStore store, WebhookConfig config) {
        this.store = store;
        this.config = config;
    }

    @Scheduled(every = "${handoff.webhooks.purge-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledPurge() {
        return purge(Instant.now()).replaceWithVoid();
    }

    public Uni<Integer> purge(Instant now) {
        return store.purge(now.minus(config.retention())).invoke(deleted -> {
            if (deleted > 0) {
                Log.infof("purged %d webhook delivery records older than %s", deleted, config.retention());
            }
        });
    }
}
