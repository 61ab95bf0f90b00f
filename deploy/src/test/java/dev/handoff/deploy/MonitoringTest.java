package dev.handoff.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * prod's monitoring (components/monitoring, CONTRACT.md "Observability", issue 19): Prometheus scrapes every service's
 * /q/metrics, the alerts watch the outbox, the dead-letter topics and the webhooks, and the Grafana dashboard shows
 * the contract's metrics and Kafka's consumer lag.
 */
class MonitoringTest {

    /** The Prometheus Operator's pods, as components/monitoring/networkpolicy.yaml names them. */
    static final NetworkPolicyTest.Peer PROMETHEUS = new NetworkPolicyTest.Peer("monitoring",
            Map.of("app.kubernetes.io/name", "prometheus"));

    /** CONTRACT.md "Observability": the metrics the dashboard shows (as Prometheus names them). */
    static final List<String> DASHBOARD_METRICS = List.of(
            "handoff_runs_finished_total", "handoff_run_duration_seconds", "handoff_outbox_oldest_unsent_seconds",
            "handoff_sse_connections", "handoff_webhook_deliveries_total",
            // Kafka consumer lag, from Strimzi's Kafka Exporter
            "kafka_consumergroup_lag");

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void prometheusScrapesEachServicesMetricsOnItsServicePort() {
        Manifests m = Render.overlay("prod");
        String namespace = NetworkPolicyTest.namespace(m);
        for (ServiceModule service : ServiceModule.all()) {
            JsonNode svc = m.get("Service", service.module());
            Map<String, String> serviceLabels = Json.stringMap(svc.path("metadata").path("labels"));
            List<JsonNode> monitors = m.all("ServiceMonitor").stream()
                    .filter(sm -> Json.selects(sm.path("spec").path("selector"), serviceLabels))
                    .map(sm -> (JsonNode) sm)
                    .toList();
            assertEquals(1, monitors.size(), "prod: exactly one ServiceMonitor selects the Service " + service.module());
            JsonNode monitor = monitors.get(0);
            assertEquals("monitoring.coreos.com/v1", monitor.path("apiVersion").asText());
            assertTrue(monitor.path("spec").path("namespaceSelector").isMissingNode(),
                    "prod: " + Manifests.name(monitor) + " looks in its own namespace, the Service's");
            assertEquals(svc.path("metadata").path("namespace").asText(), monitor.path("metadata").path("namespace").asText());
            assertEquals(1, monitor.path("spec").path("endpoints").size());
            JsonNode endpoint = monitor.path("spec").path("endpoints").path(0);
            assertEquals("/q/metrics", endpoint.path("path").asText(), "prod: " + service.module() + " metrics path");
            JsonNode port = Json.list(svc.path("spec").path("ports")).stream()
                    .filter(p -> p.path("name").asText().equals(endpoint.path("port").asText()))
                    .findFirst()
                    .orElseGet(() -> fail("prod: " + Manifests.name(monitor) + " scrapes the port "
                            + endpoint.path("port") + ", which the Service " + service.module() + " does not name"));
            assertEquals(service.port(), port.path("port").asInt(), "prod: " + service.module() + " is scraped on its port");
            Map<String, String> pods = Manifests.podLabels(m.get("Deployment", service.module()));
            assertTrue(NetworkPolicyTest.admits(m, namespace, pods, PROMETHEUS, service.port()),
                    "prod: the NetworkPolicies let Prometheus scrape " + service.module());
            assertFalse(NetworkPolicyTest.admits(m, namespace, pods, new NetworkPolicyTest.Peer("monitoring", Map.of()),
                    service.port()), "prod: any pod of the monitoring namespace reaches " + service.module());
        }
        assertEquals(new TreeSet<>(ServiceModule.NAMES), m.all("ServiceMonitor").stream().map(Manifests::name)
                .collect(Collectors.toCollection(TreeSet::new)), "prod: one ServiceMonitor per service");
    }

