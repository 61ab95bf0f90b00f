package dev.handoff.gateway.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What of the gateway's own environment an agent gets: the basics and what the operator names, never our secrets. */
class AgentEnvironmentTest {

    private static final Map<String, String> GATEWAY = Map.of(
            "PATH", "/usr/bin:/bin", "LANG", "en_US.UTF-8", "NPM_CONFIG_REGISTRY", "https://registry.example",
            "HANDOFF_SECRETS_KEY", "c2VjcmV0", "QUARKUS_DATASOURCE_PASSWORD", "pw", "AWS_SECRET_ACCESS_KEY", "aws");

    @Test
    void theAgentGetsTheBasicsAndOnlyTheVariablesTheOperatorNames() {
        Map<String, String> env = LocalProvider.agentBaseEnvironment(List.of("NPM_CONFIG_REGISTRY", " MISSING "), GATEWAY);
        assertEquals("https://registry.example", env.get("NPM_CONFIG_REGISTRY"));
        assertEquals("/usr/bin:/bin", env.get("PATH"));
        assertEquals("en_US.UTF-8", env.get("LANG"));
        assertEquals("dumb", env.get("TERM"));
        assertFalse(env.containsKey("AWS_SECRET_ACCESS_KEY"));
        assertFalse(env.containsKey("MISSING"));
        assertEquals(List.of("HOME", "LANG", "NPM_CONFIG_REGISTRY", "PATH", "TERM"), env.keySet().stream().sorted().toList());
    }

    @Test
    void handoffsOwnSettingsAreNeverHandedOnEvenWhenNamed() {
        Map<String, String> env = LocalProvider.agentBaseEnvironment(
                List.of("HANDOFF_SECRETS_KEY", "QUARKUS_DATASOURCE_PASSWORD"), GATEWAY);
        assertFalse(env.containsKey("HANDOFF_SECRETS_KEY"));
        assertFalse(env.containsKey("QUARKUS_DATASOURCE_PASSWORD"));
    }
}
