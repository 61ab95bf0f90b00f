package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small kustomize for machines without kubectl: exactly the features deploy/k8s uses, in kustomize's order
 * (patches, namespace, labels, replicas, images), and a loud failure for anything else. {@code RendererTest}
 * compares its output with {@code kubectl kustomize} wherever kubectl is installed.
 */
final class Kustomize {

    private static final Set<String> FIELDS = Set.of(
            "apiVersion", "kind", "resources", "namespace", "labels", "patches", "replicas", "images");
    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");
    private static final Set<String> SCALABLE = Set.of("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController");
    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
            "StorageClass", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration");

    /**
     * Merge keys of the lists in a Deployment (Kubernetes' patchMergeKey), by path without indices. Any other list
     * in a Deployment is replaced by a patch, as Kubernetes' strategic merge does for lists without a merge key.
     */
    private static final Map<String, String> DEPLOYMENT_MERGE_KEYS = Map.of(
            "/spec/template/spec/containers", "name",
            "/spec/template/spec/initContainers", "name",
            "/spec/template/spec/volumes", "name",
            "/spec/template/spec/imagePullSecrets", "name",
            "/spec/template/spec/topologySpreadConstraints", "topologyKey",
            "/spec/template/spec/containers/env", "name",
            "/spec/template/spec/containers/ports", "containerPort",
            "/spec/template/spec/containers/volumeMounts", "mountPath",
            "/spec/template/spec/initContainers/env", "name",
            "/spec/template/spec/initContainers/volumeMounts", "mountPath");

    private Kustomize() {
    }

