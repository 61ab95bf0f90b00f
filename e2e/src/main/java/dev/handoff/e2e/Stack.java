package dev.handoff.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Drives the local stack through the {@code ./handoff} script, exactly as a person would. */
public final class Stack {

    private final Path root;
    private final Map<String, String> env;

    public Stack(Path root, Map<String, String> env) {
        this.root = root;
        this.env = new HashMap<>(env);
    }

    public static Path rootFromEnvironment() {
        String root = System.getenv("HANDOFF_ROOT");
        return Path.of(root != null ? root : ".").toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Where this stack keeps its state (logs, repositories, keys). */
    public Path state() {
        return Path.of(env.getOrDefault("HANDOFF_STATE", root.resolve(".handoff").toString()));
    }

    public void up() {
        run(List.of("up"), true, 300);
    }

    public void down() {
        run(List.of("down"), true, 120);
    }

    public String token(String workspace, boolean admin) {
        List<String> args = new ArrayList<>(List.of("token", workspace));
        if (admin) {
            args.add("--admin");
        }
        return run(args, false, 60).trim();
    }

    private String run(List<String> args, boolean inheritOutput, int timeoutSeconds) {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("handoff").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().putAll(env);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        if (inheritOutput) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        }
        try {
            Process process = builder.start();
            String out = inheritOutput ? "" : new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("./handoff " + String.join(" ", args) + " timed out");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("./handoff " + String.join(" ", args) + " failed with " + process.exitValue());
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
