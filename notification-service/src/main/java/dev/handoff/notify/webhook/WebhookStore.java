package dev.handoff.notify.webhook;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Webhooks and their deliveries, plain SQL on the reactive pool like the event store. Deliveries are created by the
 * database trigger of {@code V50__webhooks.sql} in the transaction that stores the event; this class claims, records
 * and purges them.
 */
@ApplicationScoped
public class WebhookStore {

    private static final String WEBHOOK_COLUMNS = "id, workspace_id, url, events, format, created_at";

    /*
     * Due deliveries, oldest due first, that no replica holds (no lease, or an expired one) and whose run has no earlier
     * undone delivery to the same webhook (a run's events go out in order: a later one waits until the earlier one is
     * delivered or failed). "Earlier" is by the time the event happened, then by the order it was stored: status
     * changes and pull requests arrive on two topics, so a pull request may be stored a moment after the status change
     * that followed it; when both are waiting, they still go out as they happened. SKIP LOCKED lets replicas claim side by side without waiting for each other; the lease
     * keeps a claimed row away from the others until this replica records the attempt (or dies and the lease runs out).
     */
    private static final String CLAIM = """
            with due as (
                select d.id from webhook_delivery d
                where d.status = 'retrying' and d.next_attempt_at <= now()
                  and (d.leased_until is null or d.leased_until < now())
                  and not (d.webhook_id = any ($2::uuid[]))
                  and not exists (select 1 from webhook_delivery e
                                  where e.webhook_id = d.webhook_id and e.run_id = d.run_id
                                    and e.status = 'retrying'
                                    and (coalesce(e.occurred_at, e.created_at), e.sequence)
                                        < (coalesce(d.occurred_at, d.created_at), d.sequence))
                order by d.next_attempt_at, d.sequence
                limit $1
                for update of d skip locked
            )
            update webhook_delivery d set leased_until = now() + make_interval(secs => $3)
            from due, webhook w
            where d.id = due.id and w.id = d.webhook_id
            returning d.id, d.webhook_id, d.event_id, d.event_type, d.run_id, d.task_id, d.payload, d.attempts,
                      w.workspace_id, w.url, w.format, w.secret, w.secret_key_id
            """;

    /*
     * A failed attempt: retried after the pause, or given up when the next attempt would come later than giveUpAfter
     * after the event was enqueued. Only while this replica still holds the lease it claimed the row with.
     */
    private static final String FAILED = """
            update webhook_delivery set attempts = attempts + 1, last_status_code = $2, last_error = $3,
                   leased_until = null,
                   next_attempt_at = now() + make_interval(secs => $4),
                   status = case when now() + make_interval(secs => $4) > created_at + make_interval(secs => $5)
                                 then 'failed' else 'retrying' end
            where id = $1 and status = 'retrying'
            returning status
            """;

    private final Pool pool;

    public WebhookStore(Pool pool) {
        this.pool = pool;
    }

    /** A delivery claimed by this replica, with what it takes to make the attempt. */
    public record Claimed(UUID id, UUID webhookId, UUID eventId, String event, UUID runId, UUID taskId, String payload,
            int attemptsBefore, String workspaceId, String url, WebhookFormat format, byte[] secret, String secretKeyId) {
    }

    public Uni<Webhook> insert(Webhook webhook, byte[] secret, String secretKeyId) {
        return pool.preparedQuery("insert into webhook (" + WEBHOOK_COLUMNS + ", secret, secret_key_id)"
                        + " values ($1, $2, $3, $4, $5, $6, $7, $8) returning " + WEBHOOK_COLUMNS)
                .execute(Tuple.tuple().addUUID(webhook.id()).addString(webhook.workspaceId()).addString(webhook.url())
                        .addArrayOfString(webhook.events().toArray(String[]::new)).addString(webhook.format().value())
                        .addOffsetDateTime(webhook.createdAt().atOffset(ZoneOffset.UTC))
                        .addBuffer(Buffer.buffer(secret)).addString(secretKeyId))
                .map(rows -> webhook(rows.iterator().next()));
    }

    /** One page of a list, and where it ended when more items follow (the next cursor's values; null: the last page). */
    public record Page<T>(List<T> items, List<String> next) {
    }

    /** Where a page of webhooks ended: the last one's registration time and id. */
    public record WebhookPosition(Instant createdAt, UUID id) {
    }

    /** Where a page of deliveries ended: the last one's creation time and sequence. */
    public record DeliveryPosition(Instant createdAt, long sequence) {
    }

    /** The workspace's webhooks in registration order, at most {@code limit}, after {@code after} (null: the first). */
    public Uni<Page<Webhook>> list(String workspaceId, int limit, WebhookPosition after) {
        Tuple args = Tuple.of(workspaceId, limit + 1);
        String where = "";
        if (after != null) {
            where = " and (created_at, id) > ($3, $4)";
            args.addOffsetDateTime(after.createdAt().atOffset(ZoneOffset.UTC)).addUUID(after.id());
        }
        return pool.preparedQuery("select " + WEBHOOK_COLUMNS + " from webhook where workspace_id = $1" + where
                        + " order by created_at, id limit $2")
                .execute(args)
                .map(rows -> {
                    List<Webhook> webhooks = new ArrayList<>(limit);
                    List<String> next = null;
                    for (Row row : rows) {
                        if (webhooks.size() == limit) {
                            Webhook last = webhooks.get(limit - 1);
                            next = List.of(last.createdAt().toString(), last.id().toString());
                            break;
                        }
                        webhooks.add(webhook(row));
                    }
                    return new Page<>(webhooks, next);
                });
    }