    @Test
    void theKafkaExporterRunsAndIsScraped() {
        Manifests m = Render.overlay("prod");
        JsonNode kafka = m.all("Kafka").get(0);
        JsonNode exporter = kafka.path("spec").path("kafkaExporter");
        assertTrue(exporter.isObject(), "prod: the Kafka resource enables Strimzi's Kafka Exporter");
        Pattern topics = Pattern.compile(exporter.path("topicRegex").asText(".*"));
        KafkaTest.localTopics().keySet().forEach(t -> assertTrue(topics.matcher(t).matches(),
                "prod: the exporter's topicRegex leaves out " + t));
        // Strimzi's labels on the exporter's pod, and its metrics port
        Map<String, String> exporterPod = Map.of("strimzi.io/cluster", Manifests.name(kafka), "strimzi.io/kind", "Kafka",
                "strimzi.io/name", Manifests.name(kafka) + "-kafka-exporter");
        List<JsonNode> monitors = m.all("PodMonitor").stream()
                .filter(pm -> Json.selects(pm.path("spec").path("selector"), exporterPod))
                .map(pm -> (JsonNode) pm)
                .toList();
        assertEquals(1, monitors.size(), "prod: one PodMonitor for the Kafka Exporter");
        assertEquals("tcp-prometheus", monitors.get(0).path("spec").path("podMetricsEndpoints").path(0).path("port").asText());
        assertTrue(NetworkPolicyTest.admits(m, NetworkPolicyTest.namespace(m), exporterPod, PROMETHEUS, 9404),
                "prod: the NetworkPolicies let Prometheus scrape the Kafka Exporter");
    }

    @Test
    void theAlertsWatchTheOutboxTheDeadLetterTopicsAndTheWebhooks() {
        Manifests m = Render.overlay("prod");
        Map<String, JsonNode> alerts = alerts(m);

        JsonNode outbox = alert(alerts, "handoff_outbox_oldest_unsent_seconds");
        assertEquals(60.0, threshold(outbox, ">"), "the outbox alert fires when the oldest unsent event is over 1 min old");

        JsonNode dlq = alert(alerts, "kafka_topic_partition_current_offset");
        String expr = dlq.path("expr").asText();
        assertTrue(expr.contains("kafka_topic_partition_oldest_offset"), "the DLQ alert counts retained messages: " + expr);
        assertEquals(0.0, threshold(dlq, ">"), "the DLQ alert fires on any message in a dead-letter topic");
        Set<String> regexes = topicMatchers(expr);
        assertFalse(regexes.isEmpty(), "the DLQ alert selects topics by name: " + expr);
        for (String topic : KafkaTest.localTopics().keySet()) {
            // PromQL's =~ is anchored at both ends
            boolean selected = regexes.stream().allMatch(r -> Pattern.compile(r).matcher(topic).matches());
            assertEquals(topic.endsWith(".dlq"), selected, "the DLQ alert and the topic " + topic);
        }

        JsonNode webhooks = alert(alerts, "handoff_webhook_deliveries_total");
        assertTrue(webhooks.path("expr").asText().contains("result"), "the webhook alert looks at the result: "
                + webhooks.path("expr").asText());
        for (JsonNode rule : alerts.values()) {
            assertFalse(rule.path("labels").path("severity").asText().isBlank(), rule.path("alert").asText() + " severity");
            assertFalse(rule.path("annotations").path("summary").asText().isBlank(), rule.path("alert").asText() + " summary");
        }
    }

