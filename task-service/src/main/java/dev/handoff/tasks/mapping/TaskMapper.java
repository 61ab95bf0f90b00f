package dev.handoff.tasks.mapping;

import dev.handoff.events.AgentContext;
import dev.handoff.tasks.AcceptanceCriterion;
import dev.handoff.tasks.AgentRun;
import dev.handoff.tasks.Brief;
import dev.handoff.tasks.Subtask;
import dev.handoff.tasks.Task;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Entities to the contract's JSON. The API's Brief and Task are the shared {@link AgentContext} records, so the
 * task endpoints, the agent context and the run service's copy of it are the same JSON.
 */
public final class TaskMapper {

    public static AgentContext.Brief toApi(Brief brief) {
        return new AgentContext.Brief(brief.id, brief.title, brief.content, brief.createdAt, brief.updatedAt);
    }

    public static AgentContext.Task toApi(Task task, List<AcceptanceCriterion> criteria, List<Subtask> subtasks,
            AgentRun latestRun) {
        List<String> criteriaInOrder = criteria.stream()
                .sorted(Comparator.comparingInt((AcceptanceCriterion c) -> c.position))
                .map(c -> c.text)
                .toList();
        List<AgentContext.Subtask> subtasksInOrder = subtasks.stream()
                .sorted(Comparator.comparingInt((Subtask s) -> s.position))
                .map(s -> new AgentContext.Subtask(s.id, s.position, s.title, s.description))
                .toList();
        return new AgentContext.Task(task.id, task.briefId, task.title, task.description, criteriaInOrder,
                subtasksInOrder, latestRun == null ? null : toApi(latestRun), task.createdAt, task.updatedAt);
    }

    public static AgentContext.AgentRunRef toApi(AgentRun run) {
        return new AgentContext.AgentRunRef(run.runId, run.status, run.pullRequestUrl, run.updatedAt);
    }

    /** Several tasks at once, from rows loaded in bulk (one query per table, not per task). */
    public static List<AgentContext.Task> toApi(List<Task> tasks, List<AcceptanceCriterion> criteria,
            List<Subtask> subtasks, List<AgentRun> runs) {
        Map<UUID, List<AcceptanceCriterion>> criteriaByTask = criteria.stream()
                .collect(Collectors.groupingBy(c -> c.taskId));
        Map<UUID, List<Subtask>> subtasksByTask = subtasks.stream().collect(Collectors.groupingBy(s -> s.taskId));
        Map<UUID, List<AgentRun>> runsByTask = runs.stream().collect(Collectors.groupingBy(r -> r.taskId));
        return tasks.stream()
                .map(task -> toApi(task,
                        criteriaByTask.getOrDefault(task.id, List.of()),
                        subtasksByTask.getOrDefault(task.id, List.of()),
                        AgentRun.latestOf(runsByTask.getOrDefault(task.id, List.of())).orElse(null)))
                .toList();
    }

    private TaskMapper() {
    }
}
