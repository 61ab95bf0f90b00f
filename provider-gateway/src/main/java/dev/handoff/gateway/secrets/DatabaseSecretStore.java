package dev.handoff.gateway.secrets;

import dev.handoff.gateway.GatewayConfig;
import io.quarkus.runtime.LaunchMode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** The embedded secret store: envelope-encrypted rows in the gateway's own PostgreSQL database. */
@ApplicationScoped
@Typed(DatabaseSecretStore.class)
public class DatabaseSecretStore implements SecretStore {

    private final Pool pool;
    private final GatewayConfig config;
    private volatile EnvelopeCipher cipher;

    public DatabaseSecretStore(Pool pool, GatewayConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** Fails when the key-encryption key is missing or malformed; called at startup when this store is chosen. */
    public void checkKey() {
        cipher();
    }

    @Override
    public Uni<Void> put(String name, String value) {
        EnvelopeCipher.Sealed sealed = cipher().seal(name, value);
        return pool.preparedQuery("""
                insert into secret (name, kek_id, wrapped_key, ciphertext, updated_at) values ($1, $2, $3, $4, $5)
                on conflict (name) do update set kek_id = excluded.kek_id, wrapped_key = excluded.wrapped_key,
                    ciphertext = excluded.ciphertext, updated_at = excluded.updated_at""")
                .execute(Tuple.of(name, sealed.keyId(), io.vertx.core.buffer.Buffer.buffer(sealed.wrappedKey()),
                        io.vertx.core.buffer.Buffer.buffer(sealed.ciphertext()),
                        OffsetDateTime.now(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    @Override
    public Uni<Optional<String>> get(String name) {
        return pool.preparedQuery("select kek_id, wrapped_key, ciphertext from secret where name = $1")
                .execute(Tuple.of(name))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(cipher().open(name, new EnvelopeCipher.Sealed(row.getString("kek_id"),
                            row.getBuffer("wrapped_key").getBytes(), row.getBuffer("ciphertext").getBytes())));
                });
    }

    @Override
    public Uni<Void> destroy(String name) {
        return pool.preparedQuery("delete from secret where name = $1").execute(Tuple.of(name)).replaceWithVoid();
    }

    private EnvelopeCipher cipher() {
        EnvelopeCipher current = cipher;
        if (current == null) {
            current = new EnvelopeCipher(SecretsKey.resolve(config.secrets().key(), LaunchMode.current() == LaunchMode.NORMAL));
            cipher = current;
        }
        return current;
    }
}
