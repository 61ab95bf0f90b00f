package dev.handoff.gateway.activity;

import dev.handoff.events.RunRequested;
import java.util.UUID;

/** What every RunActivity event of a run carries besides its entries. */
record RunRef(UUID runId, String workspaceId, UUID taskId, String provider) {

    static RunRef of(RunRequested request) {
        return new RunRef(request.runId(), request.workspaceId(), request.taskId(), request.provider());
    }
}
