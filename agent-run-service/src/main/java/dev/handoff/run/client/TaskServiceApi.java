package dev.handoff.run.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** task-service, as the contract describes it. Read as text: {@link TaskServiceClient} parses it leniently. */
@Path("/api/tasks")
@RegisterRestClient(configKey = "task-service")
interface TaskServiceApi {

    @GET
    @Path("/{taskId}/agent-context")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<String> agentContext(@PathParam("taskId") UUID taskId, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);
}
