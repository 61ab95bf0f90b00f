package dev.handoff.run.client;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** provider-gateway's agent configuration of the caller's workspace, bounded in time like {@link TaskServiceClient}. */
@ApplicationScoped
public class ProviderGatewayClient {

    private final ProviderGatewayApi api;

    public ProviderGatewayClient(@RestClient ProviderGatewayApi api) {
        this.api = api;
    }

    /** Empty when the workspace has no agent configuration (the gateway's 404). */
    @Timeout(value = 1500, unit = ChronoUnit.MILLIS)
    @Retry(maxRetries = 1, delay = 100, jitter = 50, abortOn = DownstreamRejected.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5000, skipOn = DownstreamRejected.class)
    public Uni<Optional<AgentConfig>> agentConfig(String bearerToken) {
        return api.agentConfig("Bearer " + bearerToken)
                .map(json -> Downstream.parse(json, AgentConfig.class))
                .onFailure().recoverWithItem(failure -> Downstream.notFoundOrFail("provider-gateway", failure));
    }
}
