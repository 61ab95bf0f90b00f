package dev.handoff.gateway.provider;

import dev.handoff.events.RunRequested;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;

/**
 * The port through which a provider reports what happens inside a run ({@code handoff.run-activity}). The
 * implementation numbers a run's entries from 1 without gaps (also across gateway restarts), removes ANSI escapes,
 * replaces every secret Handoff knows for the run by {@code [redacted]}, keeps each entry within 4,000 characters,
 * stops the agent's entries at {@code HANDOFF_ACTIVITY_MAX_ENTRIES} (then one {@code truncated} entry), and
 * publishes them in batches through the outbox.
 */
public interface RunActivity {

    /**
     * Opens a run's activity: loads the secrets to redact and where its numbering stands. For a provider that watches
     * its run on a thread of its own (the local agent); the handle batches what it is given.
     */
    Uni<Run> open(RunRequested request);

    /**
     * Publishes each of a run's messages that was not published before (by its id, remembered across restarts) as one
     * entry of its kind ({@code message}, or {@code tool}), in the order given; answers how many were new. For
     * providers that poll a conversation or resume an event stream.
     */
    Uni<Integer> messagesOnce(RunRequested request, List<Message> messages);

    /** One message of an agent's conversation (or one tool it called), with the provider's id for it. */
    record Message(String id, String text, ActivityKind kind) {

        /** The agent's words: a {@code message} entry. */
        public Message(String id, String text) {
            this(id, text, ActivityKind.MESSAGE);
        }

        @Override
        public String toString() {
            return "Message[id=" + id + "]";
        }
    }

    /** One run's activity, as reported while the run goes on; thread-safe. */
    interface Run extends AutoCloseable {

        /** One of the gateway's own stages (never counted against the agent's limit). */
        void step(String text);

        /** A failure of the run, in words a user understands (never counted against the agent's limit). */
        void error(String text);

        /**
         * An entry of the agent's own ({@code LOG}, {@code MESSAGE}, {@code TOOL}, {@code ERROR}); {@code cutChars} says
         * how many characters of the agent's line were dropped before it got here (0 when none). Waits while the run
         * already holds its bound of unpublished entries, so that an agent printing faster than they are published is
         * slowed down instead of filling the memory.
         */
        void agent(ActivityKind kind, String text, long cutChars);

        /** The text as an entry would carry it (ANSI removed, secrets redacted, cut to 4,000 characters). */
        String clean(String text, long cutChars);

        /** Waits until everything reported so far is in the outbox, at most {@code timeout}; false when it is not. */
        boolean flush(Duration timeout);

        /** Publishes what is left (waiting a few seconds at most) and drops whatever is reported afterwards. */
        @Override
        void close();
    }
}
