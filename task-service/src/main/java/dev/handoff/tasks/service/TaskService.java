package dev.handoff.tasks.service;

import dev.handoff.tasks.AcceptanceCriterion;
import dev.handoff.tasks.Subtask;
import dev.handoff.tasks.Task;
import dev.handoff.tasks.mapping.TaskMapper;
import dev.handoff.tasks.repository.AcceptanceCriterionRepository;
import dev.handoff.tasks.repository.AgentContextQuery;
import dev.handoff.tasks.repository.AgentRunRepository;
import dev.handoff.tasks.repository.BriefRepository;
import dev.handoff.tasks.repository.ListPosition;
import dev.handoff.tasks.repository.SubtaskRepository;
import dev.handoff.tasks.repository.TaskRepository;
import dev.handoff.tasks.rest.AgentContextView;
import dev.handoff.tasks.rest.TaskView;
import dev.handoff.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** The task use cases, each within the caller's workspace. */
@ApplicationScoped
public class TaskService {

    private final BriefRepository briefs;
    private final TaskRepository tasks;
    private final AcceptanceCriterionRepository criteria;
    private final SubtaskRepository subtasks;
    private final AgentRunRepository runs;
    private final InputValidation validation;
    private final AgentContextQuery agentContexts;

    public TaskService(BriefRepository briefs, TaskRepository tasks, AcceptanceCriterionRepository criteria,
            SubtaskRepository subtasks, AgentRunRepository runs, InputValidation validation,
            AgentContextQuery agentContexts) {
        this.briefs = briefs;
        this.tasks = tasks;
        this.criteria = criteria;
        this.subtasks = subtasks;
        this.runs = runs;
        this.validation = validation;
        this.agentContexts = agentContexts;
    }

    @WithTransaction
    public Uni<Versioned<TaskView>> create(String workspaceId, UUID briefId, TaskInput input) {
        validation.requireValid(input, Set.of());
        return briefForNewTasks(workspaceId, briefId)
                .chain(brief -> insert(workspaceId, briefId, List.of(input)))
                .map(created -> new Versioned<>(created.get(0), 0));
    }

    /** Creates all the tasks in the given order, or none: the caller has validated them. */
    @WithTransaction
    public Uni<List<TaskView>> createAll(String workspaceId, UUID briefId, List<TaskInput> inputs) {
        return briefForNewTasks(workspaceId, briefId).chain(brief -> insert(workspaceId, briefId, inputs));
    }

    /** Checks that the brief exists in the workspace (404 otherwise) before anything else is looked at. */
    @WithSession
    public Uni<Void> requireBrief(String workspaceId, UUID briefId) {
        return briefs.findInWorkspace(workspaceId, briefId)
                .onItem().ifNull().failWith(() -> BriefService.notFound(briefId))
                .replaceWithVoid();
    }

    /** One page of the brief's tasks in creation order (an import's in file order). */
    @WithSession
    public Uni<ListPage<TaskView>> listOfBrief(String workspaceId, UUID briefId, int limit, ListPosition after) {
        return briefs.findInWorkspace(workspaceId, briefId)
                .onItem().ifNull().failWith(() -> BriefService.notFound(briefId))
                .chain(brief -> tasks.pageOfBrief(workspaceId, briefId, after, limit + 1))
                .chain(rows -> ListPage.ofLater(rows, limit, task -> new ListPosition(task.createdAt, task.seq),
                        page -> views(workspaceId, page)));
    }

    @WithSession
    public Uni<Versioned<TaskView>> get(String workspaceId, UUID id) {
        return existing(workspaceId, id).chain(task -> versioned(workspaceId, task));
    }

    /**
     * Exactly what an agent is given: the task with its criteria and subtasks in order, and the whole brief. One
     * statement ({@link AgentContextQuery}): the run service reads it on every launch.
     */
    public Uni<AgentContextView> agentContext(String workspaceId, UUID id) {
        return agentContexts.find(workspaceId, id).onItem().ifNull().failWith(() -> notFound(id));
    }

    /**
     * Replaces title, description, criteria and subtasks. A subtask that names one of the task's subtask ids keeps
     * that id; one without an id is new; the task's subtasks left out are deleted. Positions follow the list order.
     * The task is locked first, so that a stale {@code ifMatch} (412) is seen even when another replacement is under
     * way; then the input is checked.
     */
    @WithTransaction
    public Uni<Versioned<TaskView>> replace(String workspaceId, UUID id, TaskInput input, String ifMatch) {
        return tasks.findForUpdate(workspaceId, id)
                .onItem().ifNull().failWith(() -> notFound(id))
                .invoke(task -> EntityTag.requireMatch(ifMatch, task.version, "task " + id))
                .chain(task -> subtasks.listOfTasks(workspaceId, List.of(id))
                        .chain(current -> replace(task, current, input)))
                .chain(task -> versioned(workspaceId, task));
    }

