package dev.handoff.run;

import dev.handoff.events.EventJson;
import dev.handoff.events.RunStatusChanged;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.HandoffTestResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads this service's outbox table, as committed. */
final class Outboxes {

    static List<RunStatusChanged> statusChanges(UUID runId) {
        List<RunStatusChanged> events = new ArrayList<>();
        for (String payload : payloads(runId, Topics.RUN_STATUS_CHANGED)) {
            events.add(EventJson.fromJson(payload, RunStatusChanged.class));
        }
        return events;
    }

    static List<String> payloads(UUID runId, String topic) {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement(
                        "select payload from outbox where run_id = ? and topic = ? order by id")) {
            query.setObject(1, runId);
            query.setString(2, topic);
            List<String> payloads = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    payloads.add(rows.getString(1));
                }
            }
            return payloads;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static UUID activeRunOfTask(UUID taskId) {
        try (Connection db = HandoffTestResource.database().connect();
                PreparedStatement query = db.prepareStatement("select active_run_id from task_runs where task_id = ?")) {
            query.setObject(1, taskId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getObject(1, UUID.class) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Outboxes() {
    }
}
