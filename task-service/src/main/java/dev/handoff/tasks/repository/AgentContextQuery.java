package dev.handoff.tasks.repository;

import dev.handoff.events.RunStatus;
import dev.handoff.tasks.AcceptanceCriterion;
import dev.handoff.tasks.AgentRun;
import dev.handoff.tasks.Brief;
import dev.handoff.tasks.Subtask;
import dev.handoff.tasks.Task;
import dev.handoff.tasks.mapping.TaskMapper;
import dev.handoff.tasks.rest.AgentContextView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The agent context of a task ({@code GET /api/tasks/{id}/agent-context}, read by the run service on every launch)
 * in <b>one statement</b> on the reactive pool: the task, its brief, its criteria, subtasks and runs (each as arrays in
 * position order), one snapshot, one round trip, no Hibernate session. The rows become the same entities the other
 * reads load, and {@link TaskMapper} makes the views, so the task in it is exactly what {@code GET /api/tasks/{id}}
 * answers.
 */
@ApplicationScoped
public class AgentContextQuery {

    static final String SELECT = """
            select t.id, t.brief_id, t.title, t.description, t.created_at, t.updated_at,
                   b.title as brief_title, b.content as brief_content, b.created_at as brief_created_at,
                   b.updated_at as brief_updated_at,
                   c.ids as criterion_ids, c.positions as criterion_positions, c.texts as criterion_texts,
                   s.ids as subtask_ids, s.positions as subtask_positions, s.titles as subtask_titles,
                   s.descriptions as subtask_descriptions,
                   r.ids as run_ids, r.statuses as run_statuses, r.versions as run_versions,
                   r.pull_request_urls as run_pull_request_urls, r.first_event_ats as run_first_event_ats,
                   r.updated_ats as run_updated_ats
            from tasks t
            join briefs b on b.id = t.brief_id and b.workspace_id = t.workspace_id
            cross join lateral (
                select coalesce(array_agg(id order by position), '{}') as ids,
                       coalesce(array_agg(position order by position), '{}') as positions,
                       coalesce(array_agg(text order by position), '{}') as texts
                from acceptance_criteria where workspace_id = t.workspace_id and task_id = t.id) c
            cross join lateral (
                select coalesce(array_agg(id order by position), '{}') as ids,
                       coalesce(array_agg(position order by position), '{}') as positions,
                       coalesce(array_agg(title order by position), '{}') as titles,
                       coalesce(array_agg(description order by position), '{}') as descriptions
                from subtasks where workspace_id = t.workspace_id and task_id = t.id) s
            cross join lateral (
                select coalesce(array_agg(run_id), '{}') as ids, coalesce(array_agg(status), '{}') as statuses,
                       coalesce(array_agg(version), '{}') as versions,
                       coalesce(array_agg(pull_request_url), '{}') as pull_request_urls,
                       coalesce(array_agg(first_event_at), '{}') as first_event_ats,
                       coalesce(array_agg(updated_at), '{}') as updated_ats
                from agent_runs where workspace_id = t.workspace_id and task_id = t.id) r
            where t.id = $2 and t.workspace_id = $1
            """;

    private final Pool pool;

    public AgentContextQuery(Pool pool) {
        this.pool = pool;
    }

    /** The context, or null when the workspace has no such task. */
    public Uni<AgentContextView> find(String workspaceId, UUID taskId) {
        return pool.preparedQuery(SELECT).execute(Tuple.of(workspaceId, taskId)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            return it.hasNext() ? toView(workspaceId, it.next()) : null;
        });
    }

    private static AgentContextView toView(String workspaceId, Row row) {
        Task task = new Task();
        task.id = row.getUUID("id");
        task.workspaceId = workspaceId;
        task.briefId = row.getUUID("brief_id");
        task.title = row.getString("title");
        task.description = row.getString("description");
        task.createdAt = instant(row.getOffsetDateTime("created_at"));
        task.updatedAt = instant(row.getOffsetDateTime("updated_at"));

        Brief brief = new Brief();
        brief.id = task.briefId;
        brief.workspaceId = workspaceId;
        brief.title = row.getString("brief_title");
        brief.content = row.getString("brief_content");
        brief.createdAt = instant(row.getOffsetDateTime("brief_created_at"));
        brief.updatedAt = instant(row.getOffsetDateTime("brief_updated_at"));

        // the rows of each table as arrays in position order (empty when there are none), made into the entities
        // by their own factories, with their stored ids
        List<AcceptanceCriterion> criteria = new ArrayList<>();
        UUID[] criterionIds = row.getArrayOfUUIDs("criterion_ids");
        Integer[] criterionPositions = row.getArrayOfIntegers("criterion_positions");
        String[] texts = row.getArrayOfStrings("criterion_texts");
        for (int i = 0; i < criterionIds.length; i++) {
            AcceptanceCriterion criterion = AcceptanceCriterion.of(task, criterionPositions[i], texts[i]);
            criterion.id = criterionIds[i];
            criteria.add(criterion);
        }

        List<Subtask> subtasks = new ArrayList<>();
        UUID[] subtaskIds = row.getArrayOfUUIDs("subtask_ids");
        Integer[] subtaskPositions = row.getArrayOfIntegers("subtask_positions");
        String[] titles = row.getArrayOfStrings("subtask_titles");
        String[] descriptions = row.getArrayOfStrings("subtask_descriptions");
        for (int i = 0; i < subtaskIds.length; i++) {
            Subtask subtask = Subtask.create(task, subtaskPositions[i], titles[i], descriptions[i]);
            subtask.id = subtaskIds[i];
            subtasks.add(subtask);
        }

        List<AgentRun> runs = new ArrayList<>();
        UUID[] runIds = row.getArrayOfUUIDs("run_ids");
        String[] statuses = row.getArrayOfStrings("run_statuses");
        Long[] versions = row.getArrayOfLongs("run_versions");
        String[] pullRequestUrls = row.getArrayOfStrings("run_pull_request_urls");
        OffsetDateTime[] firstEventAts = row.getArrayOfOffsetDateTimes("run_first_event_ats");
        OffsetDateTime[] updatedAts = row.getArrayOfOffsetDateTimes("run_updated_ats");
        for (int i = 0; i < runIds.length; i++) {
            AgentRun run = new AgentRun();
            run.runId = runIds[i];
            run.workspaceId = workspaceId;
            run.taskId = task.id;
            run.status = statuses[i] == null ? null : RunStatus.valueOf(statuses[i]);
            run.version = versions[i];
            run.pullRequestUrl = pullRequestUrls[i];
            run.firstEventAt = instant(firstEventAts[i]);
            run.updatedAt = instant(updatedAts[i]);
            runs.add(run);
        }

        return new AgentContextView(
                TaskMapper.toView(task, criteria, subtasks, AgentRun.latestOf(runs).orElse(null)),
                TaskMapper.toView(brief));
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
