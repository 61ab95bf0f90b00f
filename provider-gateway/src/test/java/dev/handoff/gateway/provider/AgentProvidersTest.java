package dev.handoff.gateway.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.ProviderRun;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Finding providers by name: plain logic, no Quarkus. */
class AgentProvidersTest {

    private record Named(String name) implements AgentProvider {

        @Override
        public ProviderSettings settings() {
            return new ProviderSettings(false, false);
        }

        @Override
        public Uni<Void> verifyKey(String apiKey) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Set<ActivityKind> activity() {
            return Set.of();
        }

        @Override
        public Uni<Void> launch(RunRequested request) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> cancel(ProviderRun run) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> followUp(RunRequested request, ProviderRun earlier) {
            return Uni.createFrom().failure(new NotSupportedYet(name, "follow-ups"));
        }
    }

    @Test
    void providersAreFoundByNameAndListedInNameOrder() {
        AgentProviders providers = new AgentProviders(List.of(new Named("local"), new Named("cursor"), new Named("codex")));
        assertEquals("cursor", providers.named("cursor").orElseThrow().name());
        assertTrue(providers.named("gitlab").isEmpty());
        assertTrue(providers.named(null).isEmpty());
        assertEquals(List.of("codex", "cursor", "local"), providers.all().stream().map(AgentProvider::name).toList());
        assertEquals("must be 'codex', 'cursor' or 'local'", providers.mustBeOneOf());
        assertEquals("must be 'cursor' or 'local'",
                new AgentProviders(List.of(new Named("local"), new Named("cursor"))).mustBeOneOf());
        assertEquals("must be 'local'", new AgentProviders(List.of(new Named("local"))).mustBeOneOf());
    }

    @Test
    void twoProvidersWithOneNameAreRefused() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new AgentProviders(List.of(new Named("local"), new Named("local"))));
        assertTrue(refused.getMessage().contains("'local'"));
    }
}
