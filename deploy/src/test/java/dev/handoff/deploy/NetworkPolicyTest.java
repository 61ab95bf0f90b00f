package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may reach whom, evaluated like Kubernetes does: ingress is denied by default, and a pod accepts a peer on a
 * port when any policy selecting the pod has a rule admitting that peer on that port.
 */
class NetworkPolicyTest {

    static final List<String> OVERLAYS = Project.OVERLAYS;

    /** The ingress controller's pods, as the policies name them (ingress-nginx in its own namespace). */
    static final Peer INGRESS_CONTROLLER = new Peer("ingress-nginx",
            Map.of("app.kubernetes.io/name", "ingress-nginx"));

    record Peer(String namespace, Map<String, String> labels) {
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void ingressIsDeniedUnlessAPolicyAdmitsIt(String overlay) {
        Manifests m = Render.overlay(overlay);
        assertTrue(m.all("NetworkPolicy").stream().anyMatch(p ->
                        p.path("spec").path("podSelector").isEmpty()
                                && Json.list(p.path("spec").path("policyTypes")).stream().anyMatch(t -> t.asText().equals("Ingress"))
                                && p.path("spec").path("ingress").isMissingNode()),
                overlay + ": a default-deny ingress policy for the whole namespace");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void eachDatabaseAcceptsOnlyItsOwnServiceAmongHandoffsPods(String overlay) {
        Manifests m = Render.overlay(overlay);
        String namespace = namespace(m);
        for (ServiceModule service : ServiceModule.all()) {
            String host = Environment.of(m, Manifests.mainContainer(m.get("Deployment", service.module())))
                    .require("HANDOFF_DB_HOST");
            String cluster = host.substring(0, host.length() - "-rw".length());
            Map<String, String> instance = Map.of("cnpg.io/cluster", cluster);
            for (ServiceModule other : ServiceModule.all()) {
                Peer peer = new Peer(namespace, Manifests.podLabels(m.get("Deployment", other.module())));
                assertEquals(other.equals(service), admits(m, namespace, instance, peer, 5432),
                        overlay + ": " + other.module() + " -> database " + cluster);
            }
            assertTrue(admits(m, namespace, instance, new Peer(namespace, instance), 5432),
                    overlay + ": " + cluster + "'s instances replicate to each other");
            assertTrue(admits(m, namespace, instance, new Peer("cnpg-system",
                            Map.of("app.kubernetes.io/name", "cloudnative-pg")), 8000),
                    overlay + ": the CloudNativePG operator reaches " + cluster + "'s instance manager");
            assertTrue(!admits(m, namespace, instance, INGRESS_CONTROLLER, 5432),
                    overlay + ": the ingress controller must not reach " + cluster);
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void servicesAcceptTheIngressControllerAndOnlyTheirDeclaredCallers(String overlay) {
        Manifests m = Render.overlay(overlay);
        String namespace = namespace(m);
        // who calls whom over REST (HANDOFF_TASKS_URL, HANDOFF_GATEWAY_URL); everything else goes through Kafka
        Map<String, Set<String>> callers = Map.of(
                "task-service", Set.of("agent-run-service"),
                "agent-run-service", Set.of(),
                "provider-gateway", Set.of("agent-run-service"),
                "notification-service", Set.of());
        for (ServiceModule service : ServiceModule.all()) {
            Map<String, String> target = Manifests.podLabels(m.get("Deployment", service.module()));
            assertTrue(admits(m, namespace, target, INGRESS_CONTROLLER, service.port()),
                    overlay + ": the ingress controller reaches " + service.module());
            Set<String> admitted = new TreeSet<>();
            for (ServiceModule other : ServiceModule.all()) {
                Peer peer = new Peer(namespace, Manifests.podLabels(m.get("Deployment", other.module())));
                if (admits(m, namespace, target, peer, service.port())) {
                    admitted.add(other.module());
                }
            }
            assertEquals(new TreeSet<>(callers.get(service.module())), admitted,
                    overlay + ": the services that may call " + service.module());
            assertTrue(!admits(m, namespace, target, new Peer("somewhere-else", Map.of()), service.port()),
                    overlay + ": a pod of another namespace reaches " + service.module());
        }
    }

    /** Kubernetes' NetworkPolicy semantics for ingress (matchLabels selectors, numeric ports). */
    static boolean admits(Manifests m, String namespace, Map<String, String> podLabels, Peer peer, int port) {
        boolean selected = false;
        for (JsonNode policy : m.all("NetworkPolicy")) {
            JsonNode spec = policy.path("spec");
            if (!Json.selects(spec.path("podSelector"), podLabels)) {
                continue;
            }
            boolean ingressPolicy = spec.path("policyTypes").isMissingNode()
                    || Json.list(spec.path("policyTypes")).stream().anyMatch(t -> t.asText().equals("Ingress"));
            if (!ingressPolicy) {
                continue;
            }
            selected = true;
            for (JsonNode rule : spec.path("ingress")) {
                if (portMatches(rule, port) && peerMatches(rule, namespace, peer)) {
                    return true;
                }
            }
        }
        return !selected;
    }

    private static boolean portMatches(JsonNode rule, int port) {
        if (rule.path("ports").isMissingNode() || rule.path("ports").isEmpty()) {
            return true;
        }
        for (JsonNode p : rule.path("ports")) {
            if (!p.path("port").isInt()) {
                throw new AssertionError("named ports in NetworkPolicies are not evaluated here: " + p);
            }
            if (p.path("port").asInt() == port) {
                return true;
            }
        }
        return false;
    }

    private static boolean peerMatches(JsonNode rule, String namespace, Peer peer) {
        if (rule.path("from").isMissingNode()) {
            return true;
        }
        for (JsonNode from : rule.path("from")) {
            if (from.has("ipBlock")) {
                throw new AssertionError("ipBlock peers are not evaluated here: " + from);
            }
            boolean namespaceOk = from.has("namespaceSelector")
                    ? Json.selects(from.path("namespaceSelector"), Map.of("kubernetes.io/metadata.name", peer.namespace()))
                    : peer.namespace().equals(namespace);
            boolean podOk = !from.has("podSelector") || Json.selects(from.path("podSelector"), peer.labels());
            if (namespaceOk && podOk) {
                return true;
            }
        }
        return false;
    }

    static String namespace(Manifests m) {
        return m.get("Deployment", "task-service").path("metadata").path("namespace").asText();
    }
}
