package dev.handoff.gateway.secrets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.testsupport.HandoffTestResource;
import dev.handoff.testsupport.PostgresDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class DatabaseSecretStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    DatabaseSecretStore store;

    @Test
    void aStoredSecretReadsBackButTheTableHoldsOnlyCiphertext() throws Exception {
        String name = SecretNames.agentKey("ws-" + UUID.randomUUID().toString().substring(0, 8));
        String plaintext = "key_" + UUID.randomUUID().toString().replace("-", "") + "f3a9";
        store.put(name, plaintext).await().atMost(WAIT);

        assertEquals(Optional.of(plaintext), store.get(name).await().atMost(WAIT));
        byte[] ciphertext;
        try (Connection db = HandoffTestResource.database().connect();
                Statement statement = db.createStatement();
                ResultSet row = statement.executeQuery("select * from secret where name = '" + name + "'")) {
            assertTrue(row.next());
            ciphertext = row.getBytes("ciphertext");
            assertFalse(contains(ciphertext, plaintext.getBytes(StandardCharsets.UTF_8)), "ciphertext differs from the key");
            assertTrue(ciphertext.length >= plaintext.length() + 12 + 16, "nonce, ciphertext and tag are stored");
            assertEquals(12 + 32 + 16, row.getBytes("wrapped_key").length, "the wrapped data key: nonce, 32 bytes, tag");
        }
        assertNoPlaintextAnywhere(plaintext);

        // sealing the same value again uses a fresh data key and nonce
        store.put(name, plaintext).await().atMost(WAIT);
        try (Connection db = HandoffTestResource.database().connect();
                Statement statement = db.createStatement();
                ResultSet row = statement.executeQuery("select ciphertext from secret where name = '" + name + "'")) {
            assertTrue(row.next());
            assertNotEquals(Base64.getEncoder().encodeToString(ciphertext),
                    Base64.getEncoder().encodeToString(row.getBytes("ciphertext")));
        }
    }

    @Test
    void aDestroyedSecretIsGoneFromTheTable() throws Exception {
        String name = SecretNames.agentKey("ws-" + UUID.randomUUID().toString().substring(0, 8));
        store.put(name, "sk-to-be-destroyed-" + UUID.randomUUID()).await().atMost(WAIT);
        store.destroy(name).await().atMost(WAIT);

        assertEquals(Optional.empty(), store.get(name).await().atMost(WAIT));
        try (Connection db = HandoffTestResource.database().connect();
                Statement statement = db.createStatement();
                ResultSet count = statement.executeQuery("select count(*) from secret where name = '" + name + "'")) {
            count.next();
            assertEquals(0, count.getInt(1));
        }
    }

    @Test
    void aRowCopiedUnderAnotherNameDoesNotDecrypt() throws Exception {
        String name = SecretNames.agentKey("ws-" + UUID.randomUUID().toString().substring(0, 8));
        String copy = name + "-copy";
        store.put(name, "sk-original-" + UUID.randomUUID()).await().atMost(WAIT);
        try (Connection db = HandoffTestResource.database().connect(); Statement statement = db.createStatement()) {
            statement.execute("insert into secret (name, kek_id, wrapped_key, ciphertext, updated_at)"
                    + " select '" + copy + "', kek_id, wrapped_key, ciphertext, updated_at from secret where name = '" + name + "'");
        }
        assertThrows(IllegalStateException.class, () -> store.get(copy).await().atMost(WAIT));
    }

    @Test
    void theEnvelopeCipherRefusesAnotherKeyEncryptionKey() {
        byte[] key = new byte[32];
        byte[] other = new byte[32];
        other[0] = 1;
        EnvelopeCipher.Sealed sealed = new EnvelopeCipher(key).seal("n", "secret-value");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new EnvelopeCipher(other).open("n", sealed));
        assertFalse(refused.getMessage().contains("secret-value"));
        assertEquals("secret-value", new EnvelopeCipher(key.clone()).open("n", sealed));
        assertArrayEquals(sealed.wrappedKey(), sealed.wrappedKey());
    }

    @Test
    void productionWithoutAKeyRefusesToStartAndBadKeysAreRefusedEverywhere() {
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> SecretsKey.resolve(Optional.empty(), true));
        assertTrue(missing.getMessage().contains("HANDOFF_SECRETS_KEY"));
        assertThrows(IllegalStateException.class, () -> SecretsKey.resolve(Optional.of("  "), true));
        assertThrows(IllegalStateException.class, () -> SecretsKey.resolve(Optional.of("not base64!"), false));
        assertThrows(IllegalStateException.class,
                () -> SecretsKey.resolve(Optional.of(Base64.getEncoder().encodeToString(new byte[16])), false));
        assertEquals(32, SecretsKey.resolve(Optional.of(Base64.getEncoder().encodeToString(new byte[32])), true).length);
    }

    /** The same check for callers inside lambdas: checked exceptions become unchecked. */
    public static void assertNoPlaintextAnywhereQuietly(String plaintext) {
        try {
            assertNoPlaintextAnywhere(plaintext);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every column of every table, as text, and a pg_dump of the whole database when the tool is installed. */
    public static void assertNoPlaintextAnywhere(String plaintext) throws SQLException, IOException, InterruptedException {
        PostgresDatabase database = HandoffTestResource.database();
        try (Connection db = database.connect(); Statement statement = db.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery(
                    "select table_name from information_schema.tables where table_schema = 'public'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertTrue(tables.contains("secret"));
            for (String table : tables) {
                try (ResultSet rs = statement.executeQuery("select t::text from " + table + " t")) {
                    while (rs.next()) {
                        assertFalse(rs.getString(1).contains(plaintext), "plaintext key in table " + table);
                    }
                }
            }
        }
        Path dump = Files.createTempFile("gateway-dump", ".sql");
        try {
            ProcessBuilder pgDump = new ProcessBuilder("pg_dump", "-h", PostgresDatabase.HOST, "-p", PostgresDatabase.PORT,
                    "-U", PostgresDatabase.USER, "--no-owner", database.name())
                    .redirectOutput(dump.toFile()).redirectErrorStream(false);
            pgDump.environment().put("PGPASSWORD", PostgresDatabase.PASSWORD);
            Process process;
            try {
                process = pgDump.start();
            } catch (IOException notInstalled) {
                return; // the JDBC scan above covered every row
            }
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "pg_dump finished");
            assertEquals(0, process.exitValue(), "pg_dump succeeded");
            String text = Files.readString(dump);
            assertTrue(text.contains("CREATE TABLE public.secret"), "the dump covers the secret table");
            assertFalse(text.contains(plaintext), "plaintext key in pg_dump");
            assertFalse(text.contains(Base64.getEncoder().encodeToString(plaintext.getBytes(StandardCharsets.UTF_8))),
                    "base64 of the key in pg_dump");
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
