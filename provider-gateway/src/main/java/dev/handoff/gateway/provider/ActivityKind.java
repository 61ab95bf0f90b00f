package dev.handoff.gateway.provider;

import java.util.Locale;

/** The kinds of a run's activity entries the contract names (RunActivity {@code entries[].kind}), as a provider reports them. */
public enum ActivityKind {
    /** One of the gateway's own stages: cloning, starting the agent, committing, pushing, opening the pull request. */
    STEP,
    /** A line the agent printed. */
    LOG,
    /** The agent's own words. */
    MESSAGE,
    /** A command or tool the agent used, with its arguments. */
    TOOL,
    ERROR,
    /** Once per run, when the agent's output reached {@code HANDOFF_ACTIVITY_MAX_ENTRIES}: its later output is dropped. */
    TRUNCATED;

    /** The contract's spelling: {@code step}, {@code log}, ... */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
