package dev.handoff.gateway.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.gateway.TestRuns;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The vault store in Kubernetes: it logs in with the pod's service account token and uses the token Vault issues. */
@QuarkusTest
@TestProfile(VaultKubernetesAuthTest.KubernetesProfile.class)
class VaultKubernetesAuthTest {

    /** Kubernetes auth (role + service account JWT file), no client token. */
    public static class KubernetesProfile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path jwt = Files.createTempFile("service-account-token", "");
                Files.writeString(jwt, FakeVault.K8S_JWT);
                return Map.of("handoff.secrets.store", "vault",
                        "quarkus.vault.authentication.kubernetes.role", FakeVault.K8S_ROLE,
                        "quarkus.vault.authentication.kubernetes.jwt-token-path", jwt.toString(),
                        // the fake speaks plain http; in a cluster the extension trusts the service account CA by default
                        "quarkus.vault.tls.use-kubernetes-ca-cert", "false");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeVault.class));
        }
    }

    @FakeVault.Inject
    FakeVault vault;

    @Inject
    SecretStore store;

    @Test
    void secretsAreWrittenWithTheTokenIssuedForTheServiceAccount() {
        String name = SecretNames.agentKey(TestRuns.workspace());
        store.put(name, "sk-k8s-secret").await().atMost(Duration.ofSeconds(10));
        assertEquals(Optional.of("sk-k8s-secret"), store.get(name).await().atMost(Duration.ofSeconds(10)),
                () -> "requests: " + vault.received());

        FakeVault.Received login = vault.received().stream()
                .filter(r -> r.path().equals("/v1/auth/kubernetes/login")).findFirst().orElseThrow();
        assertEquals(FakeVault.K8S_ROLE, login.body().getString("role"));
        assertEquals(FakeVault.K8S_JWT, login.body().getString("jwt"));
        FakeVault.Received write = vault.received().stream()
                .filter(r -> r.path().equals("/v1/secret/data/handoff/" + name) && !r.method().equals("GET"))
                .findFirst().orElseThrow();
        assertTrue(write.token() != null && write.token().startsWith("hvs.k8s-"), "the issued token: " + write.token());
    }
}
