package dev.handoff.run.repository;

import java.time.Instant;
import java.util.UUID;

/** A place in a newest-first list of runs: a run's creation time and its id (which orders runs created together). */
public record RunPosition(Instant createdAt, UUID id) {
}
