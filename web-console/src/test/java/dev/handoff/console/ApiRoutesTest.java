package dev.handoff.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.console.ApiRoutes.Service;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiRoutesTest {

    @Test
    void eachPathOfTheContractGoesToTheServiceThatOwnsIt() {
        Map<String, Service> expected = Map.ofEntries(
                Map.entry("/api/briefs", Service.TASKS),
                Map.entry("/api/briefs/b1", Service.TASKS),
                Map.entry("/api/briefs/b1/tasks", Service.TASKS),
                Map.entry("/api/briefs/b1/tasks/import", Service.TASKS),
                Map.entry("/api/tasks/t1", Service.TASKS),
                Map.entry("/api/tasks/t1/agent-context", Service.TASKS),
                Map.entry("/api/tasks/t1/runs", Service.RUNS),
                Map.entry("/api/runs", Service.RUNS),
                Map.entry("/api/runs/r1", Service.RUNS),
                Map.entry("/api/runs/r1/cancel", Service.RUNS),
                Map.entry("/api/runs/r1/followups", Service.RUNS),
                Map.entry("/api/agent-config", Service.GATEWAY),
                Map.entry("/api/pull-requests/p1", Service.GATEWAY),
                Map.entry("/api/events", Service.NOTIFICATIONS),
                Map.entry("/api/activity", Service.NOTIFICATIONS),
                Map.entry("/api/webhooks", Service.NOTIFICATIONS),
                Map.entry("/api/webhooks/w1/deliveries", Service.NOTIFICATIONS));
        expected.forEach((path, service) -> assertEquals(service, ApiRoutes.serviceFor(path).orElse(null), path));
    }

    @Test
    void pathsNoServiceOwnsAreNotForwarded() {
        for (String path : new String[] {"/api", "/api/", "/api/briefsx", "/api/tasks", "/api/tasks/t1/other", "/api/runs/../agent-config",
                "/api/agent-configs", "/api/eventsx", "/q/health"}) {
            assertTrue(ApiRoutes.serviceFor(path).isEmpty(), path);
        }
    }
}
