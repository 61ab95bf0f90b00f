package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small conversions of Jackson trees. */
final class Json {

    private Json() {
    }

    static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    /** Kubernetes' label selector semantics for matchLabels (matchExpressions are not used in deploy/k8s). */
    static boolean selects(JsonNode selector, Map<String, String> labels) {
        if (selector.has("matchExpressions")) {
            throw new AssertionError("matchExpressions are not evaluated by these checks: " + selector);
        }
        return subset(stringMap(selector.path("matchLabels")), labels);
    }

    /** Every pair of {@code wanted} is in {@code labels} (an empty {@code wanted} selects everything). */
    static boolean subset(Map<String, String> wanted, Map<String, String> labels) {
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
