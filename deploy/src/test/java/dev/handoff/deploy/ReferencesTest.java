package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every ConfigMap, Secret and ServiceAccount an object refers to is in the render, or is one that someone else
 * creates: listed here with who, so that a new unexplained reference fails.
 */
class ReferencesTest {

    static final List<String> OVERLAYS = Project.OVERLAYS;

    /** ConfigMaps the operator creates before applying (deploy/README.md says how). */
    static final Map<String, String> EXTERNAL_CONFIG_MAPS = Map.of(
            "handoff-jwt-public-key", "the public key of the operator's token issuer; the services verify tokens with it");

    /** Secrets that are not ours to write: the operator's or a controller's. */
    static final Map<String, String> EXTERNAL_SECRETS = Map.of(
            "handoff-tls", "the Ingress' TLS certificate: created by the operator or by cert-manager",
            "handoff-webhook-secrets-key", "the key sealing webhook signing secrets at rest (key: base64 of 32 random"
                    + " bytes): created by the operator");

    /** The keys CloudNativePG puts into the {@code <cluster>-app} Secret it generates for the database owner. */
    static final Set<String> CNPG_APP_SECRET_KEYS = Set.of(
            "username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass", "user",
            "fqdn-uri", "fqdn-jdbc-uri");

    record Reference(String kind, String name, Optional<String> key, String from) {
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyReferencedConfigMapSecretAndServiceAccountExists(String overlay) {
        Manifests m = Render.overlay(overlay);
        List<Reference> references = references(m);
        assertFalse(references.isEmpty());
        for (Reference ref : references) {
            String what = overlay + ": " + ref.from() + " refers to " + ref.kind() + " " + ref.name()
                    + ref.key().map(k -> " key " + k).orElse("");
            switch (ref.kind()) {
                case "ServiceAccount" -> assertTrue(m.find("ServiceAccount", ref.name()).isPresent(), what);
                case "ConfigMap" -> {
                    Optional<ObjectNode> cm = m.find("ConfigMap", ref.name());
                    if (cm.isPresent()) {
                        ref.key().ifPresent(k -> assertTrue(cm.get().path("data").has(k), what + ": no such key"));
                    } else {
                        assertTrue(EXTERNAL_CONFIG_MAPS.containsKey(ref.name()), what + ": not in the render");
                    }
                }
                case "Secret" -> {
                    if (m.find("Secret", ref.name()).isPresent()) {
                        ref.key().ifPresent(k -> assertTrue(
                                m.get("Secret", ref.name()).path("data").has(k)
                                        || m.get("Secret", ref.name()).path("stringData").has(k), what + ": no such key"));
                    } else if (ref.name().endsWith("-app")) {
                        String cluster = ref.name().substring(0, ref.name().length() - "-app".length());
                        assertTrue(m.find("Cluster", cluster).isPresent(),
                                what + ": looks like a CloudNativePG app secret, but there is no Cluster " + cluster);
                        ref.key().ifPresent(k -> assertTrue(CNPG_APP_SECRET_KEYS.contains(k),
                                what + ": CloudNativePG's app secret has no such key"));
                    } else {
                        assertTrue(EXTERNAL_SECRETS.containsKey(ref.name()), what + ": not in the render");
                    }
                }
                default -> throw new AssertionError(ref.toString());
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void noSecretValueIsWrittenIntoTheManifests(String overlay) {
        Manifests m = Render.overlay(overlay);
        assertEquals(List.of(), m.all("Secret"), overlay + ": Secrets are referenced, never committed");
        for (JsonNode deployment : m.all("Deployment")) {
            for (JsonNode container : Manifests.podSpec(deployment).path("containers")) {
                for (JsonNode env : container.path("env")) {
                    String name = env.path("name").asText();
                    if (name.matches(".*(PASSWORD|TOKEN|SECRET|KEY)$") && !name.equals("HANDOFF_JWT_PUBLIC_KEY")) {
                        assertTrue(env.path("valueFrom").has("secretKeyRef"),
                                overlay + ": " + Manifests.name(deployment) + " sets " + name + " without a Secret");
                    }
                }
            }
        }
        for (JsonNode cm : m.all("ConfigMap")) {
            Json.stringMap(cm.path("data")).keySet().forEach(key -> assertFalse(
                    key.matches(".*(PASSWORD|TOKEN|SECRETS_KEY)$"),
                    overlay + ": ConfigMap " + Manifests.name(cm) + " holds " + key));
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theExternalObjectsAreStillNeeded(String overlay) {
        List<Reference> references = references(Render.overlay(overlay));
        EXTERNAL_CONFIG_MAPS.keySet().forEach(name -> assertTrue(
                references.stream().anyMatch(r -> r.kind().equals("ConfigMap") && r.name().equals(name)),
                "ConfigMap " + name + " is listed as external but nothing refers to it"));
        EXTERNAL_SECRETS.keySet().forEach(name -> assertTrue(
                references.stream().anyMatch(r -> r.kind().equals("Secret") && r.name().equals(name)),
                "Secret " + name + " is listed as external but nothing refers to it"));
    }

    /** Walks every object for the Kubernetes fields that name a ConfigMap, Secret or ServiceAccount. */
    static List<Reference> references(Manifests m) {
        List<Reference> refs = new ArrayList<>();
        for (ObjectNode object : m.objects()) {
            walk(object, object.path("kind").asText() + " " + Manifests.name(object), refs);
        }
        return refs;
    }

    private static void walk(JsonNode node, String from, List<Reference> refs) {
        if (node.isArray()) {
            node.forEach(child -> walk(child, from, refs));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "serviceAccountName" -> refs.add(new Reference("ServiceAccount", v.asText(), Optional.empty(), from));
                case "configMapRef" -> refs.add(new Reference("ConfigMap", v.path("name").asText(), Optional.empty(), from));
                case "secretRef" -> refs.add(new Reference("Secret", v.path("name").asText(), Optional.empty(), from));
                case "configMapKeyRef" -> refs.add(new Reference("ConfigMap", v.path("name").asText(),
                        Optional.of(v.path("key").asText()), from));
                case "secretKeyRef" -> refs.add(new Reference("Secret", v.path("name").asText(),
                        Optional.of(v.path("key").asText()), from));
                case "configMap" -> {
                    if (v.has("name")) {
                        addWithItems(refs, "ConfigMap", v.path("name").asText(), v, from);
                    }
                }
                case "secret" -> {
                    if (v.has("secretName")) {
                        addWithItems(refs, "Secret", v.path("secretName").asText(), v, from);
                    } else if (v.has("name")) {
                        addWithItems(refs, "Secret", v.path("name").asText(), v, from);
                    }
                }
                case "secretName" -> refs.add(new Reference("Secret", v.asText(), Optional.empty(), from));
                default -> {
                }
            }
            walk(v, from, refs);
        }
    }

    private static void addWithItems(List<Reference> refs, String kind, String name, JsonNode volume, String from) {
        if (volume.path("items").isEmpty()) {
            refs.add(new Reference(kind, name, Optional.empty(), from));
        }
        for (JsonNode item : volume.path("items")) {
            refs.add(new Reference(kind, name, Optional.of(item.path("key").asText()), from));
        }
    }
}
