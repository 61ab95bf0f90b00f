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
    private static volatile TcpProxy currentProxy;
    private String baseName = "handoff_test";
    private PostgresDatabase database;
    private boolean throughProxy;
    private TcpProxy proxy;

    /**
     * A test profile that implements this gets its service's database connections (the reactive pool; migrations go
     * direct) through a {@link TcpProxy}, which the test can cut and restore: {@link #databaseProxy()}.
     */
    public interface DatabaseThroughProxy {
    }

    @Override
    public void setContext(Context context) {
        String profile = context.testProfile();
        if (profile == null) {
            return;
        }
        try {
            Class<?> type = Class.forName(profile, false, Thread.currentThread().getContextClassLoader());
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Class<?> implemented : c.getInterfaces()) {
                    throughProxy |= implemented.getName().equals(DatabaseThroughProxy.class.getName());
                }
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("test profile " + profile + " not found", e);
        }
    }

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
        if (throughProxy) {
            proxy = new TcpProxy(PostgresDatabase.HOST, Integer.parseInt(PostgresDatabase.PORT));
            currentProxy = proxy;
            config.put("quarkus.datasource.reactive.url",
                    "postgresql://127.0.0.1:" + proxy.port() + "/" + database.name());
        }
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
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (database != null) {
            database.drop();
        }
    }

    /** The proxy between the application under test and its database (profiles that are {@link DatabaseThroughProxy}). */
    public static TcpProxy databaseProxy() {
        if (currentProxy == null) {
            throw new IllegalStateException("the test profile does not implement HandoffTestResource.DatabaseThroughProxy");
        }
        return currentProxy;
    }

    /** The database of the application under test, for tests that look at rows directly. */
    public static PostgresDatabase database() {
        return current;
    }
}
