package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every overlay renders with the real kustomize ({@code kubectl kustomize}) into objects that can be applied. */
class RenderTest {

    static final List<String> OVERLAYS = Project.OVERLAYS;

    @Test
    void everyOverlayDirectoryIsOneTheChecksRender() throws IOException {
        try (Stream<Path> dirs = Files.list(Project.K8S.resolve("overlays"))) {
            Set<String> found = dirs.filter(Files::isDirectory)
                    .map(d -> d.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(OVERLAYS), found, "deploy/k8s/overlays and Project.OVERLAYS differ");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void eachOverlayRendersWithKubectlKustomizeIntoDistinctNamespacedObjects(String overlay) {
        Manifests m = Render.overlay(overlay);
        assertFalse(m.objects().isEmpty(), overlay + ": the render is empty");
        String namespace = kustomizationNamespace(overlay);
        Set<String> ids = new TreeSet<>();
        for (ObjectNode object : m.objects()) {
            String id = Manifests.id(object);
            assertFalse(object.path("apiVersion").asText().isBlank(), overlay + ": no apiVersion: " + id);
            assertFalse(object.path("kind").asText().isBlank(), overlay + ": no kind: " + id);
            assertFalse(Manifests.name(object).isBlank(), overlay + ": no name: " + object.path("kind").asText());
            assertEquals(namespace, object.path("metadata").path("namespace").asText(),
                    overlay + ": " + id + " is not in the overlay's namespace");
            assertFalse(object.path("metadata").path("labels").path("app.kubernetes.io/instance").asText().isBlank(),
                    overlay + ": " + id + " lacks the overlay's instance label");
            assertTrue(ids.add(id), overlay + ": " + id + " twice");
        }
    }

    private static String kustomizationNamespace(String overlay) {
        try {
            JsonNode kustomization = Render.objects(
                    Files.readString(Project.overlay(overlay).resolve("kustomization.yaml")), overlay).get(0);
            return kustomization.path("namespace").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
