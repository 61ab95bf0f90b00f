package dev.handoff.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives a service under test the real infrastructure: a fresh PostgreSQL database named after the service's own
 * ({@code database} argument), the real Kafka broker, and the test key pair for tokens.
 */
public class HandoffTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile PostgresDatabase current;
    private String baseName = "handoff_test";
    private PostgresDatabase database;

    @Override
    public void init(Map<String, String> initArgs) {
        baseName = initArgs.getOrDefault("database", baseName);
    }

    @Override
    public Map<String, String> start() {
        database = PostgresDatabase.create(baseName);
        current = database;
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", database.reactiveUrl());
        config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
        config.put("quarkus.datasource.username", PostgresDatabase.USER);
        config.put("quarkus.datasource.password", PostgresDatabase.PASSWORD);
        config.put("kafka.bootstrap.servers", KafkaBroker.bootstrapServers());
        config.put("mp.jwt.verify.publickey.location", Tokens.PUBLIC_KEY_LOCATION);
        config.put("mp.jwt.verify.issuer", Tokens.ISSUER);
        return config;
    }

    @Override
    public void stop() {
        if (database != null) {
            database.drop();
        }
    }

    /** The database of the application under test, for tests that look at rows directly. */
    public static PostgresDatabase database() {
        return current;
    }
}
