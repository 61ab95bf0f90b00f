package dev.handoff.tasks.repository;

import java.time.Instant;

/**
 * A place in a list ordered by creation: an item's creation time and its row's sequence number (unique, so two items
 * created in the same instant still have one order). Keyset paging goes on after it.
 */
public record ListPosition(Instant createdAt, long seq) {
}
