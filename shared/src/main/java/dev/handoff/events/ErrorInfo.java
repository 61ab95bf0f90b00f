package dev.handoff.events;

/** Why a run failed: a stable code and a message a user understands (never a secret). */
public record ErrorInfo(String code, String message) {
}