    /** Renders the kustomization in {@code dir} (its kustomization.yaml). */
    static List<ObjectNode> build(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no kustomization.yaml in " + dir);
        }
        JsonNode k = Yaml.readOne(file);
        for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw unsupported(file, "the field `" + field + "`");
            }
        }
        List<ObjectNode> resources = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            resources.addAll(Files.isDirectory(p) ? build(p) : Yaml.readAll(p));
        }
        rejectDuplicates(resources, file);
        for (JsonNode patch : k.path("patches")) {
            applyPatch(resources, patch, dir, file);
        }
        if (k.hasNonNull("namespace")) {
            String ns = k.get("namespace").asText();
            for (ObjectNode r : resources) {
                if (!CLUSTER_SCOPED.contains(r.path("kind").asText())) {
                    metadata(r).put("namespace", ns);
                }
            }
        }
        for (JsonNode labels : k.path("labels")) {
            applyLabels(resources, labels, file);
        }
        for (JsonNode replicas : k.path("replicas")) {
            String name = replicas.path("name").asText();
            List<ObjectNode> targets = resources.stream()
                    .filter(r -> SCALABLE.contains(r.path("kind").asText()) && name.equals(Manifests.name(r)))
                    .toList();
            if (targets.isEmpty()) {
                throw new IllegalArgumentException(file + ": replicas for `" + name + "`, which is not in the resources");
            }
            targets.forEach(r -> ((ObjectNode) r.get("spec")).put("replicas", replicas.path("count").asInt()));
        }
        for (JsonNode image : k.path("images")) {
            applyImage(resources, image, file);
        }
        return resources;
    }

    // ---- patches

    private static void applyPatch(List<ObjectNode> resources, JsonNode entry, Path dir, Path file) {
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!Set.of("path", "patch", "target").contains(field)) {
                throw unsupported(file, "the patch field `" + field + "`");
            }
        }
        List<JsonNode> docs = entry.has("path")
                ? List.copyOf(Yaml.readAllNodes(dir.resolve(entry.get("path").asText())))
                : List.copyOf(Yaml.readAllNodes(entry.path("patch").asText()));
        JsonNode target = entry.get("target");
        if (docs.size() == 1 && docs.get(0).isArray()) {
            if (target == null) {
                throw new IllegalArgumentException(file + ": a JSON 6902 patch needs a target");
            }
            List<ObjectNode> matching = resources.stream().filter(r -> matches(r, target, file)).toList();
            if (matching.isEmpty()) {
                throw new IllegalArgumentException(file + ": the patch target " + target + " matches no resource");
            }
            for (ObjectNode r : matching) {
                for (JsonNode op : docs.get(0)) {
                    JsonPatch.apply(r, op);
                }
            }
            return;
        }
        for (JsonNode doc : docs) {
            if (!doc.isObject()) {
                continue;
            }
            String kind = doc.path("kind").asText();
            String name = Manifests.name(doc);
            List<ObjectNode> matching = resources.stream()
                    .filter(r -> target == null
                            ? kind.equals(r.path("kind").asText()) && name.equals(Manifests.name(r))
                            : matches(r, target, file))
                    .toList();
            if (matching.isEmpty()) {
                throw new IllegalArgumentException(file + ": the patch of " + kind + " " + name + " matches no resource");
            }
            for (ObjectNode r : matching) {
                strategicMerge(r, (ObjectNode) doc);
            }
        }
    }

    private static boolean matches(JsonNode resource, JsonNode target, Path file) {
        for (Iterator<Map.Entry<String, JsonNode>> it = target.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String want = e.getValue().asText();
            String apiVersion = resource.path("apiVersion").asText();
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
            boolean ok = switch (e.getKey()) {
                case "kind" -> want.equals(resource.path("kind").asText());
                case "name" -> want.equals(Manifests.name(resource));
                case "group" -> want.equals(group);
                case "version" -> want.equals(version);
                default -> throw unsupported(file, "the patch target field `" + e.getKey() + "`");
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Strategic merge as kustomize does it: maps merge, null deletes, lists of a Deployment merge by their merge
     * key; custom resources (no schema known) and lists without a key are replaced. Other built-in kinds have merge
     * keys this class does not know, so patching them is refused rather than done wrong.
     */
    private static void strategicMerge(ObjectNode resource, ObjectNode patch) {
        String kind = resource.path("kind").asText();
        boolean builtIn = !resource.path("apiVersion").asText().contains(".")
                || resource.path("apiVersion").asText().contains(".k8s.io/");
        if (builtIn && !kind.equals("Deployment")) {
            throw new IllegalArgumentException("strategic merge of a " + kind
                    + " is not implemented by this renderer (Deployments and custom resources only); use a JSON 6902 patch");
        }
        mergeObject(resource, patch, "", kind.equals("Deployment"));
    }

    private static void mergeObject(ObjectNode target, ObjectNode patch, String path, boolean deployment) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.startsWith("$")) {
                throw new IllegalArgumentException("patch directive " + key + " is not implemented by this renderer");
            }
            JsonNode value = e.getValue();
            JsonNode existing = target.get(key);
            String childPath = path + "/" + key;
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject() && existing != null && existing.isObject()) {
                mergeObject((ObjectNode) existing, (ObjectNode) value, childPath, deployment);
            } else if (value.isArray() && existing != null && existing.isArray()
                    && deployment && DEPLOYMENT_MERGE_KEYS.containsKey(childPath)) {
                mergeList((ArrayNode) existing, (ArrayNode) value, childPath, DEPLOYMENT_MERGE_KEYS.get(childPath));
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }

    private static void mergeList(ArrayNode target, ArrayNode patch, String path, String mergeKey) {
        for (JsonNode item : patch) {
            JsonNode id = item.get(mergeKey);
            ObjectNode match = null;
            for (JsonNode t : target) {
                if (id != null && id.equals(t.get(mergeKey))) {
                    match = (ObjectNode) t;
                }
            }
            if (match == null) {
                target.add(item.deepCopy());
            } else {
                mergeObject(match, (ObjectNode) item, path, true);
            }
        }
    }

    // ---- labels, images

    private static void applyLabels(List<ObjectNode> resources, JsonNode entry, Path file) {
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!Set.of("pairs", "includeSelectors", "includeTemplates").contains(field)) {
                throw unsupported(file, "the labels field `" + field + "`");
            }
        }
        if (entry.path("includeSelectors").asBoolean(false)) {
            throw unsupported(file, "labels with includeSelectors: true");
        }
        boolean templates = entry.path("includeTemplates").asBoolean(false);
        for (ObjectNode r : resources) {
            addAll(metadata(r).withObjectProperty("labels"), entry.path("pairs"));
            if (templates && WORKLOADS.contains(r.path("kind").asText())) {
                ObjectNode template = r.withObjectProperty("spec").withObjectProperty("template");
                addAll(template.withObjectProperty("metadata").withObjectProperty("labels"), entry.path("pairs"));
            }
        }
    }

    private static void addAll(ObjectNode labels, JsonNode pairs) {
        pairs.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    }

    private static void applyImage(List<ObjectNode> resources, JsonNode entry, Path file) {
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!Set.of("name", "newName", "newTag", "digest").contains(field)) {
                throw unsupported(file, "the images field `" + field + "`");
            }
        }
        String name = entry.path("name").asText();
        for (ObjectNode r : resources) {
            if (!WORKLOADS.contains(r.path("kind").asText())) {
                continue;
            }
            JsonNode pod = r.path("spec").path("template").path("spec");
            for (String list : List.of("containers", "initContainers")) {
                for (JsonNode c : pod.path(list)) {
                    Image image = Image.parse(c.path("image").asText());
                    if (!image.name().equals(name)) {
                        continue;
                    }
                    String newName = entry.path("newName").asText(image.name());
                    String ref = entry.has("digest") ? "@" + entry.get("digest").asText()
                            : entry.has("newTag") ? ":" + entry.get("newTag").asText()
                            : image.reference();
                    ((ObjectNode) c).set("image", new TextNode(newName + ref));
                }
            }
        }
    }

    /** An image reference split into its name and its ":tag" or "@digest" part (empty when neither). */
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

    // ---- helpers

    private static void rejectDuplicates(List<ObjectNode> resources, Path file) {
        Map<String, ObjectNode> seen = new LinkedHashMap<>();
        for (ObjectNode r : resources) {
            if (seen.put(Manifests.id(r), r) != null) {
                throw new IllegalArgumentException(file + ": " + Manifests.id(r) + " is defined twice");
            }
        }
    }

    private static ObjectNode metadata(ObjectNode resource) {
        return resource.withObjectProperty("metadata");
    }

    private static IllegalArgumentException unsupported(Path file, String what) {
        return new IllegalArgumentException(file + " uses " + what + ", which the project's renderer (Kustomize.java)"
                + " does not implement: keep the kustomizations to resources, namespace, labels, patches, replicas"
                + " and images, or teach Kustomize.java the feature (RendererTest compares it with kubectl)");
    }

    static UncheckedIOException io(IOException e) {
        return new UncheckedIOException(e);
    }
}
