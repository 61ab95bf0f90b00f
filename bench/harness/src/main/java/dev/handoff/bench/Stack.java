package dev.handoff.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The isolated bench stack, driven through {@code ./handoff} exactly as the end-to-end test does (its own state
 * folder, ports, Kafka broker and databases), so that nothing of a developer's stack is touched.
 */
final class Stack {

    /** The bench databases' suffix: {@code _bench}, or HANDOFF_BENCH_DB_SUFFIX for a second bench on one PostgreSQL. */
    static final String DB_SUFFIX = System.getenv().getOrDefault("HANDOFF_BENCH_DB_SUFFIX", "_bench");

    static final List<String> SERVICES = List.of("task-service", "agent-run-service", "provider-gateway", "notification-service");

    private final Path root;
    private final Path state;
    private final int offset;
    private final int kafkaPort;
    private final Map<String, String> env;

    Stack(Path root, Path state, int offset, int kafkaPort, Map<String, String> extraEnv) {
        this.root = root;
        this.state = state;
        this.offset = offset;
        this.kafkaPort = kafkaPort;
        this.env = new HashMap<>(extraEnv);
        env.put("HANDOFF_STATE", state.toString());
        env.put("HANDOFF_PORT_OFFSET", String.valueOf(offset));
        env.put("HANDOFF_KAFKA_PORT", String.valueOf(kafkaPort));
        env.put("HANDOFF_DB_SUFFIX", DB_SUFFIX);
        env.put("HANDOFF_NO_BUILD", "1");
    }

    Path root() {
        return root;
    }

    Path state() {
        return state;
    }

    int port(String service) {
        return 8081 + SERVICES.indexOf(service) + offset;
    }

    int tasksPort() {
        return port("task-service");
    }

    int runsPort() {
        return port("agent-run-service");
    }

    int gatewayPort() {
        return port("provider-gateway");
    }

    int notificationsPort() {
        return port("notification-service");
    }

    String kafka() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** {@code ./handoff up}; with {@code fresh} the bench databases are dropped and made again first. */
    void up(boolean fresh) {
        Map<String, String> upEnv = new HashMap<>(env);
        if (fresh) {
            upEnv.put("HANDOFF_DB_FRESH", "1");
        }
        handoff(upEnv, List.of("up"), 600);
    }

    void down() {
        handoff(env, List.of("down"), 180);
    }

    String token(String workspace, boolean admin) {
        List<String> args = new ArrayList<>(List.of("token", workspace, "--ttl", "86400"));
        if (admin) {
            args.add("--admin");
        }
        return handoff(env, args, 120).trim();
    }

    long pid(String service) {
        return readPid(state.resolve("run").resolve(service + ".pid"));
    }

    long kafkaPid() {
        return readPid(state.resolve("kafka").resolve("pid"));
    }

    Path log(String service) {
        return state.resolve("logs").resolve(service + ".log");
    }

    /** Stops one service (TERM, then KILL after 15 s) and removes its pid file, so that the next up starts it alone. */
    void stop(String service) {
        long pid = pid(service);
        ProcessHandle.of(pid).ifPresent(process -> {
            process.destroy();
            try {
                process.onExit().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
            }
        });
        try {
            Files.deleteIfExists(state.resolve("run").resolve(service + ".pid"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long readPid(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private String handoff(Map<String, String> environment, List<String> args, int timeoutSeconds) {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("handoff").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(state);
            Path log = state.resolve("handoff-commands.log");
            builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("./handoff " + String.join(" ", args) + " timed out; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("./handoff " + String.join(" ", args) + " failed (exit "
                        + process.exitValue() + "); see " + log);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ./handoff", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
