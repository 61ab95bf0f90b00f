package dev.handoff.run.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.handoff.run.Run;
import dev.handoff.run.client.AgentConfig;
import dev.handoff.run.client.ProviderCatalog;
import dev.handoff.run.client.ProviderInfo;
import dev.handoff.web.ProblemException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The provider rules of a launch, against the gateway's providers and the workspace's configuration: no Quarkus. */
class LaunchValidationTest {

    private static final ProviderCatalog GATEWAY = new ProviderCatalog(List.of(
            new ProviderInfo("cursor", true, false), new ProviderInfo("local", false, true)));
    private static final String GITHUB = "https://github.com/acme/shop.git";

    private static Run.Settings launch(String repositoryUrl, String branch, String targetBranch, String provider) {
        return new Run.Settings(repositoryUrl, branch, targetBranch, null, provider);
    }

    private static Optional<AgentConfig> configured(String provider, boolean enabled) {
        return Optional.of(new AgentConfig(provider, enabled, null, null, null, Instant.now(), GATEWAY.providers()));
    }

    @SuppressWarnings("unchecked")
    private static List<ProblemException.Violation> violations(ProblemException problem) {
        return (List<ProblemException.Violation>) problem.problem().extensions().get("violations");
    }

    private static List<String> fields(ProblemException problem) {
        return violations(problem).stream().map(ProblemException.Violation::field).toList();
    }

    @Test
    void theProviderDefaultsToTheConfiguredOneAndMayBeNamed() {
        assertEquals("cursor", LaunchValidation.provider(launch(GITHUB, "main", null, null), configured("cursor", true), GATEWAY));
        assertEquals("cursor", LaunchValidation.provider(launch(GITHUB, "main", null, "cursor"), configured("cursor", true), GATEWAY));
        assertEquals("local", LaunchValidation.provider(launch("file:///srv/repos/shop", "main", null, null),
                configured("local", true), GATEWAY));
    }

    @Test
    void anyOtherProviderIsNotEnabledAndAWorkspaceWithoutAgentsSaysSo() {
        ProblemException other = assertThrows(ProblemException.class,
                () -> LaunchValidation.provider(launch(GITHUB, "main", null, "local"), configured("cursor", true), GATEWAY));
        assertEquals(422, other.status());
        assertEquals("provider-not-enabled", other.code());
        assertEquals("agents-disabled", assertThrows(ProblemException.class,
                () -> LaunchValidation.provider(launch(GITHUB, "main", null, null), configured("cursor", false), GATEWAY)).code());
        assertEquals("agents-not-configured", assertThrows(ProblemException.class,
                () -> LaunchValidation.provider(launch(GITHUB, "main", null, "cursor"), Optional.empty(), GATEWAY)).code());
    }

    @Test
    void fileUrlsGoOnlyToProvidersThatCloneThemAndUnknownProvidersAreBadFields() {
        ProblemException file = assertThrows(ProblemException.class, () -> LaunchValidation.provider(
                launch("file:///srv/repos/shop", "main", null, null), configured("cursor", true), GATEWAY));
        assertEquals(400, file.status());
        assertEquals(List.of("repositoryUrl"), fields(file));
        assertEquals("repositoryUrl: file:// URLs are only allowed with the local provider", file.getMessage());

        ProblemException unknown = assertThrows(ProblemException.class,
                () -> LaunchValidation.validate(launch(GITHUB, "main", null, "gitlab"), GATEWAY));
        assertEquals(List.of("provider"), fields(unknown));
        assertEquals("must be cursor or local", violations(unknown).get(0).message());
        assertEquals(List.of("provider"), fields(assertThrows(ProblemException.class, () -> LaunchValidation.provider(
                launch(GITHUB, "main", null, "gitlab"), configured("cursor", true), GATEWAY))));
        // before the gateway could be asked, the name is left to the workspace's configuration
        LaunchValidation.validate(launch(GITHUB, "main", null, "gitlab"), ProviderCatalog.UNKNOWN);
        assertEquals("provider-not-enabled", assertThrows(ProblemException.class, () -> LaunchValidation.provider(
                launch(GITHUB, "main", null, "gitlab"), configured("cursor", true), ProviderCatalog.UNKNOWN)).code());
    }

    @Test
    void aTargetBranchEqualToTheBranchIsABadTargetBranch() {
        ProblemException same = assertThrows(ProblemException.class,
                () -> LaunchValidation.validate(launch(GITHUB, "main", "main", null), GATEWAY));
        assertEquals(400, same.status());
        assertEquals("validation-failed", same.code());
        assertEquals(List.of("targetBranch"), fields(same));
        LaunchValidation.validate(launch(GITHUB, "main", "handoff/login", null), GATEWAY);
    }
}
