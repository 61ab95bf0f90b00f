package dev.handoff.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the sessions of one service's database are doing, sampled every 200 ms through one long-lived psql:
 * {@code pg_stat_activity} grouped by state and wait event. "active, Lock:advisory" = waiting for another
 * transaction's advisory lock; "idle in transaction, Client:ClientRead" = the database waits for the service between
 * two statements of an open transaction; "active, -" = running a statement.
 */
final class PgSampler implements AutoCloseable {

    private final String database;
    private final Map<String, Double> sums = new TreeMap<>();
    private Process psql;
    private Thread thread;
    private volatile boolean stopped;
    private volatile boolean paused;
    private int samples;

    PgSampler(String database) {
        this.database = database;
    }

    PgSampler start() {
        try {
            ProcessBuilder builder = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "handoff", "-d", "postgres", "-w", "-At", "-q")
                    .redirectErrorStream(true);
            builder.environment().put("PGPASSWORD", "handoff");
            psql = builder.start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("psql is needed", e);
        }
        PrintWriter in = new PrintWriter(psql.getOutputStream(), true, StandardCharsets.UTF_8);
        BufferedReader out = new BufferedReader(new InputStreamReader(psql.getInputStream(), StandardCharsets.UTF_8));
        thread = new Thread(() -> {
            try {
                while (!stopped) {
                    if (paused) {
                        Thread.sleep(50);
                        continue;
                    }
                    in.println("select s || '|' || n from (select coalesce(state, '-') || ', ' || coalesce(wait_event_type || ':' || wait_event, '-')"
                            + " as s, count(*) as n from pg_stat_activity where datname = '" + database + "' and pid <> pg_backend_pid()"
                            + " group by 1) t;");
                    in.println("\\echo ---");
                    Map<String, Integer> sample = new LinkedHashMap<>();
                    String line;
                    while ((line = out.readLine()) != null && !line.equals("---")) {
                        int bar = line.lastIndexOf('|');
                        if (bar > 0) {
                            sample.put(line.substring(0, bar), Integer.parseInt(line.substring(bar + 1).trim()));
                        }
                    }
                    if (line == null) {
                        return;
                    }
                    synchronized (sums) {
                        samples++;
                        sample.forEach((k, v) -> sums.merge(k, (double) v, Double::sum));
                    }
                    Thread.sleep(200);
                }
            } catch (Exception e) {
                // stopped
            }
        }, "pg-sampler");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Stops counting until {@link #resume()} (e.g. while the floor is measured). */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    /** The average number of sessions in each state over the samples, most first. */
    Map<String, Double> averages() {
        Map<String, Double> averages = new LinkedHashMap<>();
        synchronized (sums) {
            int n = Math.max(1, samples);
            sums.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                    .forEach(e -> averages.put(e.getKey(), e.getValue() / n));
        }
        return averages;
    }

    int samples() {
        synchronized (sums) {
            return samples;
        }
    }

    @Override
    public void close() {
        stopped = true;
        if (psql != null) {
            psql.destroy();
        }
        if (thread != null) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
