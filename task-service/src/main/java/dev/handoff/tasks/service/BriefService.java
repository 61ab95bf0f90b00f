package dev.handoff.tasks.service;

import dev.handoff.events.AgentContext;
import dev.handoff.tasks.Brief;
import dev.handoff.tasks.mapping.TaskMapper;
import dev.handoff.tasks.repository.BriefRepository;
import dev.handoff.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
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
    public Uni<AgentContext.Brief> create(String workspaceId, BriefInput input) {
        validation.requireValid(input);
        Brief brief = Brief.create(workspaceId, input.title(), input.contentOrEmpty(), Clock.now());
        return briefs.persist(brief).map(TaskMapper::toApi);
    }

    @WithSession
    public Uni<List<AgentContext.Brief>> list(String workspaceId) {
        return briefs.listInWorkspace(workspaceId).map(list -> list.stream().map(TaskMapper::toApi).toList());
    }

    @WithSession
    public Uni<AgentContext.Brief> get(String workspaceId, UUID id) {
        return existing(workspaceId, id).map(TaskMapper::toApi);
    }

    @WithTransaction
    public Uni<AgentContext.Brief> replace(String workspaceId, UUID id, BriefInput input) {
        validation.requireValid(input);
        return existing(workspaceId, id)
                .invoke(brief -> brief.replace(input.title(), input.contentOrEmpty(), Clock.now()))
                .call(briefs::flush)
                .map(TaskMapper::toApi);
    }

    /** Deletes the brief and, with it, its tasks. */
    @WithTransaction
    public Uni<Void> delete(String workspaceId, UUID id) {
        return briefs.deleteInWorkspace(workspaceId, id)
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

    static ProblemException notFound(UUID id) {
        return ProblemException.notFound("brief " + id);
    }
}
