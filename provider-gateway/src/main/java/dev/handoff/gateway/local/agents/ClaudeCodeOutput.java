package dev.handoff.gateway.local.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.Usage;
import dev.handoff.gateway.provider.ActivityKind;

/**
 * Claude Code's {@code -p --output-format stream-json --verbose}: a {@code system}/{@code init} event with the
 * {@code session_id}, {@code assistant} events whose {@code message.content} holds {@code text} and {@code tool_use}
 * blocks, {@code user} events with the tools' results, and a final {@code result} event with the answer
 * ({@code result}), {@code total_cost_usd}, {@code duration_ms} and the token {@code usage}.
 */
final class ClaudeCodeOutput extends JsonLinesOutput {

    @Override
    boolean read(JsonNode event, Listener listener) {
        String session = text(event, "session_id");
        if (session != null) {
            listener.session(session);
        }
        switch (event.get("type").asText()) {
            case "system" -> listener.entry(ActivityKind.LOG, "Claude Code " + event.path("subtype").asText("system")
                    + (event.hasNonNull("model") ? " (model " + event.get("model").asText() + ")" : ""));
            case "assistant" -> {
                for (JsonNode block : event.path("message").path("content")) {
                    String type = block.path("type").asText();
                    if (type.equals("text") && !block.path("text").asText().isBlank()) {
                        listener.entry(ActivityKind.MESSAGE, clip(block.get("text").asText()));
                    } else if (type.equals("tool_use")) {
                        listener.entry(ActivityKind.TOOL, toolCall(text(block, "name"), block.path("input")));
                    }
                }
            }
            case "user" -> {
                for (JsonNode block : event.path("message").path("content")) {
                    if (block.path("type").asText().equals("tool_result")) {
                        JsonNode content = block.path("content");
                        listener.entry(ActivityKind.LOG, clip("tool result: "
                                + (content.isTextual() ? content.asText() : content.toString())));
                    }
                }
            }
            case "result" -> {
                String answer = text(event, "result");
                if (answer != null && !answer.isBlank()) {
                    listener.result(answer.strip());
                }
                JsonNode usage = event.path("usage");
                JsonNode cost = event.path("total_cost_usd");
                listener.usage(new Usage(number(event, "duration_ms"),
                        sum(number(usage, "input_tokens"), number(usage, "cache_creation_input_tokens"),
                                number(usage, "cache_read_input_tokens")),
                        number(usage, "output_tokens"), cost.isNumber() ? cost.asDouble() : null));
                if (event.path("is_error").asBoolean(false)) {
                    listener.entry(ActivityKind.LOG, "Claude Code ended with an error (" + event.path("subtype").asText() + ")");
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
