package dev.handoff.notify.repository;

import dev.handoff.events.EventJson;
import dev.handoff.events.RunActivity.Entry;
import dev.handoff.notify.ActivityBatch.SeqRange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The stored activity of runs ({@code run_activity}: one row per stored batch, entries as jsonb) and the runs this
 * service knows ({@code known_run}, filled by a trigger on {@code run_event}). Plain SQL on the reactive pool, as
 * {@link RunEventStore}; the writes take the caller's transaction.
 */
@ApplicationScoped
public class ActivityStore {

    /** The first key of the per-run advisory lock: keeps it apart from any other advisory lock of this database. */
    private static final int LOCK_SPACE = 0x41435456;

    private static final String LOCK_RUN = "select pg_advisory_xact_lock($1, $2)";
    private static final String OWNER = "select workspace_id from known_run where run_id = $1";
    private static final String STORED_RANGES = "select first_seq, last_seq from run_activity"
            + " where run_id = $1 and last_seq >= $2 and first_seq <= $3";
    private static final String INSERT = "insert into run_activity (run_id, workspace_id, first_seq, last_seq, entries)"
            + " values ($1, $2, $3, $4, $5::text::jsonb)";
    private static final String KNOWN = "select 1 from known_run where run_id = $1 and workspace_id = $2";
    /*
     * Rows never overlap, so the first $3 rows (by first_seq) whose range ends after the cursor hold the first $3
     * entries after it: each such row has at least one, and every entry of a later row comes after them.
     */
    private static final String PAGE = """
            select e.seq, e.at, e.kind, e.text
            from (select entries from run_activity
                  where run_id = $1 and workspace_id = $2 and last_seq > $3
                  order by first_seq limit $4) r
            cross join lateral jsonb_to_recordset(r.entries) as e(seq bigint, at text, kind text, "text" text)
            where e.seq > $3
            order by e.seq
            limit $4
            """;
    private static final String PURGE_ACTIVITY = "delete from run_activity where ctid = any(array("
            + "select ctid from run_activity where created_at < $1 limit $2))";
    private static final String PURGE_RUNS = "delete from known_run where ctid = any(array("
            + "select k.ctid from known_run k where k.seen_at < $1"
            + " and not exists (select 1 from run_activity a where a.run_id = k.run_id) limit $2))";

    private final Pool pool;

    public ActivityStore(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /**
     * Holds the run's activity for the rest of the transaction: two batches of one run (a redelivery racing its
     * original across a rebalance) are trimmed and stored one after the other, never both against the same state.
     */
    public Uni<Void> lockRun(SqlClient tx, UUID runId) {
        return tx.preparedQuery(LOCK_RUN).execute(Tuple.of(LOCK_SPACE, runId.hashCode())).replaceWithVoid();
    }

    /** The workspace the run belongs to, when this service has heard of it. */
    public Uni<Optional<String>> workspaceOf(SqlClient tx, UUID runId) {
        return tx.preparedQuery(OWNER).execute(Tuple.of(runId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
    }

    /** The stored batches of the run whose ranges meet {@code [from, to]}. */
    public Uni<List<SeqRange>> storedRanges(SqlClient tx, UUID runId, long from, long to) {
        return tx.preparedQuery(STORED_RANGES).execute(Tuple.of(runId, from, to)).map(rows -> {
            List<SeqRange> ranges = new ArrayList<>(rows.size());
            rows.forEach(row -> ranges.add(new SeqRange(row.getLong(0), row.getLong(1))));
            return ranges;
        });
    }

    /** One row per group (entries in seq order, none stored yet, ranges not overlapping any stored one). */
    public Uni<Void> insert(SqlClient tx, String workspaceId, UUID runId, List<List<Entry>> groups) {
        List<Tuple> rows = groups.stream()
                .map(group -> Tuple.of(runId, workspaceId, group.get(0).seq(), group.get(group.size() - 1).seq(),
                        EventJson.toJson(group)))
                .toList();
        return tx.preparedQuery(INSERT).executeBatch(rows).replaceWithVoid();
    }

    /** True when a status event or activity of the run was stored for this workspace (and not yet purged). */
    public Uni<Boolean> isKnown(String workspaceId, UUID runId) {
        return pool.preparedQuery(KNOWN).execute(Tuple.of(runId, workspaceId)).map(rows -> rows.size() > 0);
    }

    /** The run's first {@code limit} entries with a seq above {@code after}, in seq order. */
    public Uni<List<Entry>> page(String workspaceId, UUID runId, long after, int limit) {
        return pool.preparedQuery(PAGE).execute(Tuple.of(runId, workspaceId, after, limit)).map(ActivityStore::entries);
    }

    /** Deletes at most {@code batch} activity rows stored before {@code cutoff}; how many it deleted. */
    public Uni<Integer> deleteCreatedBefore(Instant cutoff, int batch) {
        return pool.preparedQuery(PURGE_ACTIVITY).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch))
                .map(RowSet::rowCount);
    }

    /** Forgets at most {@code batch} runs last heard of before {@code cutoff} that have no activity left. */
    public Uni<Integer> forgetRunsSeenBefore(Instant cutoff, int batch) {
        return pool.preparedQuery(PURGE_RUNS).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch))
                .map(RowSet::rowCount);
    }

    private static List<Entry> entries(RowSet<Row> rows) {
        List<Entry> entries = new ArrayList<>(rows.size());
        for (Row row : rows) {
            entries.add(new Entry(row.getLong("seq"), Instant.parse(row.getString("at")), row.getString("kind"),
                    row.getString("text")));
        }
        return entries;
    }
}
