package dev.handoff.gateway.secrets;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.gateway.TestRuns;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code HANDOFF_SECRETS_STORE=vault}: keys go to Vault's KV v2 engine through quarkus-vault (token auth). */
@QuarkusTest
@TestProfile(VaultSecretStoreTest.VaultProfile.class)
class VaultSecretStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The vault store, authenticated with a token, against the fake Vault. */
    public static class VaultProfile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.secrets.store", "vault",
                    "quarkus.vault.authentication.client-token", FakeVault.TOKEN);
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

    private final String workspace = TestRuns.workspace();

    @Test
    void theCursorKeyIsWrittenToTheWorkspacesVaultPathReadBackAndDestroyedWithAllItsVersions() throws Exception {
        String path = "handoff/workspaces/" + workspace + "/agent";
        given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                .body("{\"provider\":\"cursor\",\"apiKey\":\"" + FakeCursorApi.VALID_KEY + "\",\"enabled\":true}")
                .when().put("/api/agent-config")
                .then().statusCode(200).body("keyHint", equalTo("...cdef"));

        FakeVault.Received write = vault.received().stream()
                .filter(r -> r.method().equals("POST") || r.method().equals("PUT"))
                .filter(r -> r.path().equals("/v1/secret/data/" + path)).findFirst().orElseThrow();
        assertEquals(FakeVault.TOKEN, write.token());
        assertEquals(FakeCursorApi.VALID_KEY, write.body().getJsonObject("data").getString("value"));
        assertEquals(FakeCursorApi.VALID_KEY, vault.data(path).getString("value"));
        assertEquals(Optional.of(FakeCursorApi.VALID_KEY), store.get(SecretNames.agentKey(workspace)).await().atMost(WAIT));
        try (Connection db = HandoffTestResource.database().connect(); Statement statement = db.createStatement();
                ResultSet count = statement.executeQuery("select count(*) from secret")) {
            count.next();
            assertEquals(0, count.getInt(1), "the database store is not used");
        }
        DatabaseSecretStoreTest.assertNoPlaintextAnywhere(FakeCursorApi.VALID_KEY);

        given().auth().oauth2(Tokens.admin(workspace)).when().delete("/api/agent-config").then().statusCode(204);
        assertTrue(vault.received().stream().anyMatch(r -> r.method().equals("DELETE")
                && r.path().equals("/v1/secret/metadata/" + path) && FakeVault.TOKEN.equals(r.token())));
        assertFalse(vault.hasMetadata(path), "every version is gone");
        assertEquals(Optional.empty(), store.get(SecretNames.agentKey(workspace)).await().atMost(WAIT));
    }

    @Test
    void aMissingSecretReadsAsEmptyAndDestroyingItIsNoError() {
        String name = SecretNames.agentKey(workspace);
        assertEquals(Optional.empty(), store.get(name).await().atMost(WAIT));
        store.destroy(name).await().atMost(WAIT);
        store.put(name, "first").await().atMost(WAIT);
        store.put(name, "second").await().atMost(WAIT);
        assertEquals(Optional.of("second"), store.get(name).await().atMost(WAIT));
        store.destroy(name).await().atMost(WAIT);
        assertNull(vault.data("handoff/" + name));
    }

    @Test
    void aSealedVaultIsAnOutageAnswered503AndNothingIsSaved() {
        vault.sealed(true);
        try {
            given().auth().oauth2(Tokens.admin(workspace)).contentType(ContentType.JSON)
                    .body("{\"provider\":\"cursor\",\"apiKey\":\"" + FakeCursorApi.VALID_KEY + "\",\"enabled\":true}")
                    .when().put("/api/agent-config")
                    .then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "5")
                    .body("code", equalTo("service-unavailable"))
                    .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString(FakeCursorApi.VALID_KEY)));
        } finally {
            vault.sealed(false);
        }
        given().auth().oauth2(Tokens.member(workspace)).when().get("/api/agent-config").then().statusCode(404);
        assertNull(vault.data("handoff/" + SecretNames.agentKey(workspace)));
    }
}
