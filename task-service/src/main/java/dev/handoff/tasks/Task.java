package dev.handoff.tasks;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A unit of work of a brief. Its acceptance criteria and subtasks are rows of their own, kept in order by
 * position; its agent run is projected from the run events ({@link AgentRun}).
 */
@Entity
@Table(name = "tasks")
public class Task extends PanacheEntityBase {

    public static final int TITLE_MAX = 200;
    /** 64 KiB of characters. */
    public static final int DESCRIPTION_MAX = 65_536;
    public static final int CRITERIA_MAX = 50;
    public static final int CRITERION_MAX = 2_000;
    public static final int SUBTASKS_MAX = 100;

    @Id
    public UUID id;

    @Column(name = "workspace_id", nullable = false, updatable = false)
    public String workspaceId;

    @Column(name = "brief_id", nullable = false, updatable = false)
    public UUID briefId;

    @Column(nullable = false)
    public String title;

    @Column(nullable = false)
    public String description;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /**
     * The revision of the task's own fields (title, description, criteria, subtasks): 0 when created, one more with
     * each replacement. Its agent run is not counted: run events never make a client's If-Match stale.
     */
    @Column(nullable = false)
    public long version;

    /** Filled by the database; orders tasks created in the same instant (an import) in file order. */
    @Column(insertable = false, updatable = false)
    public Long seq;

    public static Task create(String workspaceId, UUID briefId, String title, String description, Instant now) {
        Task task = new Task();
        task.id = UUID.randomUUID();
        task.workspaceId = workspaceId;
        task.briefId = briefId;
        task.title = title;
        task.description = description;
        task.createdAt = now;
        task.updatedAt = now;
        return task;
    }

    public void replace(String title, String description, Instant now) {
        this.title = title;
        this.description = description;
        this.updatedAt = now;
        this.version++;
    }
}
