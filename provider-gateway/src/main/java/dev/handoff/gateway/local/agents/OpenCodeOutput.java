package dev.handoff.gateway.local.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.Usage;
import dev.handoff.gateway.provider.ActivityKind;

/**
 * OpenCode's {@code run --format json}: every event carries {@code type}, {@code timestamp} (epoch ms),
 * {@code sessionID} (which {@code --session <id>} continues) and a {@code part}: {@code step_start}, {@code text}
 * ({@code part.text}), {@code tool_use} ({@code part.tool}, {@code part.state.input}), {@code step_finish}
 * ({@code part.reason}, {@code part.cost}, {@code part.tokens}) and {@code error}. A step finishing for another reason
 * than {@code tool-calls} ends the run, and that step's text is the answer; tokens and cost add up over the steps.
 */
final class OpenCodeOutput extends JsonLinesOutput {

    private final StringBuilder stepText = new StringBuilder();
    private Long firstTimestamp;
    private Long inputTokens;
    private Long outputTokens;
    private Double cost;

    @Override
    boolean read(JsonNode event, Listener listener) {
        String session = text(event, "sessionID");
        if (session != null) {
            listener.session(session);
        }
        Long timestamp = number(event, "timestamp");
        if (firstTimestamp == null) {
            firstTimestamp = timestamp;
        }
        JsonNode part = event.path("part");
        switch (event.get("type").asText()) {
            case "step_start" -> {
                stepText.setLength(0);
                listener.entry(ActivityKind.LOG, "OpenCode step started");
            }
            case "text" -> {
                String text = part.path("text").asText("");
                stepText.append(text);
                if (!text.isBlank()) {
                    listener.entry(ActivityKind.MESSAGE, clip(text.strip()));
                }
            }
            case "tool_use" -> listener.entry(ActivityKind.TOOL, toolCall(text(part, "tool"), part.path("state").path("input")));
            case "step_finish" -> {
                JsonNode tokens = part.path("tokens");
                inputTokens = sum(inputTokens, number(tokens, "input"), number(tokens.path("cache"), "read"),
                        number(tokens.path("cache"), "write"));
                outputTokens = sum(outputTokens, number(tokens, "output"), number(tokens, "reasoning"));
                if (part.path("cost").isNumber()) {
                    cost = (cost == null ? 0 : cost) + part.get("cost").asDouble();
                }
                Long duration = timestamp != null && firstTimestamp != null ? timestamp - firstTimestamp : null;
                listener.usage(new Usage(duration, inputTokens, outputTokens, cost));
                String reason = part.path("reason").asText("");
                if (!reason.equals("tool-calls") && !stepText.toString().isBlank()) {
                    listener.result(stepText.toString().strip());
                }
                listener.entry(ActivityKind.LOG, "OpenCode step finished" + (reason.isEmpty() ? "" : " (" + reason + ")"));
            }
            case "error" -> {
                JsonNode error = event.path("error");
                listener.entry(ActivityKind.LOG, clip("OpenCode error: " + error.path("name").asText("")
                        + " " + error.path("data").path("message").asText(error.path("message").asText(""))));
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
