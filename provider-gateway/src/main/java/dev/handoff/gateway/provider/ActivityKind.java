package dev.handoff.gateway.provider;

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
    ERROR
}
