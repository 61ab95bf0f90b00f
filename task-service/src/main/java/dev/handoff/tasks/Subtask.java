package dev.handoff.tasks;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** An implementation step of a task; its id stays the same across edits, its position (0-based) is its order. */
@Entity
@Table(name = "subtasks")
public class Subtask extends PanacheEntityBase {

    public static final int TITLE_MAX = 200;
    public static final int DESCRIPTION_MAX = 65_536;

    @Id
    public UUID id;

    @Column(name = "workspace_id", nullable = false, updatable = false)
    public String workspaceId;

    @Column(name = "task_id", nullable = false, updatable = false)
    public UUID taskId;

    @Column(nullable = false)
    public int position;

    @Column(nullable = false)
    public String title;

    @Column(nullable = false)
    public String description;

    public static Subtask create(Task task, int position, String title, String description) {
        Subtask subtask = new Subtask();
        subtask.id = UUID.randomUUID();
        subtask.workspaceId = task.workspaceId;
        subtask.taskId = task.id;
        subtask.position = position;
        subtask.title = title;
        subtask.description = description;
        return subtask;
    }

    public void replace(int position, String title, String description) {
        this.position = position;
        this.title = title;
        this.description = description;
    }
}
