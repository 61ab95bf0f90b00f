package dev.handoff.run.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** provider-gateway, as the contract describes it. */
@Path("/api")
@RegisterRestClient(configKey = "provider-gateway")
interface ProviderGatewayApi {

    @GET
    @Path("/agent-config")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<String> agentConfig(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);
}
