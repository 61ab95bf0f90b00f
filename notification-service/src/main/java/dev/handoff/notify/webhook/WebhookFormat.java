package dev.handoff.notify.webhook;

import java.util.Arrays;
import java.util.Optional;

/** How a delivery's body looks: the event itself ({@code handoff}) or a line of text for a Slack incoming webhook. */
public enum WebhookFormat {

    HANDOFF("handoff"),
    SLACK("slack");

    private final String value;

    WebhookFormat(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<WebhookFormat> of(String value) {
        return Arrays.stream(values()).filter(f -> f.value.equals(value)).findFirst();
    }
}
