package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The project's renderer (Kustomize.java) does what kustomize does for the features deploy/k8s uses. */
class RendererTest {

    static final List<String> OVERLAYS = Project.OVERLAYS;

    @TempDir
    Path dir;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void rendersEachOverlayExactlyLikeKubectlKustomize(String overlay) {
        assumeTrue(Render.kubectl().isPresent(), "kubectl is not installed: nothing to compare with");
        Map<String, ObjectNode> kubectl = byId(Render.withKubectl(Render.kubectl().get(), Project.overlay(overlay)));
        Map<String, ObjectNode> own = byId(Kustomize.build(Project.overlay(overlay)));
        assertEquals(kubectl.keySet(), own.keySet(), overlay + ": the same objects");
        kubectl.forEach((id, expected) -> assertEquals(expected, own.get(id), overlay + ": " + id));
    }

    @Test
    void strategicMergeOfADeploymentMergesContainersByNameAndReplacesListsWithoutAKey() throws IOException {
        write("deployment.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          image: app:1
                          args: ["a", "b"]
                          env:
                            - name: A
                              value: "1"
                            - name: B
                              value: "2"
                          resources:
                            requests:
                              cpu: 250m
                              memory: 512Mi
                        - name: sidecar
                          image: sidecar:1
                """);
        write("patch.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          args: ["c"]
                          env:
                            - name: B
                              value: "3"
                            - name: C
                              value: "4"
                          resources:
                            requests:
                              cpu: 50m
                """);
        write("kustomization.yaml", """
                resources:
                  - deployment.yaml
                patches:
                  - path: patch.yaml
                """);
        JsonNode containers = Kustomize.build(dir).get(0).at("/spec/template/spec/containers");
        assertEquals(2, containers.size());
        JsonNode app = containers.get(0);
        assertEquals("app:1", app.path("image").asText());
        assertEquals("[\"c\"]", app.path("args").toString());
        assertEquals(Map.of("A", "1", "B", "3", "C", "4"), Json.list(app.path("env")).stream()
                .collect(Collectors.toMap(e -> e.path("name").asText(), e -> e.path("value").asText())));
        assertEquals("50m", app.at("/resources/requests/cpu").asText());
        assertEquals("512Mi", app.at("/resources/requests/memory").asText());
        assertEquals("sidecar:1", containers.get(1).path("image").asText());
    }

    @Test
    void namespaceLabelsReplicasImagesAndJsonPatchesApplyToTheRightObjects() throws IOException {
        write("base/resources.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                spec:
                  replicas: 1
                  selector:
                    matchLabels:
                      app: app
                  template:
                    metadata:
                      labels:
                        app: app
                    spec:
                      containers:
                        - name: app
                          image: handoff/app:1.0
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                data:
                  URL: http://old
                """);
        write("base/kustomization.yaml", """
                resources:
                  - resources.yaml
                labels:
                  - pairs:
                      part-of: handoff
                """);
        write("overlay/kustomization.yaml", """
                namespace: prod
                resources:
                  - ../base
                labels:
                  - pairs:
                      instance: prod
                    includeTemplates: true
                replicas:
                  - name: app
                    count: 3
                images:
                  - name: handoff/app
                    newName: registry.example.com/handoff/app
                    newTag: "2.0"
                patches:
                  - target:
                      kind: ConfigMap
                      name: settings
                    patch: |-
                      - op: replace
                        path: /data/URL
                        value: https://new
                      - op: add
                        path: /data/EXTRA
                        value: x
                """);
        Map<String, ObjectNode> objects = Kustomize.build(dir.resolve("overlay")).stream()
                .collect(Collectors.toMap(o -> o.path("kind").asText(), Function.identity()));
        JsonNode app = objects.get("Deployment");
        assertEquals("prod", app.at("/metadata/namespace").asText());
        assertEquals("prod", objects.get("ConfigMap").at("/metadata/namespace").asText());
        assertEquals(Map.of("part-of", "handoff", "instance", "prod"), Json.stringMap(app.at("/metadata/labels")));
        assertEquals(Map.of("app", "app", "instance", "prod"), Json.stringMap(app.at("/spec/template/metadata/labels")));
        assertEquals(Map.of("app", "app"), Json.stringMap(app.at("/spec/selector/matchLabels")), "selectors untouched");
        assertEquals(3, app.at("/spec/replicas").asInt());
        assertEquals("registry.example.com/handoff/app:2.0", app.at("/spec/template/spec/containers/0/image").asText());
        assertEquals(Map.of("URL", "https://new", "EXTRA", "x"), Json.stringMap(objects.get("ConfigMap").path("data")));
    }

    @Test
    void featuresTheRendererDoesNotImplementFailLoudly() throws IOException {
        write("cm.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                """);
        write("kustomization.yaml", """
                resources:
                  - cm.yaml
                configMapGenerator:
                  - name: generated
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kustomize.build(dir));
        assertTrue(e.getMessage().contains("configMapGenerator"), e.getMessage());

        write("kustomization.yaml", """
                resources:
                  - cm.yaml
                labels:
                  - pairs:
                      a: b
                    includeSelectors: true
                """);
        assertThrows(IllegalArgumentException.class, () -> Kustomize.build(dir));
    }

    @Test
    void aPatchThatMatchesNothingOrADuplicateObjectIsAnError() throws IOException {
        write("cm.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                """);
        write("kustomization.yaml", """
                resources:
                  - cm.yaml
                patches:
                  - target:
                      kind: ConfigMap
                      name: other
                    patch: |-
                      - op: add
                        path: /data
                        value: {}
                """);
        assertThrows(IllegalArgumentException.class, () -> Kustomize.build(dir));

        write("kustomization.yaml", """
                resources:
                  - cm.yaml
                  - cm.yaml
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kustomize.build(dir));
        assertTrue(e.getMessage().contains("defined twice"), e.getMessage());
    }

    private void write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static Map<String, ObjectNode> byId(List<ObjectNode> objects) {
        Map<String, ObjectNode> map = new TreeMap<>();
        objects.forEach(o -> {
            if (map.put(Manifests.id(o), o) != null) {
                throw new AssertionError("duplicate " + Manifests.id(o));
            }
        });
        return map;
    }
}
