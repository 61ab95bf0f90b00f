package dev.handoff.notify.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/** What a delivery POSTs, per format. */
public final class DeliveryBody {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code {"event": "<name>", "data": <the Kafka event JSON, byte for byte as stored>}}. */
    public static byte[] handoff(String event, String payload) {
        return ("{\"event\":\"" + event + "\",\"data\":" + payload + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code {"text": "<task title>: <STATUS>"}} or {@code {"text": "<task title>: pull request opened <url>"}}. A
     * RunStatusChanged does not carry the task's title: {@code knownTitle} is what this service learned from a
     * PullRequestOpened of the task, and without one the task is named by its id.
     */
    public static byte[] slack(String event, String payload, UUID taskId, String knownTitle) {
        JsonNode data;
        try {
            data = JSON.readTree(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("stored event is not JSON");
        }
        String title = text(data, "title");
        if (title == null) {
            title = knownTitle != null && !knownTitle.isBlank() ? knownTitle : "Task " + (taskId == null ? "?" : taskId);
        }
        String text = Webhook.PULL_REQUEST_OPENED.equals(event)
                ? title + ": pull request opened " + text(data, "url")
                : title + ": " + text(data, "status");
        try {
            return JSON.writeValueAsBytes(Map.of("text", text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode data, String field) {
        JsonNode value = data.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private DeliveryBody() {
    }
}
