package dev.handoff.gateway.rest;

import dev.handoff.gateway.AgentConfig;
import dev.handoff.gateway.provider.AgentProvider;
import dev.handoff.gateway.provider.AgentProviders;
import dev.handoff.gateway.service.AgentConfigService;
import dev.handoff.web.Caller;
import dev.handoff.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The workspace's agent configuration, and the providers it may choose from. The API key goes in, never out: responses
 * carry only {@code keyHint}.
 */
@Path("/api/agent-config")
@Tag(name = "Agent configuration", description = "Which agent provider the workspace uses, and its API key")
@Produces(MediaType.APPLICATION_JSON)
public class AgentConfigResource {

    private final AgentConfigService service;
    private final AgentProviders providers;
    private final Caller caller;

    public AgentConfigResource(AgentConfigService service, AgentProviders providers, Caller caller) {
        this.service = service;
        this.providers = providers;
        this.caller = caller;
    }

    /**
     * The PUT body. {@code provider} is one of {@code GET /api/agent-config/providers}; {@code apiKey} as that provider
     * needs; {@code agent} (local only) one of the operator's enabled presets; {@code gitToken} the workspace's own git
     * token (absent: kept; empty: removed).
     */
    public record ConfigRequest(
            @NotNull @Size(max = 64) String provider,
            @Size(max = 64) String agent,
            @Size(max = 1000) String apiKey,
            @NotNull Boolean enabled,
            @Size(max = 200) String model,
            @Size(max = 1000) String gitToken) {

        @Override
        public String toString() {
            return "ConfigRequest[provider=" + provider + ", agent=" + agent + ", enabled=" + enabled + ", model=" + model + "]";
        }
    }

    /**
     * What a client sees: never the key or the git token, only their hints. {@code providers}: the providers this
     * gateway has; {@code agents}: the local agent presets the operator enabled; {@code agent}: the local one chosen.
     */
    public record ConfigView(String provider, String agent, boolean enabled, String model, String keyHint,
            String gitTokenHint, Instant verifiedAt, Instant updatedAt, List<ProviderView> providers, List<String> agents) {
    }

    private ConfigView view(AgentConfig config) {
        return new ConfigView(config.provider(), config.agent(), config.enabled(), config.model(), config.keyHint(),
                config.gitTokenHint(), config.verifiedAt(), config.updatedAt(), providers(), service.agents());
    }

    /** A provider the gateway has, and what it needs from an agent configuration. */
    public record ProviderView(String name, boolean keyRequired, boolean fileRepositories, List<String> activity) {

        static ProviderView of(AgentProvider provider) {
            return new ProviderView(provider.name(), provider.settings().keyRequired(), provider.settings().fileRepositories(),
                    provider.activity().stream().map(kind -> kind.name().toLowerCase(Locale.ROOT)).sorted().toList());
        }
    }

    @GET
    @Path("/providers")
    @RolesAllowed({Caller.MEMBER, Caller.ADMIN})
    @Operation(summary = "The providers this gateway has, and what each needs",
            description = "keyRequired: PUT /api/agent-config needs an apiKey for it (checked with the provider)."
                    + " fileRepositories: it clones file:// repositories on the gateway's machine.")
    @APIResponse(responseCode = "200", description = "The providers, by name")
    public List<ProviderView> providers() {
        return providers.all().stream().map(ProviderView::of).toList();
    }

    @GET
    @RolesAllowed({Caller.MEMBER, Caller.ADMIN})
    @Operation(summary = "The workspace's agent configuration (never the key), with the providers to choose from")
    @APIResponse(responseCode = "200", description = "The configuration")
    @APIResponse(responseCode = "404", description = "The workspace has no agent configuration yet")
    public Uni<ConfigView> get() {
        return service.find(caller.workspace())
                .map(found -> found.map(this::view).orElseThrow(() -> ProblemException.notFound("agent configuration")));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Set the provider, enable or disable agents, store the provider's API key",
            description = "provider is one of GET /api/agent-config/providers. A provider with keyRequired (cursor) needs"
                    + " the key, which is checked with the provider (Cursor: GET /v0/me) before it is stored in the secret"
                    + " store. For local, agent is one of the answer's agents (default: the first) and apiKey is optional:"
                    + " it is stored and handed only to that agent's process; omitted, the stored key is kept while the"
                    + " agent stays the same. gitToken (optional, any provider) is the workspace's own git token for its"
                    + " clones, pushes and pull requests; omitted it is kept, empty it is removed.")
    @APIResponse(responseCode = "200", description = "The configuration as stored")
    @APIResponse(responseCode = "400", description = "validation-failed")
    @APIResponse(responseCode = "403", description = "forbidden: only admins configure agents")
    @APIResponse(responseCode = "422", description = "provider-rejected-key: Cursor refused the key")
    @APIResponse(responseCode = "503", description = "provider-unavailable: Cursor could not be reached")
    public Uni<ConfigView> put(@Valid @NotNull ConfigRequest request) {
        String model = request.model() == null || request.model().isBlank() ? null : request.model().strip();
        return service.configure(caller.workspace(),
                        new AgentConfigService.Change(request.provider(), request.agent(), request.apiKey(), request.enabled(),
                                model, request.gitToken()))
                .map(this::view);
    }

    @DELETE
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Remove the agent configuration and destroy the stored key")
    @APIResponse(responseCode = "204", description = "Removed (also when there was none)")
    @APIResponse(responseCode = "403", description = "forbidden: only admins configure agents")
    public Uni<Response> delete() {
        return service.remove(caller.workspace()).map(nothing -> Response.noContent().build());
    }
}
