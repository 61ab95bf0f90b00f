package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public entrance: every endpoint of CONTRACT.md reaches the service that serves it, nothing else is routed, and
 * the host agrees with the gateway's HANDOFF_PUBLIC_URL (where Cursor sends its webhooks).
 */
class IngressTest {

    static final List<String> OVERLAYS = Project.OVERLAYS;

    /** A request path of each contract endpoint, and the service that answers it (CONTRACT.md). */
    static final Map<String, String> CONTRACT_ROUTES = routes(
            "/api/briefs", "task-service",
            "/api/briefs/0b6c7f1e-1111-4a5b-9c0d-123456789abc", "task-service",
            "/api/briefs/0b6c7f1e-1111-4a5b-9c0d-123456789abc/tasks", "task-service",
            "/api/briefs/0b6c7f1e-1111-4a5b-9c0d-123456789abc/tasks/import", "task-service",
            "/api/tasks/5d0c7f1e-2222-4a5b-9c0d-123456789abc", "task-service",
            "/api/tasks/5d0c7f1e-2222-4a5b-9c0d-123456789abc/agent-context", "task-service",
            "/api/tasks/5d0c7f1e-2222-4a5b-9c0d-123456789abc/runs", "agent-run-service",
            "/api/runs", "agent-run-service",
            "/api/runs?status=RUNNING", "agent-run-service",
            "/api/runs/7e0c7f1e-3333-4a5b-9c0d-123456789abc", "agent-run-service",
            "/api/runs/7e0c7f1e-3333-4a5b-9c0d-123456789abc/cancel", "agent-run-service",
            "/api/runs/7e0c7f1e-3333-4a5b-9c0d-123456789abc/retry", "agent-run-service",
            "/api/agent-config", "provider-gateway",
            "/api/pull-requests/8f0c7f1e-4444-4a5b-9c0d-123456789abc", "provider-gateway",
            "/webhooks/cursor/7e0c7f1e-3333-4a5b-9c0d-123456789abc", "provider-gateway",
            "/api/events", "notification-service",
            "/api/events?taskId=5d0c7f1e-2222-4a5b-9c0d-123456789abc", "notification-service",
            // version 2: follow-ups, activity, outgoing webhooks
            "/api/runs/7e0c7f1e-3333-4a5b-9c0d-123456789abc/followups", "agent-run-service",
            "/api/activity?runId=7e0c7f1e-3333-4a5b-9c0d-123456789abc&after=10", "notification-service",
            "/api/webhooks", "notification-service",
            "/api/webhooks/9a0c7f1e-5555-4a5b-9c0d-123456789abc", "notification-service",
            "/api/webhooks/9a0c7f1e-5555-4a5b-9c0d-123456789abc/deliveries", "notification-service");

    /** Pages of the web console (CONTRACT.md "Web console": the UI at / beside the APIs, each screen its own URL). */
    static final List<String> CONSOLE_PAGES = List.of(
            "/", "/index.html", "/briefs", "/briefs/0b6c7f1e-1111-4a5b-9c0d-123456789abc",
            "/tasks/5d0c7f1e-2222-4a5b-9c0d-123456789abc", "/settings", "/quickstart", "/queue");