    public Uni<Optional<Webhook>> find(String workspaceId, UUID id) {
        return pool.preparedQuery("select " + WEBHOOK_COLUMNS + " from webhook where workspace_id = $1 and id = $2")
                .execute(Tuple.of(workspaceId, id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(webhook(rows.iterator().next())));
    }

    /** Deletes the webhook and its delivery log; false when the workspace has no such webhook. */
    public Uni<Boolean> delete(String workspaceId, UUID id) {
        return pool.preparedQuery("delete from webhook where workspace_id = $1 and id = $2")
                .execute(Tuple.of(workspaceId, id))
                .map(rows -> rows.rowCount() > 0);
    }

    /** The webhook's deliveries, newest first, at most {@code limit}, after {@code after} (null: the newest). */
    public Uni<Page<DeliveryView>> deliveries(UUID webhookId, int limit, DeliveryPosition after) {
        Tuple args = Tuple.of(webhookId, limit + 1);
        String where = "";
        if (after != null) {
            where = " and (created_at, sequence) < ($3, $4)";
            args.addOffsetDateTime(after.createdAt().atOffset(ZoneOffset.UTC)).addLong(after.sequence());
        }
        return pool.preparedQuery("select id, event_id, event_type, status, attempts, last_status_code, last_error,"
                        + " created_at, delivered_at, sequence from webhook_delivery where webhook_id = $1" + where
                        + " order by created_at desc, sequence desc limit $2")
                .execute(args)
                .map(rows -> {
                    List<DeliveryView> views = new ArrayList<>(limit);
                    List<String> next = null;
                    List<String> position = null;
                    for (Row row : rows) {
                        if (views.size() == limit) {
                            next = position;
                            break;
                        }
                        position = List.of(instant(row.getOffsetDateTime("created_at")).toString(),
                                String.valueOf(row.getLong("sequence")));
                        views.add(new DeliveryView(row.getUUID("id"), row.getUUID("event_id"), row.getString("event_type"),
                                row.getString("status"), row.getInteger("attempts"), row.getInteger("last_status_code"),
                                row.getString("last_error"), instant(row.getOffsetDateTime("created_at")),
                                instant(row.getOffsetDateTime("delivered_at"))));
                    }
                    return new Page<>(views, next);
                });
    }

    /** Claims up to {@code limit} due deliveries for {@code lease}, none of the {@code busy} webhooks. */
    public Uni<List<Claimed>> claim(int limit, Collection<UUID> busy, Duration lease) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.tuple().addInteger(limit).addArrayOfUUID(busy.toArray(UUID[]::new))
                        .addDouble(lease.toMillis() / 1000.0))
                .map(WebhookStore::claimed);
    }

    /** Hands a claimed delivery back untouched (this replica has no room for it now). */
    public Uni<Void> release(UUID id) {
        return pool.preparedQuery("update webhook_delivery set leased_until = null where id = $1 and status = 'retrying'")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    public Uni<Void> delivered(UUID id, int statusCode) {
        return pool.preparedQuery("update webhook_delivery set status = 'delivered', attempts = attempts + 1,"
                        + " last_status_code = $2, last_error = null, leased_until = null, delivered_at = now()"
                        + " where id = $1 and status = 'retrying'")
                .execute(Tuple.of(id, statusCode)).replaceWithVoid();
    }

    /**
     * Records a failed attempt; the delivery's status afterwards ({@code retrying} or {@code failed}), empty when the
     * row is gone (its webhook was deleted meanwhile).
     */
    public Uni<Optional<String>> failed(UUID id, Integer statusCode, String error, Duration pause, Duration giveUpAfter) {
        return pool.preparedQuery(FAILED)
                .execute(Tuple.tuple().addUUID(id).addInteger(statusCode).addString(error)
                        .addDouble(pause.toMillis() / 1000.0).addDouble(giveUpAfter.toMillis() / 1000.0))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
    }

    /**
     * The task's title, when this service has seen it: RunStatusChanged does not carry it, but the PullRequestOpened of
     * a run of the same task does. Null otherwise (a Slack message then names the task by its id).
     */
    public Uni<String> knownTaskTitle(String workspaceId, UUID taskId) {
        if (taskId == null) {
            return Uni.createFrom().nullItem();
        }
        return pool.preparedQuery("select payload::jsonb ->> 'title' from run_event where workspace_id = $1"
                        + " and task_id = $2 and event_type = 'PullRequestOpened' order by sequence desc limit 1")
                .execute(Tuple.of(workspaceId, taskId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    /** Deletes finished deliveries created before {@code cutoff}; how many. */
    public Uni<Integer> purge(Instant cutoff) {
        return pool.preparedQuery("delete from webhook_delivery where created_at < $1 and status <> 'retrying'")
                .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC)))
                .map(RowSet::rowCount);
    }

    private static List<Claimed> claimed(RowSet<Row> rows) {
        List<Claimed> claimed = new ArrayList<>(rows.size());
        for (Row row : rows) {
            claimed.add(new Claimed(row.getUUID("id"), row.getUUID("webhook_id"), row.getUUID("event_id"),
                    row.getString("event_type"), row.getUUID("run_id"), row.getUUID("task_id"), row.getString("payload"),
                    row.getInteger("attempts"), row.getString("workspace_id"), row.getString("url"),
                    WebhookFormat.of(row.getString("format")).orElse(WebhookFormat.HANDOFF),
                    row.getBuffer("secret").getBytes(), row.getString("secret_key_id")));
        }
        return claimed;
    }

    private static Webhook webhook(Row row) {
        return new Webhook(row.getUUID("id"), row.getString("workspace_id"), row.getString("url"),
                Arrays.asList(row.getArrayOfStrings("events")),
                WebhookFormat.of(row.getString("format")).orElse(WebhookFormat.HANDOFF),
                instant(row.getOffsetDateTime("created_at")));
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
