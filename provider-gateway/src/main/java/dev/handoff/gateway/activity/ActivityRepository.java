package dev.handoff.gateway.activity;

import dev.handoff.events.RunActivity;
import dev.handoff.events.Topics;
import dev.handoff.gateway.repository.OutboxRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A run's activity in the gateway's database: where its numbering stands ({@code run_activity}), the provider messages
 * already published ({@code run_activity_message}), and its RunActivity events, written to the outbox in the same
 * transaction as the numbers they use. So a batch is either wholly in the outbox with its numbers taken, or not at
 * all, and the relay sends a run's events in the order they were written.
 */
@ApplicationScoped
public class ActivityRepository {

    /** Entries per RunActivity event (contract: batches of up to 100). */
    static final int EVENT_ENTRIES = 100;
    /**
     * The most an event's entries may weigh in JSON. Far under the producer's 1 MiB request limit, so that the broker
     * never refuses one (a parked event would leave a gap in the run's numbers), and small enough that a relay round
     * (up to 400 events) of a run that printed 4,000-character lines stays a few tens of MB.
     */
    static final int EVENT_MAX_BYTES = 128 * 1024;

    private static final String POSITION = "select last_seq, agent_entries, truncated from run_activity where run_id = $1";
    private static final String ADVANCE = """
            insert into run_activity (run_id, last_seq, agent_entries, truncated, updated_at)
            values ($1, $2, $3, $4, now())
            on conflict (run_id) do update
               set last_seq = run_activity.last_seq + excluded.last_seq,
                   agent_entries = greatest(run_activity.agent_entries, excluded.agent_entries),
                   truncated = run_activity.truncated or excluded.truncated,
                   updated_at = now()
            returning last_seq""";

    private final OutboxRepository outbox;

    public ActivityRepository(OutboxRepository outbox) {
        this.outbox = outbox;
    }

    /** Where a run's numbering stands; {@link Position#START} for a run with no entry yet. */
    record Position(long lastSeq, long agentEntries, boolean truncated) {
        static final Position START = new Position(0, 0, false);
    }

    Uni<Position> position(SqlClient db, UUID runId, boolean forUpdate) {
        return db.preparedQuery(forUpdate ? POSITION + " for update" : POSITION).execute(Tuple.of(runId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Position.START;
                    }
                    Row row = rows.iterator().next();
                    return new Position(row.getLong("last_seq"), row.getLong("agent_entries"), row.getBoolean("truncated"));
                });
    }

    /**
     * Numbers {@code entries} after the run's last entry and writes them to the outbox as RunActivity events of at most
     * {@link #EVENT_ENTRIES} entries and {@link #EVENT_MAX_BYTES}, in the caller's transaction. The row lock taken by
     * the numbering holds a concurrent writer of the same run until this transaction ends, so the run's events are
     * written in the order of their numbers. {@code agentEntries} and {@code truncated} are the run's totals so far.
     */
    Uni<Void> append(SqlClient db, RunRef run, List<Entry> entries, long agentEntries, boolean truncated) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return db.preparedQuery(ADVANCE).execute(Tuple.of(run.runId(), (long) entries.size(), agentEntries, truncated))
                .chain(rows -> {
                    long last = rows.iterator().next().getLong("last_seq");
                    long seq = last - entries.size() + 1;
                    List<RunActivity> events = new ArrayList<>();
                    List<RunActivity.Entry> batch = new ArrayList<>();
                    int bytes = 0;
                    for (Entry entry : entries) {
                        if (!batch.isEmpty() && (batch.size() == EVENT_ENTRIES || bytes + entry.jsonBytes() > EVENT_MAX_BYTES)) {
                            events.add(event(run, batch));
                            batch = new ArrayList<>();
                            bytes = 0;
                        }
                        batch.add(new RunActivity.Entry(seq++, entry.at(), entry.kind().wire(), entry.text()));
                        bytes += entry.jsonBytes();
                    }
                    events.add(event(run, batch));
                    return Multi.createFrom().iterable(events)
                            .onItem().transformToUniAndConcatenate(event -> outbox.enqueue(db, Topics.RUN_ACTIVITY, event))
                            .collect().last()
                            .replaceWithVoid();
                });
    }

    /** Of {@code ids}, those already published for the run. */
    Uni<Set<String>> publishedMessages(SqlClient db, UUID runId, List<String> ids) {
        return db.preparedQuery("select message_id from run_activity_message where run_id = $1 and message_id = any($2)")
                .execute(Tuple.of(runId, ids.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> known = new HashSet<>();
                    rows.forEach(row -> known.add(row.getString("message_id")));
                    return known;
                });
    }

    Uni<Void> rememberMessages(SqlClient db, UUID runId, List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return db.preparedQuery("insert into run_activity_message (run_id, message_id) values ($1, $2) on conflict do nothing")
                .executeBatch(ids.stream().map(id -> Tuple.of(runId, id)).toList())
                .replaceWithVoid();
    }

    private static RunActivity event(RunRef run, List<RunActivity.Entry> entries) {
        return new RunActivity(UUID.randomUUID(), Instant.now(), run.workspaceId(), run.runId(), run.taskId(), run.provider(),
                List.copyOf(entries));
    }
}
