package dev.handoff.gateway.local.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.Usage;
import dev.handoff.gateway.provider.ActivityKind;

/**
 * Codex's {@code exec --json}: {@code thread.started} with the {@code thread_id} (the session a later
 * {@code codex exec resume <id>} continues), {@code item.started}/{@code item.completed} events whose {@code item} is an
 * {@code agent_message}, {@code reasoning}, {@code command_execution}, {@code file_change}, {@code mcp_tool_call},
 * {@code web_search} or {@code todo_list}, and {@code turn.completed} with the turn's token {@code usage}. Codex has
 * no result event: its last agent message is the answer. It reports no cost and no duration.
 */
final class CodexOutput extends JsonLinesOutput {

    private String lastMessage;
    private Long inputTokens;
    private Long outputTokens;

    @Override
    boolean read(JsonNode event, Listener listener) {
        String type = event.get("type").asText();
        switch (type) {
            case "thread.started" -> {
                String thread = text(event, "thread_id");
                if (thread != null) {
                    listener.session(thread);
                }
                listener.entry(ActivityKind.LOG, "Codex thread started");
            }
            case "turn.started" -> listener.entry(ActivityKind.LOG, "Codex turn started");
            case "item.started", "item.updated", "item.completed" -> item(type, event.path("item"), listener);
            case "turn.completed" -> {
                JsonNode usage = event.path("usage");
                inputTokens = sum(inputTokens, number(usage, "input_tokens"));
                outputTokens = sum(outputTokens, number(usage, "output_tokens"));
                listener.usage(new Usage(null, inputTokens, outputTokens, null));
                if (lastMessage != null) {
                    listener.result(lastMessage);
                }
            }
            case "turn.failed", "error" -> {
                String message = event.has("error") ? event.path("error").path("message").asText() : event.path("message").asText();
                listener.entry(ActivityKind.LOG, clip("Codex " + type + ": " + message));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void item(String phase, JsonNode item, Listener listener) {
        String kind = item.path("type").asText();
        boolean completed = phase.equals("item.completed");
        switch (kind) {
            case "agent_message" -> {
                if (completed && item.hasNonNull("text")) {
                    lastMessage = item.get("text").asText().strip();
                    listener.entry(ActivityKind.MESSAGE, clip(lastMessage));
                }
            }
            case "command_execution" -> {
                if (phase.equals("item.started")) {
                    listener.entry(ActivityKind.TOOL, clip("shell " + item.path("command").asText()));
                } else if (completed) {
                    listener.entry(ActivityKind.LOG, clip("command " + item.path("status").asText("finished")
                            + (item.path("exit_code").isNumber() ? " (exit " + item.get("exit_code").asInt() + ")" : "")));
                }
            }
            case "file_change" -> {
                if (completed) {
                    listener.entry(ActivityKind.TOOL, toolCall("apply_patch", item.path("changes")));
                }
            }
            case "mcp_tool_call" -> {
                if (phase.equals("item.started")) {
                    listener.entry(ActivityKind.TOOL, toolCall(item.path("server").asText() + "." + item.path("tool").asText(),
                            item.path("arguments")));
                }
            }
            case "web_search" -> {
                if (phase.equals("item.started")) {
                    listener.entry(ActivityKind.TOOL, clip("web_search " + item.path("query").asText()));
                }
            }
            default -> {
                if (completed) {
                    String text = item.path("text").asText("");
                    listener.entry(ActivityKind.LOG, clip(kind + (text.isBlank() ? "" : ": " + text)));
                }
            }
        }
    }
}
