package dev.handoff.tasks;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** One acceptance criterion of a task, at its position (0-based) in the task's list. */
@Entity
@Table(name = "acceptance_criteria")
public class AcceptanceCriterion extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "workspace_id", nullable = false, updatable = false)
    public String workspaceId;

    @Column(name = "task_id", nullable = false, updatable = false)
    public UUID taskId;

    @Column(nullable = false)
    public int position;

    @Column(nullable = false)
    public String text;

    public static AcceptanceCriterion of(Task task, int position, String text) {
        AcceptanceCriterion criterion = new AcceptanceCriterion();
        criterion.id = UUID.randomUUID();
        criterion.workspaceId = task.workspaceId;
        criterion.taskId = task.id;
        criterion.position = position;
        criterion.text = text;
        return criterion;
    }
}
