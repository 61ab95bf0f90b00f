package dev.handoff.gateway.local.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.Usage;
import dev.handoff.gateway.provider.ActivityKind;

/**
 * Gemini CLI's {@code --output-format stream-json}: {@code init} with the {@code session_id} and model,
 * {@code message} events ({@code role} user or assistant; assistant text may come as {@code delta} chunks, which are
 * joined into one message), {@code tool_use} with {@code tool_name} and {@code parameters}, {@code tool_result},
 * {@code error}, and a final {@code result} with {@code stats} (tokens and {@code duration_ms}). The stream carries no
 * separate answer: the assistant's last message is it.
 */
final class GeminiOutput extends JsonLinesOutput {

    private final StringBuilder pending = new StringBuilder();
    private String lastMessage;

    @Override
    boolean read(JsonNode event, Listener listener) {
        String type = event.get("type").asText();
        String session = text(event, "session_id");
        if (session != null) {
            listener.session(session);
        }
        if (type.equals("message") && "assistant".equals(text(event, "role"))) {
            pending.append(event.path("content").asText(""));
            if (!event.path("delta").asBoolean(false)) {
                flush(listener);
            }
            return true;
        }
        flush(listener);
        switch (type) {
            case "init" -> listener.entry(ActivityKind.LOG, "Gemini CLI session started"
                    + (event.hasNonNull("model") ? " (model " + event.get("model").asText() + ")" : ""));
            case "message" -> listener.entry(ActivityKind.LOG, "prompt sent (" + event.path("content").asText("").length() + " characters)");
            case "tool_use" -> listener.entry(ActivityKind.TOOL, toolCall(text(event, "tool_name"), event.path("parameters")));
            case "tool_result" -> listener.entry(ActivityKind.LOG, clip("tool " + event.path("tool_id").asText() + " "
                    + event.path("status").asText() + (event.hasNonNull("output") ? ": " + event.get("output").asText() : "")));
            case "error" -> listener.entry(ActivityKind.LOG, clip("Gemini CLI " + event.path("severity").asText("error") + ": "
                    + event.path("message").asText()));
            case "result" -> {
                if (lastMessage != null) {
                    listener.result(lastMessage);
                }
                JsonNode stats = event.path("stats");
                listener.usage(new Usage(number(stats, "duration_ms"), number(stats, "input_tokens"),
                        number(stats, "output_tokens"), null));
                if (!"success".equals(text(event, "status"))) {
                    listener.entry(ActivityKind.LOG, clip("Gemini CLI ended: " + event.path("status").asText()
                            + (event.has("error") ? " " + event.get("error").path("message").asText() : "")));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void flush(Listener listener) {
        if (!pending.isEmpty()) {
            String message = pending.toString().strip();
            pending.setLength(0);
            if (!message.isEmpty()) {
                lastMessage = message;
                listener.entry(ActivityKind.MESSAGE, clip(message));
            }
        }
    }
}
