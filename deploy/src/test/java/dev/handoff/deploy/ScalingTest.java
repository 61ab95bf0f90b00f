package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dev runs one of everything; prod runs several replicas of each service and of the web console, protected by
 * PodDisruptionBudgets and autoscaled on CPU.
 */
class ScalingTest {

    @Test
    void devRunsOneReplicaOfEachServiceWithoutBudgetsOrAutoscalers() {
        Manifests dev = Render.overlay("dev");
        for (String service : ServiceModule.DEPLOYED) {
            assertEquals(1, dev.get("Deployment", service).path("spec").path("replicas").asInt(), service);
        }
        assertEquals(List.of(), dev.all("PodDisruptionBudget"));
        assertEquals(List.of(), dev.all("HorizontalPodAutoscaler"));
        for (JsonNode deployment : dev.all("Deployment")) {
            JsonNode requests = Manifests.mainContainer(deployment).path("resources").path("requests");
            assertTrue(Quantity.millicores(requests.path("cpu").asText()) <= 100,
                    Manifests.name(deployment) + ": dev requests stay small");
        }
    }

    @Test
    void prodRunsSeveralReplicasOfEachServiceProtectedByADisruptionBudget() {
        Manifests prod = Render.overlay("prod");
        for (String service : ServiceModule.DEPLOYED) {
            JsonNode deployment = prod.get("Deployment", service);
            int replicas = deployment.path("spec").path("replicas").asInt();
            assertTrue(replicas >= 3, service + " runs " + replicas + " replicas in prod");
            List<JsonNode> budgets = prod.all("PodDisruptionBudget").stream()
                    .filter(pdb -> Json.selects(pdb.path("spec").path("selector"), Manifests.podLabels(deployment)))
                    .map(pdb -> (JsonNode) pdb)
                    .toList();
            assertEquals(1, budgets.size(), service + ": exactly one PodDisruptionBudget selects its pods");
            JsonNode spec = budgets.get(0).path("spec");
            int allowedDown = spec.has("maxUnavailable") ? spec.path("maxUnavailable").asInt()
                    : replicas - spec.path("minAvailable").asInt();
            assertTrue(allowedDown >= 1 && allowedDown < replicas,
                    service + ": the budget must allow draining a node and keep the service up");
        }
    }

    @Test
    void prodScalesEachServiceOnCpuUpToThePartitionCount() {
        Manifests prod = Render.overlay("prod");
        int partitions = KafkaTest.localTopics().get(Topics.RUN_STATUS_CHANGED);
        for (String service : ServiceModule.DEPLOYED) {
            List<JsonNode> hpas = prod.all("HorizontalPodAutoscaler").stream()
                    .filter(h -> h.path("spec").path("scaleTargetRef").path("kind").asText().equals("Deployment")
                            && h.path("spec").path("scaleTargetRef").path("name").asText().equals(service))
                    .map(h -> (JsonNode) h)
                    .toList();
            assertEquals(1, hpas.size(), service + ": exactly one HorizontalPodAutoscaler");
            JsonNode spec = hpas.get(0).path("spec");
            assertEquals("autoscaling/v2", hpas.get(0).path("apiVersion").asText());
            assertEquals("apps/v1", spec.path("scaleTargetRef").path("apiVersion").asText());
            JsonNode metric = spec.path("metrics").path(0);
            assertEquals("Resource", metric.path("type").asText());
            assertEquals("cpu", metric.path("resource").path("name").asText());
            assertEquals("Utilization", metric.path("resource").path("target").path("type").asText());
            int replicas = prod.get("Deployment", service).path("spec").path("replicas").asInt();
            assertEquals(replicas, spec.path("minReplicas").asInt(), service + ": minReplicas = the Deployment's replicas");
            assertTrue(spec.path("maxReplicas").asInt() > replicas, service + ": room to scale");
            assertTrue(spec.path("maxReplicas").asInt() <= partitions,
                    service + ": more consumers than partitions would sit idle");
            // utilization is relative to the request: without one the autoscaler cannot work
            assertTrue(Manifests.mainContainer(prod.get("Deployment", service)).path("resources").path("requests")
                    .has("cpu"));
        }
    }
}
