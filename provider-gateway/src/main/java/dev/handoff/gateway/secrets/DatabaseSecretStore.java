package dev.handoff.gateway.secrets;

import dev.handoff.gateway.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The embedded secret store: envelope-encrypted rows in the gateway's own PostgreSQL database. Several key-encryption
 * keys may be configured ({@link KeyRing}): the current one seals, older ones still open what they sealed, and
 * {@link #rewrap()} moves every secret to the current key, after which the older keys can be removed.
 */
@ApplicationScoped
@Typed(DatabaseSecretStore.class)
public class DatabaseSecretStore implements SecretStore {

    private static final int REWRAP_BATCH = 100;

    private final Pool pool;
    private final Supplier<KeyRing> configured;
    private volatile KeyRing ring;

    @Inject
    public DatabaseSecretStore(Pool pool, GatewayConfig config) {
        this(pool, () -> KeyRing.configured(config.secrets().keys(), config.secrets().key(),
                LaunchMode.current() == LaunchMode.NORMAL));
    }

    /** A store over these keys (tests: several stores with different keys over one table). */
    DatabaseSecretStore(Pool pool, KeyRing ring) {
        this(pool, () -> ring);
    }

    private DatabaseSecretStore(Pool pool, Supplier<KeyRing> configured) {
        this.pool = pool;
        this.configured = configured;
    }

    /** Fails when the key-encryption keys are missing or malformed; called at startup when this store is chosen. */
    public void checkKey() {
        ring();
    }

    /** The configured keys' ids, current first (never the keys). */
    public List<String> keyIds() {
        return ring().ids();
    }

    @Override
    public Uni<Void> put(String name, String value) {
        EnvelopeCipher.Sealed sealed = ring().current().cipher().seal(name, value);
        return pool.preparedQuery("""
                insert into secret (name, kek_id, wrapped_key, ciphertext, updated_at) values ($1, $2, $3, $4, $5)
                on conflict (name) do update set kek_id = excluded.kek_id, wrapped_key = excluded.wrapped_key,
                    ciphertext = excluded.ciphertext, updated_at = excluded.updated_at""")
                .execute(Tuple.of(name, sealed.keyId(), Buffer.buffer(sealed.wrappedKey()), Buffer.buffer(sealed.ciphertext()),
                        OffsetDateTime.now(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    @Override
    public Uni<Optional<String>> get(String name) {
        return pool.preparedQuery("select kek_id, wrapped_key, ciphertext from secret where name = $1")
                .execute(Tuple.of(name))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(open(name, rows.iterator().next())));
    }

    @Override
    public Uni<Void> destroy(String name) {
        return pool.preparedQuery("delete from secret where name = $1").execute(Tuple.of(name)).replaceWithVoid();
    }

    /** What {@link #rewrap()} did: secrets moved to the current key, and those it could not open (left as they are). */
    public record Rewrapped(int rewrapped, int unreadable) {
    }

    /**
     * Re-wraps every secret sealed with an older configured key with the current one, in batches; idempotent, and safe
     * on several replicas at once (a row is only replaced while it still has the key it was read with). A secret that
     * its key does not open stays as it is (readiness reports it).
     */
    public Uni<Rewrapped> rewrap() {
        KeyRing keys = ring();
        if (keys.oldKekIds().isEmpty()) {
            return Uni.createFrom().item(new Rewrapped(0, 0));
        }
        return rewrapAfter(keys, "", 0, 0);
    }

    private Uni<Rewrapped> rewrapAfter(KeyRing keys, String after, int rewrapped, int unreadable) {
        return pool.preparedQuery("""
                select name, kek_id, wrapped_key, ciphertext from secret
                where kek_id = any($1) and name > $2 order by name limit $3""")
                .execute(Tuple.of(keys.oldKekIds().toArray(String[]::new), after, REWRAP_BATCH))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(new Rewrapped(rewrapped, unreadable));
                    }
                    List<Uni<Boolean>> updates = new ArrayList<>();
                    String last = after;
                    for (Row row : rows) {
                        String name = row.getString("name");
                        last = name;
                        String plaintext;
                        try {
                            plaintext = open(name, row);
                        } catch (IllegalStateException e) {
                            Log.warnf("secret store re-wrap: %s", e.getMessage());
                            updates.add(Uni.createFrom().item(false));
                            continue;
                        }
                        EnvelopeCipher.Sealed sealed = keys.current().cipher().seal(name, plaintext);
                        updates.add(pool.preparedQuery("""
                                update secret set kek_id = $2, wrapped_key = $3, ciphertext = $4, updated_at = $5
                                where name = $1 and kek_id = $6""")
                                .execute(Tuple.from(List.of(name, sealed.keyId(), Buffer.buffer(sealed.wrappedKey()),
                                        Buffer.buffer(sealed.ciphertext()), OffsetDateTime.now(ZoneOffset.UTC),
                                        row.getString("kek_id"))))
                                .map(result -> true));
                    }
                    String next = last;
                    return Uni.join().all(updates).andFailFast().chain(done -> {
                        int ok = (int) done.stream().filter(b -> b).count();
                        return rewrapAfter(keys, next, rewrapped + ok, unreadable + done.size() - ok);
                    });
                });
    }

    /** Whether every stored secret can be opened: the readiness check's finding. */
    public record Check(long secrets, long sealedWithOldKeys, List<String> problems) {

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Counts the stored secrets by the key that sealed them and opens one of each key: a key that is not configured,
     * or that does not open its secrets (a wrong key under a right-looking configuration, a tampered row), is a
     * problem named in the answer (key fingerprints and counts only, never a secret or a key).
     */
    public Uni<Check> check() {
        KeyRing keys = ring();
        return pool.query("select kek_id, count(*) as n, min(name) as sample from secret group by kek_id").execute()
                .chain(groups -> {
                    long total = 0;
                    long old = 0;
                    List<String> problems = new ArrayList<>();
                    List<Uni<Optional<String>>> samples = new ArrayList<>();
                    for (Row group : groups) {
                        String kekId = group.getString("kek_id");
                        long count = group.getLong("n");
                        total += count;
                        Optional<KeyRing.Key> key = keys.byKekId(kekId);
                        if (key.isEmpty()) {
                            problems.add(count + " stored secret(s) were sealed with a key that is not configured (key"
                                    + " fingerprint " + kekId + "): HANDOFF_SECRETS_KEYS (or HANDOFF_SECRETS_KEY) must list it;"
                                    + " configured: " + String.join(", ", keys.ids()));
                            continue;
                        }
                        if (key.get() != keys.current()) {
                            old += count;
                        }
                        samples.add(sample(group.getString("sample"), key.get()));
                    }
                    long secrets = total;
                    long sealedWithOld = old;
                    if (samples.isEmpty()) {
                        return Uni.createFrom().item(new Check(secrets, sealedWithOld, List.copyOf(problems)));
                    }
                    return Uni.join().all(samples).andFailFast().map(found -> {
                        found.forEach(problem -> problem.ifPresent(problems::add));
                        return new Check(secrets, sealedWithOld, List.copyOf(problems));
                    });
                });
    }

    private Uni<Optional<String>> sample(String name, KeyRing.Key key) {
        return pool.preparedQuery("select kek_id, wrapped_key, ciphertext from secret where name = $1").execute(Tuple.of(name))
                .map((RowSet<Row> rows) -> {
                    if (rows.size() == 0) {
                        return Optional.empty(); // destroyed meanwhile
                    }
                    try {
                        open(name, rows.iterator().next());
                        return Optional.empty();
                    } catch (IllegalStateException e) {
                        return Optional.of("stored secrets sealed with the key " + key.id() + " cannot be decrypted with it"
                                + " (a wrong key under that fingerprint, or tampered rows)");
                    }
                });
    }

    private String open(String name, Row row) {
        String kekId = row.getString("kek_id");
        KeyRing.Key key = ring().byKekId(kekId).orElseThrow(() -> new IllegalStateException("secret " + name
                + " was sealed with a key that is not configured (key fingerprint " + kekId + ")"));
        return key.cipher().open(name, new EnvelopeCipher.Sealed(kekId, row.getBuffer("wrapped_key").getBytes(),
                row.getBuffer("ciphertext").getBytes()));
    }

    private KeyRing ring() {
        KeyRing current = ring;
        if (current == null) {
            current = configured.get();
            ring = current;
        }
        return current;
    }
}
