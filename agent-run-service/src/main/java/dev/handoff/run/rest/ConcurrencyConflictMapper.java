package dev.handoff.run.rest;

import dev.handoff.run.service.Conflicts;
import dev.handoff.web.Problem;
import dev.handoff.web.ProblemMappers;
import io.smallrye.mutiny.CompositeException;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where a lost optimistic lock ({@code OptimisticLockException}, {@code StaleObjectStateException},
 * however wrapped) becomes a 409; anything else these types carry goes to the shared mappers.
 */
public class ConcurrencyConflictMapper {

    private final ProblemMappers shared = new ProblemMappers();

    @ServerExceptionMapper
    public Response persistence(PersistenceException e) {
        return map(e);
    }

    @ServerExceptionMapper
    public Response composite(CompositeException e) {
        return map(e);
    }

    @ServerExceptionMapper
    public Response completion(CompletionException e) {
        return map(e);
    }

    private Response map(Throwable e) {
        if (Conflicts.isOptimisticLock(e)) {
            return new Problem(409, "concurrent-update", "Conflict",
                    "the run was changed by another request at the same time; reload it and try again", null)
                    .toResponse();
        }
        return shared.unexpected(e);
    }
}
