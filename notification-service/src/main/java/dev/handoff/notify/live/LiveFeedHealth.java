package dev.handoff.notify.live;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while this replica hears about stored events: without that its streams would go silent. */
@Readiness
@ApplicationScoped
public class LiveFeedHealth implements HealthCheck {

    private final LiveFeed feed;

    public LiveFeedHealth(LiveFeed feed) {
        this.feed = feed;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("live-event-feed").status(feed.isListening())
                .withData("listeners", feed.listenerCount()).build();
    }
}
