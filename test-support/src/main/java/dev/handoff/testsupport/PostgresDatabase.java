package dev.handoff.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A fresh database on the real PostgreSQL server, made for one test run and dropped after it. */
public final class PostgresDatabase {

    public static final String HOST = System.getenv().getOrDefault("HANDOFF_PG_HOST", "127.0.0.1");
    public static final String PORT = System.getenv().getOrDefault("HANDOFF_PG_PORT", "5432");
    public static final String USER = "handoff";
    public static final String PASSWORD = "handoff";

    private final String name;

    private PostgresDatabase(String name) {
        this.name = name;
    }

    public static PostgresDatabase create(String baseName) {
        String name = baseName + "_t" + UUID.randomUUID().toString().substring(0, 8);
        admin("create database " + name);
        return new PostgresDatabase(name);
    }

    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name;
    }

    public String reactiveUrl() {
        return "postgresql://" + HOST + ":" + PORT + "/" + name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    public void drop() {
        admin("drop database if exists " + name + " with (force)");
    }

    private static void admin(String sql) {
        String url = "jdbc:postgresql://" + HOST + ":" + PORT + "/postgres";
        try (Connection connection = DriverManager.getConnection(url, USER, PASSWORD);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL on " + HOST + ":" + PORT + " refused '" + sql
                    + "' (run deploy/local/postgres.sh ensure)", e);
        }
    }
}
