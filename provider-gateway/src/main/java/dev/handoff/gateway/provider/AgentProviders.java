package dev.handoff.gateway.provider;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every {@link AgentProvider} bean of the gateway, by name: the only place that knows which providers exist. */
@ApplicationScoped
public class AgentProviders {

    private final Map<String, AgentProvider> byName;

    @Inject
    public AgentProviders(@Any Instance<AgentProvider> found) {
        this((Iterable<AgentProvider>) found);
    }

    AgentProviders(Iterable<? extends AgentProvider> found) {
        Map<String, AgentProvider> providers = new TreeMap<>();
        for (AgentProvider provider : found) {
            AgentProvider before = providers.putIfAbsent(provider.name(), provider);
            if (before != null) {
                throw new IllegalStateException("two providers are named '" + provider.name() + "'");
            }
        }
        this.byName = Collections.unmodifiableMap(providers);
    }

    public Optional<AgentProvider> named(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    /** All providers, ordered by name. */
    public Collection<AgentProvider> all() {
        return byName.values();
    }

    /** {@code "must be 'cursor' or 'local'"}: the validation message for a name that is none of them. */
    public String mustBeOneOf() {
        List<String> quoted = byName.keySet().stream().map(name -> "'" + name + "'").toList();
        if (quoted.size() <= 1) {
            return "must be " + String.join("", quoted);
        }
        return "must be " + String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
    }
}
