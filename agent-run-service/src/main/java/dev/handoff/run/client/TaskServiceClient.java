package dev.handoff.run.client;

import dev.handoff.events.AgentContext;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * task-service's agent context, bounded in time: an outage fails within about three seconds (two attempts of at
 * most 1.5 s), and a breaker stops calling a service that keeps failing.
 */
@ApplicationScoped
public class TaskServiceClient {

    private final TaskServiceApi api;

    public TaskServiceClient(@RestClient TaskServiceApi api) {
        this.api = api;
    }

    /** The task and its brief as an agent gets them; empty when the task does not exist in the caller's workspace. */
    @Timeout(value = 1500, unit = ChronoUnit.MILLIS)
    @Retry(maxRetries = 1, delay = 100, jitter = 50, abortOn = DownstreamRejected.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5000, skipOn = DownstreamRejected.class)
    public Uni<Optional<AgentContext>> agentContext(UUID taskId, String bearerToken) {
        return api.agentContext(taskId, "Bearer " + bearerToken)
                .map(json -> Downstream.parse(json, AgentContext.class))
                .onFailure().recoverWithItem(failure -> Downstream.notFoundOrFail("task-service", failure));
    }
}
