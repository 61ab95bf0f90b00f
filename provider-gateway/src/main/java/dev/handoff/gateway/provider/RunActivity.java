package dev.handoff.gateway.provider;

import java.util.UUID;

/**
 * The port through which a provider reports what happens inside a run. The run-activity issue implements it (numbering,
 * redaction, publishing on {@code handoff.run-activity}); no provider reports activity before then, so no bean
 * implements it yet and none injects it.
 */
public interface RunActivity {

    /** One entry of a run's activity, as the provider saw it; the implementation numbers, cleans and publishes it. */
    void report(UUID runId, ActivityKind kind, String text);
}
