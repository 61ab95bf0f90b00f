package dev.handoff.gateway.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.testsupport.PostgresDatabase;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rotating the database secret store's key-encryption key ({@code HANDOFF_SECRETS_KEYS}) on the real PostgreSQL, in a
 * database of its own: each store here stands for the gateway started with one configuration of keys.
 */
class KeyRotationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static PostgresDatabase database;
    private static Vertx vertx;
    private static Pool pool;

    @BeforeAll
    static void database() throws Exception {
        database = PostgresDatabase.create("handoff_keys");
        try (Connection db = database.connect(); Statement statement = db.createStatement()) {
            // the table as the gateway's migration V1 creates it
            statement.execute("""
                    create table secret (name text primary key, kek_id text not null, wrapped_key bytea not null,
                        ciphertext bytea not null, updated_at timestamptz not null)""");
        }
        vertx = Vertx.vertx();
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
                .connectingTo(new PgConnectOptions().setHost(PostgresDatabase.HOST).setPort(Integer.parseInt(PostgresDatabase.PORT))
                        .setDatabase(database.name()).setUser(PostgresDatabase.USER).setPassword(PostgresDatabase.PASSWORD))
                .using(vertx).build();
    }

    @AfterAll
    static void drop() {
        if (pool != null) {
            pool.closeAndAwait();
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (database != null) {
            database.drop();
        }
    }

    @Test
    void aKeyRotationKeepsEveryStoredSecretReadableAndTheOldKeyCanThenBeRemoved() throws Exception {
        String oldKey = newKey();
        String newKey = newKey();
        // the gateway as it ran so far: the single HANDOFF_SECRETS_KEY
        DatabaseSecretStore before = new DatabaseSecretStore(pool, KeyRing.configured(Optional.empty(), Optional.of(oldKey), true));
        Map<String, String> secrets = new LinkedHashMap<>();
        for (int i = 0; i < 250; i++) { // more than one re-wrap batch
            secrets.put("workspaces/ws-" + i + "/cursor-api-key", "key_" + i + "_" + Base64.getEncoder().encodeToString(bytes(12)));
        }
        secrets.forEach((name, value) -> before.put(name, value).await().atMost(WAIT));
        assertTrue(before.check().await().atMost(WAIT).ok());

        // the new key first, the old one still listed: everything reads, then is re-wrapped with the new key
        DatabaseSecretStore during = new DatabaseSecretStore(pool, KeyRing.parse("k2:" + newKey + ",k1:" + oldKey));
        DatabaseSecretStore.Check pending = during.check().await().atMost(WAIT);
        assertTrue(pending.ok(), pending.problems().toString());
        assertEquals(250, pending.sealedWithOldKeys());
        secrets.forEach((name, value) -> assertEquals(Optional.of(value), during.get(name).await().atMost(WAIT)));
        DatabaseSecretStore.Rewrapped rewrapped = during.rewrap().await().atMost(WAIT);
        assertEquals(new DatabaseSecretStore.Rewrapped(250, 0), rewrapped);
        assertEquals(0, during.check().await().atMost(WAIT).sealedWithOldKeys(), "nothing left to re-wrap");
        assertEquals(new DatabaseSecretStore.Rewrapped(0, 0), during.rewrap().await().atMost(WAIT), "re-wrapping again changes nothing");
        try (Connection db = database.connect(); Statement statement = db.createStatement();
                ResultSet keys = statement.executeQuery("select count(distinct kek_id) from secret")) {
            keys.next();
            assertEquals(1, keys.getInt(1), "every row is sealed with one key, the new one");
        }

        // the old key removed: every secret still reads, readiness is fine
        DatabaseSecretStore after = new DatabaseSecretStore(pool, KeyRing.parse("k2:" + newKey));
        secrets.forEach((name, value) -> assertEquals(Optional.of(value), after.get(name).await().atMost(WAIT)));
        DatabaseSecretStore.Check done = after.check().await().atMost(WAIT);
        assertTrue(done.ok(), done.problems().toString());
        assertEquals(250, done.secrets());

        // and the old key alone no longer opens anything
        DatabaseSecretStore stale = new DatabaseSecretStore(pool, KeyRing.configured(Optional.empty(), Optional.of(oldKey), true));
        DatabaseSecretStore.Check refused = stale.check().await().atMost(WAIT);
        assertFalse(refused.ok());
        assertTrue(refused.problems().get(0).contains("250 stored secret(s) were sealed with a key that is not configured"),
                refused.problems().toString());
        String anyName = secrets.keySet().iterator().next();
        IllegalStateException unreadable = assertThrows(IllegalStateException.class, () -> stale.get(anyName).await().atMost(WAIT));
        assertFalse(unreadable.getMessage().contains(secrets.get(anyName)));
        String message = String.join(" ", refused.problems());
        assertFalse(message.contains(oldKey) || message.contains(newKey), "no key material in the problem");
    }

    @Test
    void malformedKeyListsAreRefusedWithoutShowingAKey() {
        String key = newKey();
        assertEquals("k1", KeyRing.parse(" k1:" + key + " ").current().id());
        for (String bad : new String[] {key, "k1:" + key + ",k1:" + newKey(), "k1:" + key + ",k2:" + key, "bad id:" + key,
                "k1:not-base64!", "k1:" + Base64.getEncoder().encodeToString(new byte[16])}) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> KeyRing.parse(bad), bad);
            assertTrue(refused.getMessage().startsWith("HANDOFF_SECRETS_KEYS"), refused.getMessage());
            assertFalse(refused.getMessage().contains(key), "the key is not in the message");
        }
        // HANDOFF_SECRETS_KEYS wins over HANDOFF_SECRETS_KEY when both are set
        String single = newKey();
        KeyRing ring = KeyRing.configured(Optional.of("k9:" + key), Optional.of(single), true);
        assertEquals(java.util.List.of("k9"), ring.ids());
    }

    private static String newKey() {
        return Base64.getEncoder().encodeToString(bytes(32));
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
