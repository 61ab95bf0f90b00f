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
            for (ServiceModule other : ServiceModule.deployed()) {
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
        // who calls whom over REST (HANDOFF_TASKS_URL, HANDOFF_GATEWAY_URL); everything else goes through Kafka.
        // The web console forwards /api/** to the four services and is called by nobody but the ingress controller.
        Map<String, Set<String>> callers = Map.of(
                "task-service", Set.of("agent-run-service", ServiceModule.CONSOLE),
                "agent-run-service", Set.of(ServiceModule.CONSOLE),
                "provider-gateway", Set.of("agent-run-service", ServiceModule.CONSOLE),
                "notification-service", Set.of(ServiceModule.CONSOLE),
                ServiceModule.CONSOLE, Set.of());
        for (ServiceModule service : ServiceModule.deployed()) {
            Map<String, String> target = Manifests.podLabels(m.get("Deployment", service.module()));
            assertTrue(admits(m, namespace, target, INGRESS_CONTROLLER, service.port()),
                    overlay + ": the ingress controller reaches " + service.module());
            Set<String> admitted = new TreeSet<>();
            for (ServiceModule other : ServiceModule.deployed()) {
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

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theWebConsoleMayCallOnlyTheFourServicesAndTheClusterDns(String overlay) {
        Manifests m = Render.overlay(overlay);
        String namespace = namespace(m);
        Map<String, String> console = Manifests.podLabels(m.get("Deployment", ServiceModule.CONSOLE));
        for (ServiceModule service : ServiceModule.all()) {
            Peer peer = new Peer(namespace, Manifests.podLabels(m.get("Deployment", service.module())));
            assertTrue(egressAllowed(m, namespace, console, peer, "TCP", service.port()),
                    overlay + ": the web console reaches " + service.module());
            assertTrue(!egressAllowed(m, namespace, console, peer, "TCP", 5432),
                    overlay + ": the web console reaches " + service.module() + " on another port");
            Map<String, String> database = Map.of("cnpg.io/cluster", Environment.of(m, Manifests.mainContainer(
                    m.get("Deployment", service.module()))).require("HANDOFF_DB_HOST").replaceFirst("-rw$", ""));
            assertTrue(!egressAllowed(m, namespace, console, new Peer(namespace, database), "TCP", 5432),
                    overlay + ": the web console reaches " + service.module() + "'s database");
        }
        Peer dns = new Peer("kube-system", Map.of("k8s-app", "kube-dns"));
        assertTrue(egressAllowed(m, namespace, console, dns, "UDP", 53), overlay + ": DNS over UDP");
        assertTrue(egressAllowed(m, namespace, console, dns, "TCP", 53), overlay + ": DNS over TCP");
        Peer kafka = new Peer(namespace, Map.of("strimzi.io/cluster", m.all("Kafka").get(0).path("metadata").path("name").asText(),
                "strimzi.io/kind", "Kafka"));
        assertTrue(!egressAllowed(m, namespace, console, kafka, "TCP", 9092), overlay + ": the web console reaches Kafka");
        assertTrue(!egressAllowed(m, namespace, console, new Peer("somewhere-else", Map.of()), "TCP", 443),
                overlay + ": the web console reaches another namespace");
        // the services' egress stays open (deploy/README.md): the policy must select the console's pods only
        for (ServiceModule service : ServiceModule.all()) {
            assertTrue(egressAllowed(m, namespace, Manifests.podLabels(m.get("Deployment", service.module())),
                    new Peer("somewhere-else", Map.of()), "TCP", 443), overlay + ": " + service.module() + "'s egress");
        }
    }

    /**
     * Kubernetes' NetworkPolicy semantics for egress (matchLabels selectors, numeric ports; a port without protocol
     * is TCP). A pod that no Egress policy selects may call anything.
     */
    static boolean egressAllowed(Manifests m, String namespace, Map<String, String> podLabels, Peer peer,
                                 String protocol, int port) {
        boolean selected = false;
        for (JsonNode policy : m.all("NetworkPolicy")) {
            JsonNode spec = policy.path("spec");
            if (!Json.selects(spec.path("podSelector"), podLabels)
                    || Json.list(spec.path("policyTypes")).stream().noneMatch(t -> t.asText().equals("Egress"))) {
                continue;
            }
            selected = true;
            for (JsonNode rule : spec.path("egress")) {
                boolean portOk = rule.path("ports").isMissingNode() || rule.path("ports").isEmpty()
                        || Json.list(rule.path("ports")).stream().anyMatch(p -> {
                            if (!p.path("port").isInt()) {
                                throw new AssertionError("named ports in NetworkPolicies are not evaluated here: " + p);
                            }
                            return p.path("port").asInt() == port && p.path("protocol").asText("TCP").equals(protocol);
                        });
                if (portOk && peersMatch(rule.path("to"), namespace, peer)) {
                    return true;
                }
            }
        }
        return !selected;
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
        return peersMatch(rule.path("from"), namespace, peer);
    }

    /** A rule's {@code from} or {@code to}: missing admits everyone, otherwise any one peer must match. */
    private static boolean peersMatch(JsonNode peers, String namespace, Peer peer) {
        if (peers.isMissingNode()) {
            return true;
        }
        for (JsonNode from : peers) {
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
