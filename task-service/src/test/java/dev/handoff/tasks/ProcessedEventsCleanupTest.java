package dev.handoff.tasks;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The scheduled job forgets applied event ids past the retention (30 days) and keeps recent ones. */
@QuarkusTest
class ProcessedEventsCleanupTest {

    @Test
    void eventIdsOlderThanTheRetentionAreForgottenAndRecentOnesKept() throws Exception {
        UUID old = UUID.randomUUID();
        UUID recent = UUID.randomUUID();
        insert(old, Instant.now().minus(31, ChronoUnit.DAYS));
        insert(recent, Instant.now().minus(29, ChronoUnit.DAYS));

        await().atMost(Duration.ofSeconds(30)).until(() -> !exists(old));
        assertThat(exists(recent), equalTo(true));
    }

    private static void insert(UUID eventId, Instant processedAt) throws Exception {
        try (Connection connection = HandoffTestResource.database().connect();
                PreparedStatement statement = connection.prepareStatement(
                        "insert into processed_events (event_id, processed_at) values (?, ?)")) {
            statement.setObject(1, eventId);
            statement.setTimestamp(2, Timestamp.from(processedAt));
            statement.executeUpdate();
        }
    }

    private static boolean exists(UUID eventId) throws Exception {
        try (Connection connection = HandoffTestResource.database().connect();
                PreparedStatement statement = connection.prepareStatement(
                        "select count(*) from processed_events where event_id = ?")) {
            statement.setObject(1, eventId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1) == 1;
            }
        }
    }
}
