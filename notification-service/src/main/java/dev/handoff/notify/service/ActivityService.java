package dev.handoff.notify.service;

import dev.handoff.events.RunActivity;
import dev.handoff.events.RunActivity.Entry;
import dev.handoff.notify.ActivityBatch;
import dev.handoff.notify.RunEvent;
import dev.handoff.notify.repository.ActivityStore;
import dev.handoff.notify.repository.RunEventStore;
import dev.handoff.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** The use cases of run activity: store a batch once, and read a run's entries page by page. */
@ApplicationScoped
public class ActivityService {

    private final ActivityStore activity;
    private final RunEventStore events;

    public ActivityService(ActivityStore activity, RunEventStore events) {
        this.activity = activity;
        this.events = events;
    }

    /** A page of entries, and the cursor of the next page (null when this is the last). */
    public record Page(List<Entry> entries, Long nextAfter) {
    }

    /**
     * Stores what of the batch is new, in one transaction, and is idempotent in itself: under a per-run lock, the
     * entries already stored for the run are left out (a redelivered batch adds nothing, an overlapping one only the
     * rest), the new ones become one batch row, and the batch, trimmed to them, becomes a stored event of the
     * workspace, so that it streams as {@code run.activity} with an id in the same sequence as every other event,
     * and replays like them. Answers how many entries were new. A batch for a run of another workspace is refused
     * (dead-lettered).
     */
    public Uni<Integer> record(RunActivity event) {
        RunEvent.requireStorable(event);
        List<Entry> entries = ActivityBatch.entries(event);
        return activity.pool().withTransaction(tx -> activity.lockRun(tx, event.runId())
                .chain(() -> activity.workspaceOf(tx, event.runId()))
                .chain(owner -> {
                    if (owner.isPresent() && !owner.get().equals(event.workspaceId())) {
                        return Uni.createFrom().failure(new IllegalArgumentException("RunActivity " + event.eventId()
                                + " is for a run of another workspace"));
                    }
                    return activity.storedRanges(tx, event.runId(), entries.get(0).seq(),
                            entries.get(entries.size() - 1).seq());
                })
                .chain(stored -> store(tx, event, ActivityBatch.unstored(entries, stored))));
    }

    private Uni<Integer> store(SqlClient tx, RunActivity event, List<List<Entry>> groups) {
        if (groups.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<Entry> fresh = groups.stream().flatMap(List::stream).toList();
        RunActivity trimmed = new RunActivity(event.eventId(), event.occurredAt(), event.workspaceId(), event.runId(),
                event.taskId(), event.provider(), fresh);
        return activity.insert(tx, event.workspaceId(), event.runId(), groups)
                .chain(() -> events.store(tx, RunEvent.unsequenced(trimmed), event.occurredAt()))
                .replaceWith(fresh.size());
    }

    /**
     * The run's entries after {@code after}, at most {@code limit}; 404 for a run this workspace never heard of (or
     * another workspace's), an empty page for a known run without activity.
     */
    public Uni<Page> page(String workspaceId, UUID runId, long after, int limit) {
        return activity.isKnown(workspaceId, runId).chain(known -> {
            if (!known) {
                return Uni.createFrom().failure(ProblemException.notFound("Run " + runId));
            }
            return activity.page(workspaceId, runId, after, limit + 1).map(found -> found.size() > limit
                    ? new Page(found.subList(0, limit), found.get(limit - 1).seq())
                    : new Page(found, null));
        });
    }
}
