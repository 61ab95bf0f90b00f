package dev.handoff.gateway.local;

import dev.handoff.events.Usage;
import dev.handoff.gateway.provider.ActivityKind;

/**
 * How the lines an agent prints are read. A plain command's lines are {@code log} entries; an agent CLI with structured
 * output (an agent preset) turns its own lines into the agent's words, its tool calls, its final answer, what it cost
 * and its session id. A line it cannot read is kept as a {@code log} entry, never a failure.
 *
 * <p>The run's output pump calls {@link #line} once per line the agent printed (stdout and stderr, without the line
 * end), in order, on one thread.
 */
public interface AgentOutput {

    /** Reads one line the agent printed and tells {@code listener} what it means. */
    void line(String line, Listener listener);

    /** What the lines mean. */
    interface Listener {

        /** An activity entry of the run ({@code kind} is never STEP: steps are the gateway's own). */
        void entry(ActivityKind kind, String text);

        /** The agent's final answer: the run's summary. */
        default void result(String summary) {
        }

        /** What the run cost, as far as the agent reported it. */
        default void usage(Usage usage) {
        }

        /** The agent's session id, with which a follow-up resumes the same session. */
        default void session(String sessionId) {
        }
    }

    /** A plain command: every line is a {@code log} entry. */
    AgentOutput PLAIN = (line, listener) -> listener.entry(ActivityKind.LOG, line);
}
