package dev.handoff.gateway.rest;

import dev.handoff.gateway.LocalPullRequest;
import dev.handoff.gateway.repository.PullRequestRepository;
import dev.handoff.web.Caller;
import dev.handoff.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Pull requests the local provider opened on repositories without a forge API. */
@Path("/api/pull-requests")
@Tag(name = "Pull requests", description = "Local pull requests: the pushed branch, its commits and its diff")
@Produces(MediaType.APPLICATION_JSON)
public class PullRequestResource {

    private final PullRequestRepository pullRequests;
    private final Caller caller;

    public PullRequestResource(PullRequestRepository pullRequests, Caller caller) {
        this.pullRequests = pullRequests;
        this.caller = caller;
    }

    /** The contract's shape: {id, runId, repositoryUrl, base, head, title, body, commits, diffStat, diff}. */
    public record PullRequestView(UUID id, UUID runId, String repositoryUrl, String base, String head, String title,
            String body, List<LocalPullRequest.Commit> commits, String diffStat, String diff) {
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Caller.MEMBER, Caller.ADMIN})
    @Operation(summary = "A local pull request with its commits ({sha, author, message}), diff stat and full diff")
    @APIResponse(responseCode = "200", description = "The pull request")
    @APIResponse(responseCode = "404", description = "No such pull request in this workspace")
    public Uni<PullRequestView> get(@PathParam("id") String id) {
        UUID pullRequestId;
        try {
            pullRequestId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("pull request " + id.substring(0, Math.min(id.length(), 40)));
        }
        return pullRequests.find(caller.workspace(), pullRequestId)
                .map(found -> found.map(pr -> new PullRequestView(pr.id(), pr.runId(), pr.repositoryUrl(), pr.base(),
                                pr.head(), pr.title(), pr.body(), pr.commits(), pr.diffStat(), pr.diff()))
                        .orElseThrow(() -> ProblemException.notFound("pull request " + id)));
    }
}
