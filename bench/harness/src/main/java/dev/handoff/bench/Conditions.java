package dev.handoff.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How busy the machine was during each phase: the load average at its start and end, and where the CPU time went
 * (/proc/stat against the bench's own processes and the PostgreSQL server, which other people's tests share).
 * Processes that end during a phase take their CPU time with them: the shares are then a little low.
 */
final class Conditions {

    /** One phase: its duration, load, and the share of the machine's CPU time (all cores) each party used. */
    record Phase(String name, double seconds, String loadStart, String loadEnd, double busyPct, double benchPct,
            double postgresPct, String pgConnectionsStart, String pgConnectionsEnd, Map<String, Integer> logged) {

        double othersPct() {
            return Math.max(0, busyPct - benchPct - postgresPct);
        }
    }

    private final Supplier<List<Long>> benchPids;
    private final List<Phase> phases = new ArrayList<>();
    private LogScan logs;

    Conditions(Supplier<List<Long>> benchPids) {
        this.benchPids = benchPids;
    }

    /** From now on, each phase also counts what the services logged at WARN/ERROR. */
    void watchLogs(LogScan scan) {
        this.logs = scan;
    }

    /** PostgreSQL's connections in use (all databases, everyone's) of its max_connections, or "?". */
    static String pgConnections() {
        String out = Proc.run(java.nio.file.Path.of("/"), "env", "PGPASSWORD=handoff", "psql", "-h", "127.0.0.1", "-U", "handoff",
                "-d", "postgres", "-w", "-Atc", "select count(*) || ' of ' || current_setting('max_connections') from pg_stat_activity");
        return out.isBlank() ? "?" : out.trim();
    }

    List<Phase> phases() {
        return phases;
    }

    /** Starts measuring a phase; close the answer when the phase ends. */
    Meter start(String name) {
        return new Meter(name);
    }

    private static Map<Long, Long> ticks(List<Long> pids) {
        Map<Long, Long> ticks = new HashMap<>();
        for (long pid : pids) {
            ticks.put(pid, Proc.cpuTicks(pid));
        }
        return ticks;
    }

    private static long used(Map<Long, Long> before, List<Long> pidsNow) {
        long used = 0;
        for (long pid : pidsNow) {
            used += Math.max(0, Proc.cpuTicks(pid) - before.getOrDefault(pid, 0L));
        }
        return used;
    }

    final class Meter implements AutoCloseable {
        private final String name;
        private final long started = System.nanoTime();
        private final String loadStart = Proc.loadavg();
        private final long[] machine = Proc.machineTicks();
        private final Map<Long, Long> bench = ticks(benchPids.get());
        private final Map<Long, Long> postgres = ticks(Proc.pidsNamed("postgres"));
        private final String pgStart = pgConnections();

        private Meter(String name) {
            this.name = name;
        }

        @Override
        public void close() {
            long[] now = Proc.machineTicks();
            long total = Math.max(1, now[0] - machine[0]);
            long busy = total - (now[1] - machine[1]);
            long benchUsed = used(bench, benchPids.get());
            long postgresUsed = used(postgres, Proc.pidsNamed("postgres"));
            phases.add(new Phase(name, (System.nanoTime() - started) / 1e9, loadStart, Proc.loadavg(),
                    100.0 * busy / total, 100.0 * benchUsed / total, 100.0 * postgresUsed / total, pgStart, pgConnections(),
                    logs == null ? Map.of() : logs.scan()));
        }
    }
}
