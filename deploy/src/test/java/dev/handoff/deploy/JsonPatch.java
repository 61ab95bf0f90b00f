package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** RFC 6902 add, replace and remove on a Jackson tree (what kustomize's JSON 6902 patches in deploy/k8s use). */
final class JsonPatch {

    private JsonPatch() {
    }

    static void apply(ObjectNode document, JsonNode op) {
        String kind = op.path("op").asText();
        List<String> path = pointer(op.path("path").asText());
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a JSON patch on the whole document is not supported: " + op);
        }
        JsonNode parent = document;
        for (String token : path.subList(0, path.size() - 1)) {
            parent = parent.isArray() ? parent.path(Integer.parseInt(token)) : parent.path(token);
            if (parent.isMissingNode()) {
                throw new IllegalArgumentException("JSON patch path does not exist: " + op.path("path").asText());
            }
        }
        String last = path.get(path.size() - 1);
        JsonNode value = op.get("value");
        switch (kind) {
            case "add" -> {
                if (parent instanceof ArrayNode array) {
                    if (last.equals("-")) {
                        array.add(value.deepCopy());
                    } else {
                        array.insert(Integer.parseInt(last), value.deepCopy());
                    }
                } else {
                    ((ObjectNode) parent).set(last, value.deepCopy());
                }
            }
            case "replace" -> {
                if (parent instanceof ArrayNode array) {
                    int i = Integer.parseInt(last);
                    if (i >= array.size()) {
                        throw new IllegalArgumentException("replace of a missing element: " + op);
                    }
                    array.set(i, value.deepCopy());
                } else {
                    if (!parent.has(last)) {
                        throw new IllegalArgumentException("replace of a missing member: " + op);
                    }
                    ((ObjectNode) parent).set(last, value.deepCopy());
                }
            }
            case "remove" -> {
                if (parent instanceof ArrayNode array) {
                    array.remove(Integer.parseInt(last));
                } else if (((ObjectNode) parent).remove(last) == null) {
                    throw new IllegalArgumentException("remove of a missing member: " + op);
                }
            }
            default -> throw new IllegalArgumentException("JSON patch operation `" + kind
                    + "` is not implemented by the project's renderer: " + op);
        }
    }

    private static List<String> pointer(String pointer) {
        if (pointer.isEmpty()) {
            return List.of();
        }
        if (!pointer.startsWith("/")) {
            throw new IllegalArgumentException("not a JSON pointer: " + pointer);
        }
        List<String> tokens = new ArrayList<>();
        for (String t : pointer.substring(1).split("/", -1)) {
            tokens.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }
}