    @Test
    void theGrafanaDashboardParsesAndShowsTheContractsMetricsAndConsumerLag() throws JsonProcessingException {
        Manifests m = Render.overlay("prod");
        List<JsonNode> dashboards = m.all("ConfigMap").stream()
                .filter(cm -> "1".equals(cm.path("metadata").path("labels").path("grafana_dashboard").asText()))
                .map(cm -> (JsonNode) cm)
                .toList();
        assertEquals(1, dashboards.size(), "prod: one ConfigMap labelled grafana_dashboard: \"1\"");
        Map<String, String> files = Json.stringMap(dashboards.get(0).path("data"));
        assertEquals(1, files.size(), "one dashboard file: " + files.keySet());
        assertTrue(files.keySet().iterator().next().endsWith(".json"));
        JsonNode dashboard = JSON.readTree(files.values().iterator().next());
        assertFalse(dashboard.path("title").asText().isBlank());
        assertFalse(dashboard.path("uid").asText().isBlank(), "a fixed uid keeps links to the dashboard working");

        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertFalse(panel.path("title").asText().isBlank(), "a panel without a title: " + panel.path("id"));
            assertTrue(panel.path("gridPos").has("w") && panel.path("gridPos").has("h"), panel.path("title") + " gridPos");
            assertFalse(panel.path("targets").isEmpty(), panel.path("title") + " has no query");
            for (JsonNode target : panel.path("targets")) {
                assertFalse(target.path("expr").asText().isBlank(), panel.path("title") + ": a target without expr");
                assertFalse(target.path("refId").asText().isBlank(), panel.path("title") + ": a target without refId");
                exprs.add(target.path("expr").asText());
            }
        }
        for (String metric : DASHBOARD_METRICS) {
            Pattern name = Pattern.compile("\\b" + metric + "(_bucket|_sum|_count)?\\b");
            assertTrue(exprs.stream().anyMatch(e -> name.matcher(e).find()), "no panel shows " + metric);
        }
        assertTrue(exprs.stream().anyMatch(e -> e.contains("histogram_quantile") && e.contains("handoff_run_duration_seconds_bucket")),
                "run durations as quantiles of the histogram");
        // the queries name the data source variable, which the dashboard defines
        Set<String> variables = Json.list(dashboard.path("templating").path("list")).stream()
                .map(v -> v.path("name").asText()).collect(Collectors.toSet());
        for (JsonNode panel : dashboard.path("panels")) {
            String uid = panel.path("datasource").path("uid").asText();
            if (uid.startsWith("${")) {
                assertTrue(variables.contains(uid.substring(2, uid.length() - 1)), panel.path("title") + ": " + uid);
            }
        }
        for (String e : exprs) {
            Matcher v = Pattern.compile("\\$([a-z_]+)").matcher(e);
            while (v.find()) {
                assertTrue(variables.contains(v.group(1)), "the query uses $" + v.group(1) + ", not defined: " + e);
            }
        }
    }

    @Test
    void devNeedsNoPrometheusOperator() {
        Manifests dev = Render.overlay("dev");
        List<String> monitoring = dev.objects().stream()
                .filter(o -> o.path("apiVersion").asText().startsWith("monitoring.coreos.com/"))
                .map(Manifests::id)
                .toList();
        assertEquals(List.of(), monitoring, "dev: monitoring objects without the component");
    }

    // ---- helpers

    static Map<String, JsonNode> alerts(Manifests m) {
        Map<String, JsonNode> alerts = new TreeMap<>();
        for (JsonNode rule : m.all("PrometheusRule")) {
            for (JsonNode group : rule.path("spec").path("groups")) {
                for (JsonNode r : group.path("rules")) {
                    if (r.has("alert")) {
                        assertTrue(alerts.put(r.path("alert").asText(), r) == null, "two alerts " + r.path("alert"));
                    }
                }
            }
        }
        return alerts;
    }

    /** The alert whose expression reads the metric (exactly one). */
    static JsonNode alert(Map<String, JsonNode> alerts, String metric) {
        Pattern name = Pattern.compile("\\b" + metric + "\\b");
        List<JsonNode> matching = alerts.values().stream()
                .filter(r -> name.matcher(r.path("expr").asText()).find())
                .toList();
        assertFalse(matching.isEmpty(), "no alert reads " + metric + "; alerts: " + alerts.keySet());
        return matching.get(0);
    }

    /** The number an expression compares with last ({@code ... > 60}). */
    static double threshold(JsonNode rule, String operator) {
        Matcher m = Pattern.compile(Pattern.quote(operator) + "\\s*([0-9.]+)\\s*$").matcher(rule.path("expr").asText().strip());
        assertTrue(m.find(), rule.path("alert").asText() + ": no final comparison " + operator + " in " + rule.path("expr"));
        return Double.parseDouble(m.group(1));
    }

    /** The regexes of {@code topic=~"..."} matchers in an expression. */
    static Set<String> topicMatchers(String expr) {
        Matcher m = Pattern.compile("topic=~\"([^\"]+)\"").matcher(expr);
        Set<String> regexes = new TreeSet<>();
        while (m.find()) {
            regexes.add(m.group(1));
        }
        return regexes;
    }
}
