package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

/** One rendered overlay (kubectl kustomize): every object it would apply, and the lookups the checks need. */
record Manifests(String overlay, List<ObjectNode> objects) {

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    /** kustomize's identity of an object: group, kind, namespace and name. */
    static String id(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return group + "/" + object.path("kind").asText() + "/" + object.path("metadata").path("namespace").asText()
                + "/" + name(object);
    }

    List<ObjectNode> all(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<ObjectNode> find(String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(name(o)))
                .findFirst();
    }

    ObjectNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(
                overlay + ": no " + kind + " named " + name + " in the render"));
    }

    /** The pod labels of a Deployment's template. */
    static Map<String, String> podLabels(JsonNode deployment) {
        return Json.stringMap(deployment.path("spec").path("template").path("metadata").path("labels"));
    }

    static JsonNode podSpec(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec");
    }

    /** The container named like the Deployment: the service itself. */
    static JsonNode mainContainer(JsonNode deployment) {
        return StreamSupport.stream(podSpec(deployment).path("containers").spliterator(), false)
                .filter(c -> name(deployment).equals(c.path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("Deployment " + name(deployment)
                        + " has no container named like itself"));
    }
}
