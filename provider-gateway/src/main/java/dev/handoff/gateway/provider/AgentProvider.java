package dev.handoff.gateway.provider;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.ProviderRun;
import io.smallrye.mutiny.Uni;
import java.util.Set;

/**
 * One kind of background agent (Cursor's cloud agents, an agent CLI on this machine, ...). Each implementation is a
 * CDI bean in its own package; {@link AgentProviders} finds them all, and nothing else in the gateway names one.
 * Every method records what it changed through the run ledger, so a redelivered request or cancel changes nothing.
 */
public interface AgentProvider {

    /** The name runs and agent configurations use, e.g. {@code cursor}; lower-case, unique in the gateway. */
    String name();

    /** What the provider needs from a workspace's agent configuration, and what a launch may hand it. */
    ProviderSettings settings();

    /**
     * Checks a workspace's API key with the provider before it is stored (only asked when {@link ProviderSettings#keyRequired()}).
     * Fails with a {@code ProblemException}: 422 {@code provider-rejected-key} when refused, 503
     * {@code provider-unavailable} when the provider cannot tell right now.
     */
    Uni<Void> verifyKey(String apiKey);

    /** The kinds of entries this provider reports on a run's activity (see {@link RunActivity}); empty while it reports none. */
    Set<ActivityKind> activity();

    /** Records the run and starts its agent (now or soon); a redelivered request finds the run recorded and starts nothing. */
    Uni<Void> launch(RunRequested request);

    /** Stops the run's agent, if it has one, and records the run as cancelled (now, or when the agent has stopped). */
    Uni<Void> cancel(ProviderRun run);

    /**
     * Continues an earlier run's work with new instructions, on its branch. Not supported by any provider yet: the
     * follow-up issue implements it; until then providers answer {@link NotSupportedYet}.
     */
    Uni<Void> followUp(RunRequested request, ProviderRun earlier);

    /** A capability the provider does not have yet. */
    final class NotSupportedYet extends RuntimeException {

        public NotSupportedYet(String provider, String what) {
            super("the " + provider + " provider does not support " + what + " yet", null, false, false);
        }
    }
}
