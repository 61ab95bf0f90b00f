package dev.handoff.tasks.service;

import dev.handoff.tasks.Brief;
import dev.handoff.tasks.mapping.TaskMapper;
import dev.handoff.tasks.repository.BriefRepository;
import dev.handoff.tasks.repository.ListPosition;
import dev.handoff.tasks.rest.BriefListItem;
import dev.handoff.tasks.rest.BriefView;
import dev.handoff.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** The brief use cases, each within the caller's workspace. */
@ApplicationScoped
public class BriefService {

    private final BriefRepository briefs;
    private final InputValidation validation;

    public BriefService(BriefRepository briefs, InputValidation validation) {
        this.briefs = briefs;
        this.validation = validation;
    }

    @WithTransaction
    public Uni<Versioned<BriefView>> create(String workspaceId, BriefInput input) {
        validation.requireValid(input);
        Brief brief = Brief.create(workspaceId, input.title(), input.contentOrEmpty(), Clock.now());
        return briefs.persist(brief).map(BriefService::versioned);
    }

    /** One page of the workspace's briefs, newest first, without their content. */
    @WithSession
    public Uni<ListPage<BriefListItem>> list(String workspaceId, int limit, ListPosition after) {
        return briefs.summariesInWorkspace(workspaceId, after, limit + 1)
                .map(rows -> ListPage.of(rows, limit, row -> new ListPosition(row.createdAt(), row.seq()),
                        page -> page.stream().map(TaskMapper::toListItem).toList()));
    }

    @WithSession
    public Uni<Versioned<BriefView>> get(String workspaceId, UUID id) {
        return existing(workspaceId, id).map(BriefService::versioned);
    }

    /**
     * Replaces title and content. The brief is locked first, so that a stale {@code ifMatch} (412) is seen even when
     * another replacement is under way; then the input is checked.
     */
    @WithTransaction
    public Uni<Versioned<BriefView>> replace(String workspaceId, UUID id, BriefInput input, String ifMatch) {
        return briefs.findForUpdate(workspaceId, id)
                .onItem().ifNull().failWith(() -> notFound(id))
                .invoke(brief -> {
                    EntityTag.requireMatch(ifMatch, brief.version, "brief " + id);
                    validation.requireValid(input);
                    brief.replace(input.title(), input.contentOrEmpty(), Clock.now());
                })
                .call(briefs::flush)
                .map(BriefService::versioned);
    }

    /** Deletes the brief and, with it, its tasks. */
    @WithTransaction
    public Uni<Void> delete(String workspaceId, UUID id, String ifMatch) {
        Uni<Void> precondition = ifMatch == null
                ? Uni.createFrom().voidItem()
                : briefs.findForUpdate(workspaceId, id)
                        .onItem().ifNull().failWith(() -> notFound(id))
                        .invoke(brief -> EntityTag.requireMatch(ifMatch, brief.version, "brief " + id))
                        .replaceWithVoid();
        return precondition
                .chain(() -> briefs.deleteInWorkspace(workspaceId, id))
                .invoke(deleted -> {
                    if (!deleted) {
                        throw notFound(id);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Brief> existing(String workspaceId, UUID id) {
        return briefs.findInWorkspace(workspaceId, id).onItem().ifNull().failWith(() -> notFound(id));
    }

    private static Versioned<BriefView> versioned(Brief brief) {
        return new Versioned<>(TaskMapper.toView(brief), brief.version);
    }

    static ProblemException notFound(UUID id) {
        return ProblemException.notFound("brief " + id);
    }
}
