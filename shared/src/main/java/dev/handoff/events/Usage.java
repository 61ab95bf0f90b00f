package dev.handoff.events;

/**
 * What a provider reported a run cost (contract v2: Run {@code usage}); each field is null when the provider did not
 * report it.
 */
public record Usage(Long durationMs, Long inputTokens, Long outputTokens, Double costUsd) {
}
