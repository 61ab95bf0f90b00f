package dev.handoff.e2e.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JDBC to the local stack's databases (user handoff/handoff on 127.0.0.1:5432), for counting and cross-checking. */
public final class Databases {

    public static final List<String> SERVICES = List.of("handoff_tasks", "handoff_runs", "handoff_gateway", "handoff_notifications");

    private final String suffix;

    /** {@code suffix}: the stack's HANDOFF_DB_SUFFIX, e.g. {@code _e2e}. */
    public Databases(String suffix) {
        this.suffix = suffix;
    }

    public List<String> names() {
        return SERVICES.stream().map(name -> name + suffix).toList();
    }

    /**
     * A connection; while the server has no slot left (SQLState 53300, a busy shared machine) it tries again for up to
     * a minute.
     */
    public Connection connect(String database) throws SQLException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, "handoff", "handoff");
            } catch (SQLException e) {
                if (!"53300".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Rows per table ({@code db.table -> count}) in every service database, Flyway's history left out. */
    public Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String database : names()) {
            try (Connection db = connect(database); Statement statement = db.createStatement()) {
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = statement.executeQuery("""
                        select table_name from information_schema.tables
                        where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'flyway_schema_history'
                        order by table_name""")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                for (String table : tables) {
                    try (ResultSet rs = statement.executeQuery("select count(*) from \"" + table + "\"")) {
                        rs.next();
                        counts.put(database + "." + table, rs.getLong(1));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("counting rows in " + database + ": " + e.getMessage(), e);
            }
        }
        return counts;
    }

    /** The rows of a query as maps of column name to value. */
    public List<Map<String, Object>> query(String database, String sql, Object... parameters) {
        try (Connection db = connect(database); var statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= columns; c++) {
                        row.put(rs.getMetaData().getColumnLabel(c), rs.getObject(c));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Differences between two snapshots of {@link #rowCounts()}: {@code table: before -> after}. */
    public static List<String> differences(Map<String, Long> before, Map<String, Long> after) {
        List<String> changed = new ArrayList<>();
        for (var entry : after.entrySet()) {
            long was = before.getOrDefault(entry.getKey(), 0L);
            if (was != entry.getValue()) {
                changed.add(entry.getKey() + ": " + was + " -> " + entry.getValue());
            }
        }
        return changed;
    }
}
