package dev.handoff.notify;

import dev.handoff.events.EventJson;
import dev.handoff.events.HandoffEvent;
import dev.handoff.events.PullRequestOpened;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.web.Caller;
import java.time.Instant;
import java.util.UUID;

/**
 * One stored event as a client sees it: {@code sequence} is the SSE {@code id:}, unique and increasing within
 * {@code workspaceId}; {@code json} is the event as it was published, the SSE {@code data:}.
 */
public record RunEvent(String workspaceId, long sequence, UUID eventId, UUID taskId, UUID runId, RunEventType type,
        String json, Instant createdAt) {

    /** The event as it is about to be stored (no sequence yet); refuses what no client could ever be shown. */
    public static RunEvent unsequenced(HandoffEvent event) {
        requireStorable(event);
        UUID taskId = null;
        if (event instanceof RunStatusChanged changed) {
            taskId = changed.taskId();
        } else if (event instanceof PullRequestOpened opened) {
            taskId = opened.taskId();
        } else if (event instanceof RunActivity activity) {
            taskId = activity.taskId();
        }
        return new RunEvent(event.workspaceId(), 0, event.eventId(), taskId, event.runId(), RunEventType.of(event),
                EventJson.toJson(event), null);
    }

    /** Refuses (so dead-letters) an event no client could ever be shown: no eventId or runId, no valid workspace. */
    public static void requireStorable(HandoffEvent event) {
        if (event == null) {
            throw new IllegalArgumentException("unreadable event");
        }
        if (event.eventId() == null || event.runId() == null) {
            throw new IllegalArgumentException("event without eventId or runId");
        }
        if (event.workspaceId() == null || !Caller.WORKSPACE.matcher(event.workspaceId()).matches()) {
            throw new IllegalArgumentException("event " + event.eventId() + " has no valid workspaceId");
        }
    }

    public boolean matches(UUID taskFilter, UUID runFilter) {
        return (taskFilter == null || taskFilter.equals(taskId)) && (runFilter == null || runFilter.equals(runId));
    }
}
