package dev.handoff.gateway.local.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.Usage;
import dev.handoff.gateway.provider.ActivityKind;
import java.util.Iterator;
import java.util.Map;

/**
 * cursor-agent's {@code -p --output-format stream-json}: {@code system}/{@code init} with the {@code session_id} (the
 * chat a later {@code --resume <id>} continues), {@code user} (the prompt), {@code assistant} with
 * {@code message.content[].text}, {@code tool_call} {@code started}/{@code completed} whose {@code tool_call} object
 * names the tool ({@code readToolCall}, {@code writeToolCall}, ..., or {@code function} with a name) and its
 * {@code args}, and a final {@code result} with the answer and {@code duration_ms}. It reports no tokens or cost.
 */
final class CursorAgentOutput extends JsonLinesOutput {

    @Override
    boolean read(JsonNode event, Listener listener) {
        String session = text(event, "session_id");
        if (session != null) {
            listener.session(session);
        }
        switch (event.get("type").asText()) {
            case "system" -> listener.entry(ActivityKind.LOG, "cursor-agent " + event.path("subtype").asText("system")
                    + (event.hasNonNull("model") ? " (model " + event.get("model").asText() + ")" : ""));
            case "user" -> listener.entry(ActivityKind.LOG, "prompt sent");
            case "assistant" -> {
                StringBuilder text = new StringBuilder();
                for (JsonNode block : event.path("message").path("content")) {
                    if (block.path("type").asText().equals("text")) {
                        text.append(block.path("text").asText());
                    }
                }
                if (!text.toString().isBlank()) {
                    listener.entry(ActivityKind.MESSAGE, clip(text.toString().strip()));
                }
            }
            case "tool_call" -> {
                Iterator<Map.Entry<String, JsonNode>> calls = event.path("tool_call").fields();
                if (!calls.hasNext()) {
                    return false;
                }
                Map.Entry<String, JsonNode> call = calls.next();
                boolean function = call.getKey().equals("function");
                String name = function ? call.getValue().path("name").asText("function")
                        : call.getKey().replaceFirst("ToolCall$", "");
                if ("started".equals(text(event, "subtype"))) {
                    listener.entry(ActivityKind.TOOL, toolCall(name, call.getValue().path(function ? "arguments" : "args")));
                } else {
                    listener.entry(ActivityKind.LOG, clip(name + " " + event.path("subtype").asText("finished")));
                }
            }
            case "result" -> {
                String answer = text(event, "result");
                if (answer != null && !answer.isBlank()) {
                    listener.result(answer.strip());
                }
                listener.usage(new Usage(number(event, "duration_ms"), null, null, null));
                if (event.path("is_error").asBoolean(false)) {
                    listener.entry(ActivityKind.LOG, "cursor-agent ended with an error (" + event.path("subtype").asText() + ")");
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