    record Route(String host, String path, String service, int port, String ingress) {
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyContractEndpointReachesTheServiceThatServesIt(String overlay) {
        Manifests m = Render.overlay(overlay);
        String host = host(m);
        CONTRACT_ROUTES.forEach((path, service) -> assertEquals(Optional.of(service),
                route(m, host, path).map(Route::service), overlay + ": " + path));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void healthOpenApiAndUnknownPathsAreNotExposed(String overlay) {
        Manifests m = Render.overlay(overlay);
        String host = host(m);
        // "/" was on this list until the web console: it is now the console's (theWebConsoleIsServedAtTheRoot...)
        for (String path : List.of("/q/health/ready", "/q/openapi", "/q/metrics", "/webhooks/github/x", "/apix",
                "/q", "/Q/metrics", "/q/health/live", "/api", "/api/unknown", "/webhooks")) {
            assertEquals(Optional.empty(), route(m, host, path), overlay + ": " + path + " must not be routed");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theWebConsoleIsServedAtTheRootAndTheApisStillWin(String overlay) {
        Manifests m = Render.overlay(overlay);
        String host = host(m);
        for (String page : CONSOLE_PAGES) {
            assertEquals(Optional.of(ServiceModule.CONSOLE), route(m, host, page).map(Route::service),
                    overlay + ": " + page + " is a page of the web console");
        }
        // the console's route is tried before the shorter API paths (longest first), so it must itself leave them
        List<Route> consoleRoutes = routes(m).stream().filter(r -> r.service().equals(ServiceModule.CONSOLE)).toList();
        assertEquals(1, consoleRoutes.size(), overlay + ": one route to the web console");
        Pattern consolePath = Pattern.compile("^" + consoleRoutes.get(0).path(), Pattern.CASE_INSENSITIVE);
        for (String api : CONTRACT_ROUTES.keySet()) {
            assertTrue(!consolePath.matcher(api.replaceFirst("\\?.*$", "")).find(),
                    overlay + ": the console's path " + consolePath + " also matches " + api);
        }
        Route console = route(m, host, "/").orElseThrow();
        assertEquals(ServiceModule.console().port(), console.port(), overlay + ": the console's Service port");
        JsonNode svc = m.get("Service", ServiceModule.CONSOLE);
        assertEquals(console.port(), svc.path("spec").path("ports").path(0).path("port").asInt());
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void onlyTheGatewayReceivesTrafficBesidesThePublicApis(String overlay) {
        Manifests m = Render.overlay(overlay);
        Set<String> nonApi = new TreeSet<>();
        for (Route r : routes(m)) {
            ServiceModule service = ServiceModule.named(r.service());
            assertEquals(service.port(), r.port(), overlay + ": " + r + " targets the Service port");
            m.get("Service", r.service());
            if (r.service().equals(ServiceModule.CONSOLE)) {
                // the browser UI, not a service: its one route is checked by theWebConsoleIsServedAtTheRoot...
                continue;
            }
            if (!r.path().startsWith("/api/")) {
                nonApi.add(r.service() + " " + r.path());
                assertTrue(r.path().startsWith("/webhooks/"), overlay + ": " + r);
            }
        }
        assertEquals(Set.of("provider-gateway /webhooks/cursor"), nonApi, overlay);
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theHostIsTheGatewaysPublicUrlAndIsServedOverTls(String overlay) {
        Manifests m = Render.overlay(overlay);
        String host = host(m);
        for (JsonNode ingress : m.all("Ingress")) {
            for (JsonNode rule : ingress.path("spec").path("rules")) {
                assertEquals(host, rule.path("host").asText(), overlay + ": " + Manifests.name(ingress) + " host");
            }
            assertTrue(Json.list(ingress.path("spec").path("tls")).stream()
                            .anyMatch(t -> Json.list(t.path("hosts")).stream().anyMatch(h -> h.asText().equals(host))),
                    overlay + ": " + Manifests.name(ingress) + " has no TLS for " + host);
        }
        URI publicUrl = URI.create(Environment.of(m, Manifests.mainContainer(m.get("Deployment", "provider-gateway")))
                .require("HANDOFF_PUBLIC_URL"));
        assertEquals("https", publicUrl.getScheme(), overlay + ": Cursor posts webhooks over https");
        assertEquals(host, publicUrl.getHost(), overlay + ": HANDOFF_PUBLIC_URL and the Ingress host differ");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theEventStreamIsNotBufferedAndOutlivesTheHeartbeat(String overlay) {
        Manifests m = Render.overlay(overlay);
        Route events = route(m, host(m), "/api/events").orElseThrow();
        Map<String, String> annotations = Json.stringMap(
                m.get("Ingress", events.ingress()).path("metadata").path("annotations"));
        assertEquals("off", annotations.get("nginx.ingress.kubernetes.io/proxy-buffering"));
        assertTrue(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout")) > 15 * 2,
                overlay + ": the read timeout must outlast several 15 s heartbeats");
    }

    static String host(Manifests m) {
        Set<String> hosts = new TreeSet<>();
        routes(m).forEach(r -> hosts.add(r.host()));
        assertEquals(1, hosts.size(), m.overlay() + ": one public host, found " + hosts);
        return hosts.iterator().next();
    }

    static List<Route> routes(Manifests m) {
        List<Route> routes = new ArrayList<>();
        for (JsonNode ingress : m.all("Ingress")) {
            assertEquals("nginx", ingress.path("spec").path("ingressClassName").asText());
            for (JsonNode rule : ingress.path("spec").path("rules")) {
                for (JsonNode path : rule.path("http").path("paths")) {
                    JsonNode backend = path.path("backend").path("service");
                    routes.add(new Route(rule.path("host").asText(), path.path("path").asText(),
                            backend.path("name").asText(), backend.path("port").path("number").asInt(),
                            Manifests.name(ingress)));
                }
            }
        }
        return routes;
    }

    /**
     * ingress-nginx with use-regex on the host: every path of the host is a case-insensitive regular expression
     * anchored at the start, tried longest first; the first match wins.
     */
    static Optional<Route> route(Manifests m, String host, String requestPath) {
        boolean regex = m.all("Ingress").stream().anyMatch(i ->
                "true".equals(i.path("metadata").path("annotations").path("nginx.ingress.kubernetes.io/use-regex").asText()));
        assertTrue(regex, "the routing below is ingress-nginx's regex routing");
        String path = requestPath.replaceFirst("\\?.*$", "");
        return routes(m).stream()
                .filter(r -> r.host().equals(host))
                .sorted(Comparator.comparingInt((Route r) -> r.path().length()).reversed())
                .filter(r -> Pattern.compile("^" + r.path(), Pattern.CASE_INSENSITIVE).matcher(path).find())
                .findFirst();
    }

    private static Map<String, String> routes(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