    @WithTransaction
    public Uni<Void> delete(String workspaceId, UUID id, String ifMatch) {
        Uni<Void> precondition = ifMatch == null
                ? Uni.createFrom().voidItem()
                : tasks.findForUpdate(workspaceId, id)
                        .onItem().ifNull().failWith(() -> notFound(id))
                        .invoke(task -> EntityTag.requireMatch(ifMatch, task.version, "task " + id))
                        .replaceWithVoid();
        return precondition
                .chain(() -> tasks.deleteInWorkspace(workspaceId, id))
                .invoke(deleted -> {
                    if (!deleted) {
                        throw notFound(id);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Task> replace(Task task, List<Subtask> current, TaskInput input) {
        Map<UUID, Subtask> kept = current.stream()
                .collect(Collectors.toMap(s -> s.id, s -> s, (a, b) -> a, LinkedHashMap::new));
        validation.requireValid(input, kept.keySet());

        Map<UUID, Subtask> removed = new LinkedHashMap<>(kept);
        List<Subtask> added = new ArrayList<>();
        List<SubtaskInput> wanted = input.subtasksOrEmpty();
        for (int position = 0; position < wanted.size(); position++) {
            SubtaskInput in = wanted.get(position);
            if (in.id() != null) {
                removed.remove(in.id()).replace(position, in.title(), in.descriptionOrEmpty());
            } else {
                added.add(Subtask.create(task, position, in.title(), in.descriptionOrEmpty()));
            }
        }
        task.replace(input.title(), input.descriptionOrEmpty(), Clock.now());

        Uni<Long> deleteRemoved = removed.isEmpty()
                ? Uni.createFrom().item(0L)
                : subtasks.delete("workspaceId = ?1 and taskId = ?2 and id in ?3", task.workspaceId, task.id,
                        removed.keySet());
        return deleteRemoved
                .chain(() -> criteria.deleteOfTask(task.workspaceId, task.id))
                .chain(() -> persistAll(criteria, criteriaOf(task, input)))
                .chain(() -> persistAll(subtasks, added))
                .chain(() -> tasks.flush())
                .replaceWith(task);
    }

    private Uni<List<TaskView>> insert(String workspaceId, UUID briefId, List<TaskInput> inputs) {
        Instant now = Clock.now();
        List<Task> created = new ArrayList<>();
        List<AcceptanceCriterion> newCriteria = new ArrayList<>();
        List<Subtask> newSubtasks = new ArrayList<>();
        for (TaskInput input : inputs) {
            Task task = Task.create(workspaceId, briefId, input.title(), input.descriptionOrEmpty(), now);
            created.add(task);
            newCriteria.addAll(criteriaOf(task, input));
            List<SubtaskInput> steps = input.subtasksOrEmpty();
            for (int position = 0; position < steps.size(); position++) {
                SubtaskInput step = steps.get(position);
                newSubtasks.add(Subtask.create(task, position, step.title(), step.descriptionOrEmpty()));
            }
        }
        // the tasks reach the database first: criteria and subtasks reference them
        return tasks.persist(created)
                .chain(() -> tasks.flush())
                .chain(() -> persistAll(criteria, newCriteria))
                .chain(() -> persistAll(subtasks, newSubtasks))
                .chain(() -> tasks.flush())
                .map(ignored -> TaskMapper.toViews(created, newCriteria, newSubtasks, List.of()));
    }

    /** Panache refuses to persist an empty list. */
    private static <T> Uni<Void> persistAll(PanacheRepositoryBase<T, UUID> repository, List<T> entities) {
        return entities.isEmpty() ? Uni.createFrom().voidItem() : repository.persist(entities);
    }

    private static List<AcceptanceCriterion> criteriaOf(Task task, TaskInput input) {
        List<String> texts = input.criteriaOrEmpty();
        List<AcceptanceCriterion> list = new ArrayList<>(texts.size());
        for (int position = 0; position < texts.size(); position++) {
            list.add(AcceptanceCriterion.of(task, position, texts.get(position)));
        }
        return list;
    }

    private Uni<Void> briefForNewTasks(String workspaceId, UUID briefId) {
        return briefs.findForNewTasks(workspaceId, briefId)
                .onItem().ifNull().failWith(() -> BriefService.notFound(briefId))
                .replaceWithVoid();
    }

    private Uni<Task> existing(String workspaceId, UUID id) {
        return tasks.findInWorkspace(workspaceId, id).onItem().ifNull().failWith(() -> notFound(id));
    }

    private Uni<TaskView> view(String workspaceId, Task task) {
        return views(workspaceId, List.of(task)).map(list -> list.get(0));
    }

    private Uni<Versioned<TaskView>> versioned(String workspaceId, Task task) {
        return view(workspaceId, task).map(view -> new Versioned<>(view, task.version));
    }

    /** The API form of these tasks: one query each for criteria, subtasks and runs, whatever the number of tasks. */
    private Uni<List<TaskView>> views(String workspaceId, List<Task> list) {
        List<UUID> ids = list.stream().map(t -> t.id).toList();
        return criteria.listOfTasks(workspaceId, ids)
                .chain(c -> subtasks.listOfTasks(workspaceId, ids)
                        .chain(s -> runs.listOfTasks(workspaceId, ids)
                                .map(r -> TaskMapper.toViews(list, c, s, r))));
    }

    static ProblemException notFound(UUID id) {
        return ProblemException.notFound("task " + id);
    }
}
