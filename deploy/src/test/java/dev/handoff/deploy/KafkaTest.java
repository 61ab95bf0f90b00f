package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strimzi's Kafka cluster and topics against the contract's topics (Topics.java and deploy/local/topics.txt). */
class KafkaTest {

    static final List<String> OVERLAYS = Project.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyContractTopicAndDeadLetterTopicHasAKafkaTopicWithItsPartitions(String overlay) {
        Manifests m = Render.overlay(overlay);
        Map<String, Integer> rendered = new TreeMap<>();
        for (JsonNode topic : m.all("KafkaTopic")) {
            String name = topic.path("spec").path("topicName").asText(Manifests.name(topic));
            rendered.put(name, topic.path("spec").path("partitions").asInt());
        }
        assertEquals(new TreeMap<>(localTopics()), rendered,
                overlay + ": the KafkaTopics are exactly deploy/local/topics.txt, with its partition counts");
        assertEquals(new TreeSet<>(Topics.allWithDeadLetters()), rendered.keySet(),
                overlay + ": the KafkaTopics are exactly the contract's topics and their dead-letter topics");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyTopicOfTheLocalStackHasAKafkaTopic(String overlay) {
        Manifests m = Render.overlay(overlay);
        Map<String, JsonNode> rendered = new TreeMap<>();
        m.all("KafkaTopic").forEach(t -> rendered.put(t.path("spec").path("topicName").asText(Manifests.name(t)), t));
        List<String> missing = localTopics().keySet().stream().filter(t -> !rendered.containsKey(t)).sorted().toList();
        assertEquals(List.of(), missing, overlay + ": topics of deploy/local/topics.txt without a KafkaTopic");
        localTopics().forEach((topic, partitions) -> assertEquals(partitions,
                rendered.get(topic).path("spec").path("partitions").asInt(), overlay + ": " + topic + " partitions"));
        // issue 16: the gateway's activity of a run, consumed by the notification service
        assertTrue(rendered.containsKey(Topics.RUN_ACTIVITY) && rendered.containsKey(Topics.RUN_ACTIVITY + Topics.DLQ_SUFFIX),
                overlay + ": " + Topics.RUN_ACTIVITY + " and its dead-letter topic");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void topicsBelongToTheClusterAndKeepMessagesLongEnough(String overlay) {
        Manifests m = Render.overlay(overlay);
        JsonNode kafka = m.all("Kafka").get(0);
        for (JsonNode topic : m.all("KafkaTopic")) {
            String name = Manifests.name(topic);
            assertEquals(Manifests.name(kafka), topic.path("metadata").path("labels").path("strimzi.io/cluster").asText(),
                    overlay + ": " + name + " is not labelled for the Kafka cluster");
            long retention = topic.path("spec").path("config").path("retention.ms").asLong(-1);
            assertTrue(retention >= 24L * 3600 * 1000, overlay + ": " + name + " keeps messages less than a day");
        }
        // the RunRequested event carries a whole brief (up to 1 MiB of markdown) plus the task
        assertTrue(m.get("KafkaTopic", Topics.RUN_REQUESTED).path("spec").path("config")
                .path("max.message.bytes").asLong() > 1024 * 1024 + 64 * 1024);
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theClusterRunsInKraftModeWithNodePoolsAndSurvivesItsOwnReplicationSettings(String overlay) {
        Manifests m = Render.overlay(overlay);
        assertEquals(1, m.all("Kafka").size());
        JsonNode kafka = m.all("Kafka").get(0);
        assertTrue(kafka.path("spec").path("zookeeper").isMissingNode(), "KRaft: no ZooKeeper");
        List<JsonNode> pools = m.all("KafkaNodePool").stream()
                .filter(p -> Manifests.name(kafka).equals(p.path("metadata").path("labels").path("strimzi.io/cluster").asText()))
                .map(p -> (JsonNode) p)
                .toList();
        Set<String> roles = pools.stream().flatMap(p -> Json.list(p.path("spec").path("roles")).stream())
                .map(JsonNode::asText).collect(Collectors.toSet());
        assertEquals(Set.of("controller", "broker"), roles, overlay + ": node pools with controllers and brokers");
        int brokers = pools.stream()
                .filter(p -> Json.list(p.path("spec").path("roles")).stream().anyMatch(r -> r.asText().equals("broker")))
                .mapToInt(p -> p.path("spec").path("replicas").asInt()).sum();
        JsonNode config = kafka.path("spec").path("kafka").path("config");
        int replication = config.path("default.replication.factor").asInt();
        int minIsr = config.path("min.insync.replicas").asInt();
        assertTrue(replication <= brokers, overlay + ": replication factor " + replication + " > " + brokers + " brokers");
        assertTrue(config.path("offsets.topic.replication.factor").asInt() <= brokers);
        assertTrue(config.path("transaction.state.log.replication.factor").asInt() <= brokers);
        assertTrue(minIsr < replication || replication == 1,
                overlay + ": min.insync.replicas must leave room for one broker down");
        if (overlay.equals("prod")) {
            assertTrue(brokers >= 3 && replication >= 3 && minIsr >= 2,
                    "prod: an acknowledged event must survive the loss of a broker");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theServicesBootstrapFromTheListenerAndOnlyTheyMayConnect(String overlay) {
        Manifests m = Render.overlay(overlay);
        JsonNode kafka = m.all("Kafka").get(0);
        JsonNode plain = Json.list(kafka.path("spec").path("kafka").path("listeners")).stream()
                .filter(l -> ("%s-kafka-bootstrap:%d".formatted(Manifests.name(kafka), l.path("port").asInt()))
                        .equals(m.get("ConfigMap", "handoff-common").path("data").path("HANDOFF_KAFKA_BOOTSTRAP").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": HANDOFF_KAFKA_BOOTSTRAP names no listener"));
        assertEquals("internal", plain.path("type").asText());
        Set<String> peers = Json.list(plain.path("networkPolicyPeers")).stream()
                .map(p -> {
                    assertTrue(p.path("namespaceSelector").isMissingNode(), "a peer from another namespace: " + p);
                    return p.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText();
                })
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(ServiceModule.NAMES), peers,
                overlay + ": the listener's NetworkPolicy admits exactly the four services");
        for (String service : ServiceModule.NAMES) {
            assertEquals(service, Manifests.podLabels(m.get("Deployment", service)).get("app.kubernetes.io/name"));
        }
    }

    @Test
    void topicsTxtAgreesWithTopicsJava() {
        assertEquals(new TreeSet<>(Topics.allWithDeadLetters()), new TreeSet<>(localTopics().keySet()));
    }

    static Map<String, Integer> localTopics() {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (String line : Project.read(Project.ROOT.resolve("deploy/local/topics.txt")).split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+");
            topics.put(parts[0], Integer.parseInt(parts[1]));
        }
        return topics;
    }
}
