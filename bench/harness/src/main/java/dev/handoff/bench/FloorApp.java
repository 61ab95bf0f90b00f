package dev.handoff.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The launch floor as a process of its own: bench/floor-app (a bare Quarkus reactive endpoint doing one PostgreSQL
 * insert) on its own database, started with the same JVM options as the services.
 */
final class FloorApp implements AutoCloseable {

    static final String DATABASE = "handoff_floor" + Stack.DB_SUFFIX;

    private final Path jar;
    private final Path log;
    private final int port;
    private final String javaOpts;
    private Process process;

    FloorApp(Path root, Path state, int port, String javaOpts) {
        this.jar = root.resolve("bench/floor-app/target/quarkus-app/quarkus-run.jar");
        this.log = state.resolve("logs/floor-app.log");
        this.port = port;
        this.javaOpts = javaOpts;
    }

    int port() {
        return port;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    /** A fresh database for the floor's table, made by role handoff (it has CREATEDB). */
    static void freshDatabase(Path root) {
        for (String sql : List.of("drop database if exists " + DATABASE + " with (force)", "create database " + DATABASE)) {
            try {
                ProcessBuilder psql = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "handoff", "-d", "postgres", "-w",
                        "-v", "ON_ERROR_STOP=1", "-qAtc", sql).directory(root.toFile()).redirectErrorStream(true);
                psql.environment().put("PGPASSWORD", "handoff");
                psql.environment().put("PGOPTIONS", "-c client_min_messages=warning");
                Process p = psql.start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("psql " + sql + ": " + out);
                }
            } catch (IOException e) {
                throw new IllegalStateException("psql is needed for the floor's database", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Starts the floor app cold and answers its startup to ready. */
    Startup.Sample start() {
        List<String> command = new ArrayList<>();
        command.add("java");
        command.addAll(List.of(javaOpts.trim().split("\\s+")));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        builder.environment().put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:5432/" + DATABASE);
        try {
            log.getParent().toFile().mkdirs();
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the floor app", e);
        }
        double ready = Startup.awaitReady(port, process::pid, Duration.ofSeconds(120));
        return Startup.sample("floor-app", process.pid(), ready, log);
    }

    void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
