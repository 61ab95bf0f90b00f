package dev.handoff.tasks.mapping;

import dev.handoff.tasks.AcceptanceCriterion;
import dev.handoff.tasks.AgentRun;
import dev.handoff.tasks.Brief;
import dev.handoff.tasks.Subtask;
import dev.handoff.tasks.Task;
import dev.handoff.tasks.repository.BriefSummary;
import dev.handoff.tasks.rest.AgentRunView;
import dev.handoff.tasks.rest.BriefListItem;
import dev.handoff.tasks.rest.BriefView;
import dev.handoff.tasks.rest.SubtaskView;
import dev.handoff.tasks.rest.TaskView;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Entities to the API's views. The views are the task service's own records, not the shared event records: the
 * run service copies the agent context into its events, but the API and the Kafka contract change separately.
 */
public final class TaskMapper {

    public static BriefView toView(Brief brief) {
        return new BriefView(brief.id, brief.title, brief.content, brief.createdAt, brief.updatedAt);
    }

    public static BriefListItem toListItem(BriefSummary brief) {
        return new BriefListItem(brief.id(), brief.title(), brief.contentLength(), brief.createdAt(),
                brief.updatedAt());
    }

    public static TaskView toView(Task task, List<AcceptanceCriterion> criteria, List<Subtask> subtasks,
            AgentRun latestRun) {
        List<String> criteriaInOrder = criteria.stream()
                .sorted(Comparator.comparingInt((AcceptanceCriterion c) -> c.position))
                .map(c -> c.text)
                .toList();
        List<SubtaskView> subtasksInOrder = subtasks.stream()
                .sorted(Comparator.comparingInt((Subtask s) -> s.position))
                .map(s -> new SubtaskView(s.id, s.position, s.title, s.description))
                .toList();
        return new TaskView(task.id, task.briefId, task.title, task.description, criteriaInOrder,
                subtasksInOrder, latestRun == null ? null : toView(latestRun), task.createdAt, task.updatedAt);
    }

    public static AgentRunView toView(AgentRun run) {
        return new AgentRunView(run.runId, run.status, run.pullRequestUrl, run.updatedAt);
    }

    /** Several tasks at once, from rows loaded in bulk (one query per table, not per task). */
    public static List<TaskView> toViews(List<Task> tasks, List<AcceptanceCriterion> criteria,
            List<Subtask> subtasks, List<AgentRun> runs) {
        Map<UUID, List<AcceptanceCriterion>> criteriaByTask = criteria.stream()
                .collect(Collectors.groupingBy(c -> c.taskId));
        Map<UUID, List<Subtask>> subtasksByTask = subtasks.stream().collect(Collectors.groupingBy(s -> s.taskId));
        Map<UUID, List<AgentRun>> runsByTask = runs.stream().collect(Collectors.groupingBy(r -> r.taskId));
        return tasks.stream()
                .map(task -> toView(task,
                        criteriaByTask.getOrDefault(task.id, List.of()),
                        subtasksByTask.getOrDefault(task.id, List.of()),
                        AgentRun.latestOf(runsByTask.getOrDefault(task.id, List.of())).orElse(null)))
                .toList();
    }

    private TaskMapper() {
    }
}
