package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The environment a container gets: plain values (from env and from ConfigMaps in envFrom, later sources
 * winning as in Kubernetes) and references to Secret keys, shown as {@code secret:<name>/<key>}.
 */
record Environment(Map<String, String> variables) {

    static Environment of(Manifests manifests, JsonNode container) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                String name = from.path("configMapRef").path("name").asText();
                manifests.find("ConfigMap", name)
                        .ifPresent(cm -> vars.putAll(Json.stringMap(cm.path("data"))));
            } else if (from.has("secretRef")) {
                throw new AssertionError("envFrom a whole Secret hides which keys a service reads: " + from);
            }
        }
        for (JsonNode env : container.path("env")) {
            String name = env.path("name").asText();
            if (env.has("value")) {
                vars.put(name, env.get("value").asText());
            } else if (env.path("valueFrom").has("secretKeyRef")) {
                JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                vars.put(name, "secret:" + ref.path("name").asText() + "/" + ref.path("key").asText());
            } else if (env.path("valueFrom").has("configMapKeyRef")) {
                JsonNode ref = env.path("valueFrom").path("configMapKeyRef");
                vars.put(name, manifests.find("ConfigMap", ref.path("name").asText())
                        .map(cm -> cm.path("data").path(ref.path("key").asText()).asText())
                        .orElse("configmap:" + ref.path("name").asText() + "/" + ref.path("key").asText()));
            } else {
                vars.put(name, "fieldRef:" + env.path("valueFrom"));
            }
        }
        return new Environment(vars);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(variables.get(name));
    }

    String require(String name) {
        return get(name).orElseThrow(() -> new AssertionError(name + " is not set; the environment has "
                + variables.keySet()));
    }
}
