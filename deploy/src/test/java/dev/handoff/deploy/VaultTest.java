package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway keeps the workspaces' API keys in Vault, logging in with its own ServiceAccount. */
class VaultTest {

    static final List<String> OVERLAYS = Project.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theGatewayUsesTheVaultStoreWithKubernetesAuth(String overlay) {
        Manifests m = Render.overlay(overlay);
        JsonNode gateway = m.get("Deployment", "provider-gateway");
        Environment env = Environment.of(m, Manifests.mainContainer(gateway));
        assertEquals("vault", env.require("HANDOFF_SECRETS_STORE"));
        assertTrue(env.require("HANDOFF_VAULT_URL").matches("https?://.+"), env.require("HANDOFF_VAULT_URL"));
        assertTrue(env.get("HANDOFF_VAULT_TOKEN").isEmpty(), overlay + ": a static Vault token instead of Kubernetes auth");
        assertTrue(env.get("HANDOFF_SECRETS_KEY").isEmpty(), overlay + ": the database store's key is not needed");

        Map<String, String> role = role(m);
        assertEquals(env.require("HANDOFF_VAULT_K8S_ROLE"), role.get("role"));
        String account = Manifests.podSpec(gateway).path("serviceAccountName").asText();
        assertEquals(account, role.get("bound_service_account_names"), overlay + ": the role is bound to the gateway's account");
        m.get("ServiceAccount", account);
        assertTrue(Manifests.podSpec(gateway).path("automountServiceAccountToken").asBoolean(),
                overlay + ": Kubernetes auth needs the gateway's ServiceAccount token");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void onlyTheGatewayHasAServiceAccountTokenAndAVaultRole(String overlay) {
        Manifests m = Render.overlay(overlay);
        for (String service : ServiceModule.NAMES) {
            if (service.equals("provider-gateway")) {
                continue;
            }
            JsonNode pod = Manifests.podSpec(m.get("Deployment", service));
            assertEquals(false, pod.path("automountServiceAccountToken").asBoolean(true),
                    overlay + ": " + service + " needs no Kubernetes API token");
            assertEquals(false, m.get("ServiceAccount", pod.path("serviceAccountName").asText())
                    .path("automountServiceAccountToken").asBoolean(true), overlay + ": " + service);
        }
        assertEquals(Set.of("provider-gateway.role", "provider-gateway.hcl"),
                new TreeSet<>(Json.stringMap(m.get("ConfigMap", "handoff-vault").path("data")).keySet()));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void thePolicyCoversTheGatewaysKvPathsOnItsMountAndNothingElse(String overlay) {
        Manifests m = Render.overlay(overlay);
        Environment env = Environment.of(m, Manifests.mainContainer(m.get("Deployment", "provider-gateway")));
        String mount = env.require("HANDOFF_VAULT_KV_MOUNT");
        String hcl = m.get("ConfigMap", "handoff-vault").path("data").path("provider-gateway.hcl").asText();
        Map<String, Set<String>> paths = new LinkedHashMap<>();
        Matcher matcher = Pattern.compile("path \"([^\"]+)\"\\s*\\{\\s*capabilities\\s*=\\s*\\[([^]]*)]\\s*}").matcher(hcl);
        while (matcher.find()) {
            Set<String> caps = new TreeSet<>();
            for (String c : matcher.group(2).split(",")) {
                caps.add(c.strip().replace("\"", ""));
            }
            paths.put(matcher.group(1), caps);
        }
        assertEquals(Set.of(mount + "/data/handoff/*", mount + "/metadata/handoff/*", mount + "/delete/handoff/*",
                mount + "/destroy/handoff/*"), paths.keySet(), overlay + ": KV v2 paths of the mount " + mount);
        assertTrue(paths.get(mount + "/data/handoff/*").containsAll(Set.of("create", "read", "update")));
        assertTrue(paths.get(mount + "/metadata/handoff/*").contains("delete"), "deleting the agent config destroys the key");
        paths.values().forEach(caps -> assertTrue(!caps.contains("sudo") && !caps.contains("list"), caps.toString()));
        assertRoleTtls(role(m));
    }

    private static void assertRoleTtls(Map<String, String> role) {
        assertTrue(role.containsKey("token_ttl") && role.containsKey("token_max_ttl"), "the role's tokens expire");
        assertEquals("handoff-provider-gateway", role.get("policies"), "the role grants the gateway's policy only");
    }

    static Map<String, String> role(Manifests m) {
        Map<String, String> role = new LinkedHashMap<>();
        for (String line : m.get("ConfigMap", "handoff-vault").path("data").path("provider-gateway.role").asText().split("\n")) {
            if (line.contains("=")) {
                role.put(line.substring(0, line.indexOf('=')).strip(), line.substring(line.indexOf('=') + 1).strip());
            }
        }
        return role;
    }
}
