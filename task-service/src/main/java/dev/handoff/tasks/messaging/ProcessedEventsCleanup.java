package dev.handoff.tasks.messaging;

import dev.handoff.tasks.TasksConfig;
import dev.handoff.tasks.service.AgentRunProjection;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** Keeps the table of processed event ids from growing forever. */
@ApplicationScoped
public class ProcessedEventsCleanup {

    private final AgentRunProjection projection;
    private final TasksConfig config;

    public ProcessedEventsCleanup(AgentRunProjection projection, TasksConfig config) {
        this.projection = projection;
        this.config = config;
    }

    @Scheduled(every = "${handoff.tasks.processed-events-cleanup-every}", delayed = "${handoff.tasks.processed-events-cleanup-delay}",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public Uni<Void> forgetOldEventIds() {
        return projection.forgetProcessedBefore(Instant.now().minus(config.processedEventsRetention()))
                .invoke(count -> {
                    if (count > 0) {
                        Log.debugf("forgot %d processed event ids", count);
                    }
                })
                .replaceWithVoid()
                // the next run tries again; nothing depends on one cleanup
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("could not forget old event ids: %s", failure.toString());
                    return null;
                });
    }
}
