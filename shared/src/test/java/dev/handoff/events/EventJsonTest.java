package dev.handoff.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void eventsRoundTripWithIsoTimestampsAndIgnoreUnknownFields() {
        RunStatusChanged event = new RunStatusChanged(UUID.randomUUID(), Instant.parse("2026-11-25T10:15:30.123Z"),
                "acme", UUID.randomUUID(), UUID.randomUUID(), null, RunStatus.PENDING, 1, "created", null);
        String json = EventJson.toJson(event);
        assertTrue(json.contains("\"occurredAt\":\"2026-11-25T10:15:30.123Z\""), json);
        assertTrue(json.contains("\"previousStatus\":null"), json);
        String withExtraField = json.replaceFirst("\\{", "{\"addedLater\":true,");
        assertEquals(event, EventJson.fromJson(withExtraField, RunStatusChanged.class));
    }

    @Test
    void statusMachineAllowsExactlyTheContractMoves() {
        for (RunStatus from : RunStatus.values()) {
            for (RunStatus to : RunStatus.values()) {
                boolean expected = switch (from) {
                    case PENDING -> to == RunStatus.RUNNING || to == RunStatus.FAILED || to == RunStatus.CANCELLED;
                    case RUNNING -> to == RunStatus.COMPLETED || to == RunStatus.FAILED || to == RunStatus.CANCELLED;
                    default -> false;
                };
                assertEquals(expected, from.canMoveTo(to), from + " -> " + to);
            }
        }
    }
}
