package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each service's Deployment, Service and database in every overlay, against the service's own configuration; the
 * web console's Deployment and Service the same way (it has no database).
 */
class ServiceDeploymentsTest {

    static final List<String> OVERLAYS = Project.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyServiceRunsItsOwnImageOnItsConfiguredPort(String overlay) {
        Manifests m = Render.overlay(overlay);
        assertEquals(new TreeSet<>(ServiceModule.DEPLOYED),
                m.all("Deployment").stream().map(Manifests::name).collect(Collectors.toCollection(TreeSet::new)),
                overlay + ": one Deployment per service and one for the web console, named like its module");
        for (ServiceModule service : ServiceModule.deployed()) {
            JsonNode container = Manifests.mainContainer(m.get("Deployment", service.module()));
            Image image = Image.parse(container.path("image").asText());
            assertTrue(image.name().equals("handoff/" + service.module())
                            || image.name().endsWith("/handoff/" + service.module()),
                    overlay + ": " + service.module() + " runs image " + container.path("image").asText());
            assertEquals(Project.VERSION, image.tag(),
                    overlay + ": " + service.module() + "'s image tag is the project version");
            assertEquals(service.port(), httpPort(container),
                    overlay + ": " + service.module() + "'s container port named http is quarkus.http.port");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void probesAskSmallRyeHealthOnTheServicePort(String overlay) {
        Manifests m = Render.overlay(overlay);
        Map<String, String> probes = Map.of(
                "livenessProbe", "/q/health/live",
                "readinessProbe", "/q/health/ready",
                "startupProbe", "/q/health/started");
        for (ServiceModule service : ServiceModule.deployed()) {
            JsonNode container = Manifests.mainContainer(m.get("Deployment", service.module()));
            probes.forEach((probe, path) -> {
                JsonNode get = container.path(probe).path("httpGet");
                String where = overlay + ": " + service.module() + " " + probe;
                assertEquals(path, get.path("path").asText(), where + " path");
                assertEquals(service.port(), resolvePort(container, get.path("port")), where + " port");
            });
            // a liveness probe that fires before startup finished would kill a slow first start (Flyway)
            JsonNode startup = container.path("startupProbe");
            int startupSeconds = startup.path("periodSeconds").asInt(10) * startup.path("failureThreshold").asInt(3);
            assertTrue(startupSeconds >= 60, where(overlay, service) + "startup budget of only " + startupSeconds + " s");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyContainerHasRequestsAndLimits(String overlay) {
        Manifests m = Render.overlay(overlay);
        for (JsonNode deployment : m.all("Deployment")) {
            for (JsonNode container : Manifests.podSpec(deployment).path("containers")) {
                JsonNode resources = container.path("resources");
                String where = overlay + ": " + Manifests.name(deployment) + "/" + container.path("name").asText();
                for (String kind : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        assertFalse(resources.path(kind).path(resource).asText().isBlank(),
                                where + " has no " + kind + "." + resource);
                    }
                }
                assertTrue(Quantity.bytes(resources.path("limits").path("memory").asText())
                                >= Quantity.bytes(resources.path("requests").path("memory").asText()),
                        where + ": memory limit below the request");
                // the JVM's heap is 60% of the limit (Dockerfile.jvm); below 384Mi there is no room for Quarkus
                assertTrue(Quantity.bytes(resources.path("limits").path("memory").asText()) >= 384L << 20,
                        where + ": memory limit too small for a Quarkus JVM");
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void podsRunAsNonRootWithAReadOnlyRootAndNoCapabilities(String overlay) {
        Manifests m = Render.overlay(overlay);
        for (JsonNode deployment : m.all("Deployment")) {
            JsonNode pod = Manifests.podSpec(deployment);
            String name = overlay + ": " + Manifests.name(deployment);
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), name + " runAsNonRoot");
            assertTrue(pod.path("securityContext").path("runAsUser").asInt(0) > 0, name + " runs as a non-zero uid");
            for (JsonNode container : pod.path("containers")) {
                JsonNode sc = container.path("securityContext");
                assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), name + " allowPrivilegeEscalation");
                assertFalse(sc.path("privileged").asBoolean(false), name + " privileged");
                assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(), name + " readOnlyRootFilesystem");
                assertEquals(List.of("ALL"), Json.list(sc.path("capabilities").path("drop")).stream()
                        .map(JsonNode::asText).toList(), name + " drops all capabilities");
                assertTrue(sc.path("capabilities").path("add").isMissingNode(), name + " adds capabilities");
                assertTrue(writableDirs(pod, container).contains("/tmp"),
                        name + ": /tmp must be a writable emptyDir (java.io.tmpdir, Vert.x cache)");
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void pathsTheServicesWriteToAreOnWritableVolumes(String overlay) {
        Manifests m = Render.overlay(overlay);
        for (ServiceModule service : ServiceModule.deployed()) {
            JsonNode deployment = m.get("Deployment", service.module());
            JsonNode container = Manifests.mainContainer(deployment);
            Environment env = Environment.of(m, container);
            Set<String> writable = writableDirs(Manifests.podSpec(deployment), container);
            env.get("HANDOFF_LOCAL_WORK_DIR").ifPresent(dir -> assertTrue(
                    writable.stream().anyMatch(w -> dir.equals(w) || dir.startsWith(w + "/")),
                    where(overlay, service) + "HANDOFF_LOCAL_WORK_DIR " + dir + " is not on a writable volume"));
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theJwtPublicKeyIsMountedWhereTheServicesLookForIt(String overlay) {
        Manifests m = Render.overlay(overlay);
        for (ServiceModule service : ServiceModule.all()) {
            JsonNode deployment = m.get("Deployment", service.module());
            JsonNode container = Manifests.mainContainer(deployment);
            String location = Environment.of(m, container).require("HANDOFF_JWT_PUBLIC_KEY");
            assertTrue(location.startsWith("file:"), where(overlay, service) + "key location " + location);
            Path file = Path.of(location.substring("file:".length()));
            assertTrue(mountedFiles(Manifests.podSpec(deployment), container).contains(file.toString()),
                    where(overlay, service) + file + " is not a file of a mounted ConfigMap or Secret");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void eachServiceHasAClusterIpServiceOnItsPort(String overlay) {
        Manifests m = Render.overlay(overlay);
        for (ServiceModule service : ServiceModule.deployed()) {
            JsonNode svc = m.get("Service", service.module());
            JsonNode deployment = m.get("Deployment", service.module());
            Map<String, String> selector = Json.stringMap(svc.path("spec").path("selector"));
            assertFalse(selector.isEmpty(), where(overlay, service) + "the Service has no selector");
            assertTrue(Json.subset(selector, Manifests.podLabels(deployment)),
                    where(overlay, service) + "the Service does not select the Deployment's pods");
            JsonNode port = svc.path("spec").path("ports").path(0);
            assertEquals(service.port(), port.path("port").asInt(), where(overlay, service) + "Service port");
            assertEquals(service.port(), resolvePort(Manifests.mainContainer(deployment), port.path("targetPort")),
                    where(overlay, service) + "Service targetPort");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void eachServiceUsesItsOwnPostgresClusterAndDatabase(String overlay) {
        Manifests m = Render.overlay(overlay);
        Set<String> clusters = new TreeSet<>();
        for (ServiceModule service : ServiceModule.all()) {
            JsonNode container = Manifests.mainContainer(m.get("Deployment", service.module()));
            Environment env = Environment.of(m, container);
            String host = env.require("HANDOFF_DB_HOST");
            assertTrue(host.endsWith("-rw"), where(overlay, service) + "the database host must be the primary (-rw)");
            String clusterName = host.substring(0, host.length() - "-rw".length());
            JsonNode cluster = m.get("Cluster", clusterName);
            assertEquals("postgresql.cnpg.io/v1", cluster.path("apiVersion").asText());
            JsonNode initdb = cluster.path("spec").path("bootstrap").path("initdb");
            assertEquals(service.database(), initdb.path("database").asText(),
                    where(overlay, service) + "CloudNativePG creates the database the service's URL names");
            assertEquals("5432", env.require("HANDOFF_DB_PORT"));
            assertEquals("secret:" + clusterName + "-app/username", env.require("HANDOFF_DB_USER"),
                    where(overlay, service) + "user from the cluster's app secret");
            assertEquals("secret:" + clusterName + "-app/password", env.require("HANDOFF_DB_PASSWORD"),
                    where(overlay, service) + "password from the cluster's app secret");
            assertTrue(clusters.add(clusterName), clusterName + " is shared by two services");
        }
        assertEquals(clusters, m.all("Cluster").stream().map(Manifests::name).collect(Collectors.toCollection(TreeSet::new)),
                overlay + ": a PostgreSQL cluster that no service uses");
        Environment console = Environment.of(m, Manifests.mainContainer(m.get("Deployment", ServiceModule.CONSOLE)));
        assertTrue(console.variables().keySet().stream().noneMatch(v -> v.startsWith("HANDOFF_DB_")),
                overlay + ": the web console has no database, yet gets " + console.variables().keySet());
        assertTrue(console.get("HANDOFF_KAFKA_BOOTSTRAP").isEmpty(), overlay + ": the web console is no Kafka client");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theServicesGetTheSettingsTheyNeedAndOnlyDocumentedOnes(String overlay) {
        Manifests m = Render.overlay(overlay);
        Set<String> documented = documentedVariables();
        Set<String> shared = Set.copyOf(ServiceModule.requiredVariables(sharedProperties()));
        for (ServiceModule service : ServiceModule.all()) {
            Environment env = Environment.of(m, Manifests.mainContainer(m.get("Deployment", service.module())));
            for (String required : new TreeSet<>(union(shared, ServiceModule.requiredVariables(service.properties())))) {
                assertTrue(env.get(required).isPresent(),
                        where(overlay, service) + required + " has no default in the service and is not set");
            }
            for (String variable : env.variables().keySet()) {
                if (variable.startsWith("HANDOFF_") || variable.startsWith("OTEL_")) {
                    assertTrue(documented.contains(variable), where(overlay, service) + variable
                            + " is not a variable of README.md (a typo?)");
                } else {
                    assertTrue(variable.startsWith("QUARKUS_"), where(overlay, service) + "unexpected " + variable);
                }
            }
            assertEquals("handoff-kafka-bootstrap:9092", env.require("HANDOFF_KAFKA_BOOTSTRAP"));
            if (overlay.equals("prod")) {
                // components/tracing: spans go to the collector
                assertEquals("grpc", env.require("OTEL_EXPORTER_OTLP_PROTOCOL"), where(overlay, service));
                assertEquals(4317, URI.create(env.require("OTEL_EXPORTER_OTLP_ENDPOINT")).getPort(), where(overlay, service));
            }
        }
        Environment runs = Environment.of(m, Manifests.mainContainer(m.get("Deployment", "agent-run-service")));
        assertEquals(URI.create("http://task-service:8081"), URI.create(runs.require("HANDOFF_TASKS_URL")));
        assertEquals(URI.create("http://provider-gateway:8083"), URI.create(runs.require("HANDOFF_GATEWAY_URL")));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theWebConsoleGetsTheSettingsItNeedsAndOnlyDocumentedOnes(String overlay) {
        Manifests m = Render.overlay(overlay);
        Set<String> documented = documentedVariables();
        ServiceModule console = ServiceModule.console();
        Environment env = Environment.of(m, Manifests.mainContainer(m.get("Deployment", console.module())));
        for (String required : ServiceModule.requiredVariables(console.properties())) {
            assertTrue(env.get(required).isPresent(),
                    where(overlay, console) + required + " has no default in the console and is not set");
        }
        assertTrue(env.variables().keySet().stream().noneMatch(v -> v.startsWith("OTEL_")),
                overlay + ": the web console exports no spans (it forwards traceparent), and may reach no collector");
        for (String variable : env.variables().keySet()) {
            if (variable.startsWith("HANDOFF_")) {
                assertTrue(documented.contains(variable), where(overlay, console) + variable
                        + " is not a variable of README.md (a typo?)");
            } else {
                assertTrue(variable.startsWith("QUARKUS_"), where(overlay, console) + "unexpected " + variable);
            }
        }
        // the console forwards /api/** to the four services: each URL names the service's Service and port
        Map<String, String> upstreams = Map.of(
                "HANDOFF_TASKS_URL", "task-service",
                "HANDOFF_RUNS_URL", "agent-run-service",
                "HANDOFF_GATEWAY_URL", "provider-gateway",
                "HANDOFF_NOTIFICATIONS_URL", "notification-service");
        upstreams.forEach((variable, service) -> {
            URI url = URI.create(env.require(variable));
            assertEquals(service, url.getHost(), where(overlay, console) + variable);
            assertEquals(ServiceModule.read(service).port(), url.getPort(), where(overlay, console) + variable + " port");
            m.get("Service", service);
        });
    }

    // ---- helpers

    /** An image reference split into its name and its tag or digest ({@code :tag}, {@code @sha256:...}). */
    record Image(String name, String reference) {
        static Image parse(String image) {
            int at = image.indexOf('@');
            if (at >= 0) {
                return new Image(image.substring(0, at), image.substring(at));
            }
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) {
                return new Image(image.substring(0, colon), image.substring(colon));
            }
            return new Image(image, "");
        }

        String tag() {
            return reference.startsWith(":") ? reference.substring(1) : "";
        }
    }

    static int httpPort(JsonNode container) {
        for (JsonNode port : container.path("ports")) {
            if ("http".equals(port.path("name").asText())) {
                return port.path("containerPort").asInt();
            }
        }
        return fail("container " + container.path("name").asText() + " has no port named http");
    }

    /** A probe's or Service's port: a number, or the name of one of the container's ports. */
    static int resolvePort(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode p : container.path("ports")) {
            if (port.asText().equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        return fail("no container port named " + port.asText());
    }

    static Set<String> writableDirs(JsonNode pod, JsonNode container) {
        Set<String> emptyDirs = Json.list(pod.path("volumes")).stream()
                .filter(v -> v.has("emptyDir"))
                .map(v -> v.path("name").asText())
                .collect(Collectors.toSet());
        return Json.list(container.path("volumeMounts")).stream()
                .filter(mount -> emptyDirs.contains(mount.path("name").asText()))
                .filter(mount -> !mount.path("readOnly").asBoolean(false))
                .map(mount -> mount.path("mountPath").asText())
                .collect(Collectors.toSet());
    }

    /** Files that ConfigMap/Secret volumes with explicit items put into the container. */
    static Set<String> mountedFiles(JsonNode pod, JsonNode container) {
        Set<String> files = new TreeSet<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            for (JsonNode volume : pod.path("volumes")) {
                if (!volume.path("name").asText().equals(mount.path("name").asText())) {
                    continue;
                }
                JsonNode source = volume.has("configMap") ? volume.path("configMap") : volume.path("secret");
                for (JsonNode item : source.path("items")) {
                    files.add(Path.of(mount.path("mountPath").asText(), item.path("path").asText()).toString());
                }
            }
        }
        return files;
    }

    static Set<String> documentedVariables() {
        String readme = Project.read(Project.ROOT.resolve("README.md"));
        Matcher m = Pattern.compile("`((?:HANDOFF|OTEL)_[A-Z0-9_]+)`").matcher(readme);
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static java.util.Properties sharedProperties() {
        java.util.Properties p = new java.util.Properties();
        try {
            p.load(new java.io.StringReader(Project.read(Project.ROOT.resolve(
                    "shared/src/main/resources/META-INF/microprofile-config.properties"))));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p;
    }

    private static Set<String> union(Set<String> a, List<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String where(String overlay, ServiceModule service) {
        return overlay + ": " + service.module() + ": ";
    }
}
