package dev.handoff.run.client;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * The providers the gateway has, as its last agent-configuration answer listed them (the list is the gateway's, the
 * same for every workspace). A launch checks its body against the list kept, without waiting for the gateway; the
 * launch's own agent-configuration read then brings the current list.
 */
@ApplicationScoped
public class GatewayProviders {

    private final ProviderGatewayClient gateway;
    private volatile ProviderCatalog kept = ProviderCatalog.UNKNOWN;

    public GatewayProviders(ProviderGatewayClient gateway) {
        this.gateway = gateway;
    }

    /** The list kept; {@link ProviderCatalog#UNKNOWN} before the gateway was first read. */
    public ProviderCatalog kept() {
        return kept;
    }

    /** The list an agent-configuration answer carries (kept for the next launches); the kept one when it has none. */
    public ProviderCatalog learn(Optional<AgentConfig> answer) {
        List<ProviderInfo> providers = answer.map(AgentConfig::providers).orElse(null);
        if (providers != null) {
            kept = new ProviderCatalog(List.copyOf(providers));
        }
        return kept;
    }

    /** Reads the caller's agent configuration for the list; the kept one when the gateway does not answer. */
    public Uni<ProviderCatalog> read(String bearerToken) {
        return gateway.agentConfig(bearerToken).map(this::learn).onFailure().recoverWithItem(failure -> kept);
    }
}
