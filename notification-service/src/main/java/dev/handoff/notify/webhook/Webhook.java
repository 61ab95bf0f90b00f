package dev.handoff.notify.webhook;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A registered receiver of a workspace's run events; {@code events} holds SSE event names. Never the secret. */
public record Webhook(UUID id, String workspaceId, String url, List<String> events, WebhookFormat format,
        Instant createdAt) {

    public static final String STATUS_CHANGED = "run.status-changed";
    public static final String PULL_REQUEST_OPENED = "run.pull-request-opened";
    public static final List<String> EVENTS = List.of(STATUS_CHANGED, PULL_REQUEST_OPENED);
}
