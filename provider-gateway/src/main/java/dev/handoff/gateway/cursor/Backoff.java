package dev.handoff.gateway.cursor;

import java.time.Duration;

/**
 * How long to wait before calling Cursor again after failed calls: the poll interval, doubled for each failure in a
 * row after the first, at most {@code max}. A {@code Retry-After} in seconds that asks for longer wins (up to
 * {@code max}); one given as an HTTP date is ignored, the exponential delay will do.
 */
record Backoff(Duration interval, Duration max) {

    /** The wait after {@code failures} failed calls in a row (1 for the first). */
    Duration delay(int failures, String retryAfter) {
        long maxMillis = max.toMillis();
        int doublings = Math.min(Math.max(failures - 1, 0), 30);
        long delay = interval.toMillis() > (maxMillis >> doublings) ? maxMillis : interval.toMillis() << doublings;
        if (retryAfter != null) {
            try {
                long askedSeconds = Long.parseLong(retryAfter.strip());
                long asked = askedSeconds > maxMillis / 1000 ? maxMillis : askedSeconds * 1000;
                delay = Math.max(delay, asked);
            } catch (NumberFormatException httpDate) {
                // the exponential delay will do
            }
        }
        return Duration.ofMillis(delay);
    }
}
