package dev.handoff.gateway.local.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.EventJson;
import dev.handoff.gateway.local.AgentOutput;
import dev.handoff.gateway.provider.ActivityKind;

/**
 * The common part of the presets' readers: each line of a CLI's JSONL output is one JSON object with a {@code type}.
 * A blank line means nothing; a line that is no JSON object, has an event type the reader does not know, or breaks
 * the reader in any way is kept as a {@code log} entry as printed: an agent's output never fails a run.
 *
 * <p>One instance reads one run's output (readers keep a little state, such as the last message, for the summary).
 */
abstract class JsonLinesOutput implements AgentOutput {

    /** Longest text of one entry; a tool's arguments or a tool's output can be a whole file. */
    static final int MAX_ENTRY_CHARS = 4000;

    @Override
    public final void line(String line, Listener listener) {
        if (line == null || line.isBlank()) {
            return;
        }
        try {
            JsonNode event = line.stripLeading().startsWith("{") ? EventJson.mapper().readTree(line) : null;
            if (event == null || !event.isObject() || !event.path("type").isTextual() || !read(event, listener)) {
                listener.entry(ActivityKind.LOG, clip(line));
            }
        } catch (Exception malformed) {
            listener.entry(ActivityKind.LOG, clip(line));
        }
    }

    /** Reads one event; false when this reader does not know it (it is then kept as a log entry). */
    abstract boolean read(JsonNode event, Listener listener);

    /** A text field, or null when absent or not text. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    /** A number field, or null when absent or not a number. */
    static Long number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asLong() : null;
    }

    static Long sum(Long... values) {
        Long total = null;
        for (Long value : values) {
            if (value != null) {
                total = total == null ? value : total + value;
            }
        }
        return total;
    }

    /** {@code Edit {"file_path":"README.md"}}: a tool call as one line. */
    static String toolCall(String name, JsonNode arguments) {
        String args = arguments == null || arguments.isMissingNode() || arguments.isNull() ? "" : " " + arguments;
        return clip((name == null || name.isBlank() ? "tool" : name) + args);
    }

    static String clip(String text) {
        return text.length() <= MAX_ENTRY_CHARS ? text : text.substring(0, MAX_ENTRY_CHARS) + " ...";
    }
}
