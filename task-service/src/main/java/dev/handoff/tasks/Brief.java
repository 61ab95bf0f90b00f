package dev.handoff.tasks;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A workspace's planning document: a title and markdown content; its tasks are deleted with it. */
@Entity
@Table(name = "briefs")
public class Brief extends PanacheEntityBase {

    public static final int TITLE_MAX = 200;
    /** 1 MiB of characters. */
    public static final int CONTENT_MAX = 1_048_576;

    @Id
    public UUID id;

    @Column(name = "workspace_id", nullable = false, updatable = false)
    public String workspaceId;

    @Column(nullable = false)
    public String title;

    @Column(nullable = false)
    public String content;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /**
     * The revision of title and content: 0 when created, one more with each replacement. Kept by hand rather than
     * with {@code @Version}: replacements lock the row, and the value is compared with a client's If-Match.
     */
    @Column(nullable = false)
    public long version;

    /** Filled by the database; orders rows created in the same instant. */
    @Column(insertable = false, updatable = false)
    public Long seq;

    public static Brief create(String workspaceId, String title, String content, Instant now) {
        Brief brief = new Brief();
        brief.id = UUID.randomUUID();
        brief.workspaceId = workspaceId;
        brief.title = title;
        brief.content = content;
        brief.createdAt = now;
        brief.updatedAt = now;
        return brief;
    }

    public void replace(String title, String content, Instant now) {
        this.title = title;
        this.content = content;
        this.updatedAt = now;
        this.version++;
    }
}
