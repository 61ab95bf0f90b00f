package dev.handoff.gateway.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs {@code git} for a local run, blocking (worker threads only), with a minimal environment: no prompts, only the
 * file, http(s) and ssh transports, and none of the gateway's settings. It reads no system or global configuration
 * and runs no hook, fsmonitor or attribute-driven program; bound to Handoff's own git folder with {@link #in}, it reads
 * nothing of the agent's {@code .git} either. A GitHub token, when given, reaches git through {@code GIT_CONFIG_*}
 * variables of that one git process, never its arguments or a file. A cancelled run stops the git it is waiting for.
 */
final class Git {

    static final String AUTHOR = "Handoff Agent";
    static final String EMAIL = "agent@handoff.invalid";
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    /** The most of a git command's output kept in memory (its head); what is beyond is dropped. */
    static final int MAX_OUTPUT_BYTES = 1024 * 1024;
    /** The end of a long output, kept for the error message (git says what went wrong last). */
    private static final int TAIL_BYTES = 8 * 1024;
    private static final Duration PUMP_GRACE = Duration.ofSeconds(5);
    /** Settings that would otherwise let a repository run programs or read files of its choice. */
    private static final List<String> SAFE = List.of("core.hooksPath=/dev/null", "core.fsmonitor=false",
            "core.attributesFile=/dev/null", "core.excludesFile=/dev/null", "core.sshCommand=ssh -o BatchMode=yes",
            "core.askPass=", "credential.helper=", "commit.gpgSign=false", "tag.gpgSign=false", "push.gpgSign=false",
            "protocol.ext.allow=never", "submodule.recurse=false", "core.untrackedCache=false");

    /** The run was cancelled while git was working; git was stopped. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private final Map<String, String> env;
    private final BooleanSupplier cancelled;

    Git(Map<String, String> baseEnv, String authorizationHeader) {
        this(baseEnv, authorizationHeader, () -> false);
    }

    Git(Map<String, String> baseEnv, String authorizationHeader, BooleanSupplier cancelled) {
        Map<String, String> env = new HashMap<>(baseEnv);
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ALLOW_PROTOCOL", "file:https:http:ssh");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_ATTR_NOSYSTEM", "1");
        env.put("GIT_NO_REPLACE_OBJECTS", "1");
        env.put("GIT_AUTHOR_NAME", AUTHOR);
        env.put("GIT_AUTHOR_EMAIL", EMAIL);
        env.put("GIT_COMMITTER_NAME", AUTHOR);
        env.put("GIT_COMMITTER_EMAIL", EMAIL);
        env.put("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
        if (authorizationHeader != null) {
            env.put("GIT_CONFIG_COUNT", "1");
            env.put("GIT_CONFIG_KEY_0", "http.extraHeader");
            env.put("GIT_CONFIG_VALUE_0", "Authorization: " + authorizationHeader);
        }
        this.env = Map.copyOf(env);
        this.cancelled = cancelled;
    }

    private Git(Map<String, String> env, BooleanSupplier cancelled, Path gitDir, Path workTree) {
        Map<String, String> bound = new HashMap<>(env);
        bound.put("GIT_DIR", gitDir.toAbsolutePath().toString());
        if (workTree != null) {
            bound.put("GIT_WORK_TREE", workTree.toAbsolutePath().toString());
        }
        this.env = Map.copyOf(bound);
        this.cancelled = cancelled;
    }

    /**
     * This git, bound to a git folder (and a worktree): the folder's configuration is the only one read, whatever the
     * worktree holds (its {@code .git} is never looked at).
     */
    Git in(Path gitDir, Path workTree) {
        return new Git(env, cancelled, gitDir, workTree);
    }

    /**
     * What a git command did: its exit code and its output (stdout and stderr together), at most the cap it was run
     * with; {@code truncated} when git printed more ({@code lastLines} then holds the end of what it printed).
     */
    record Result(int exitCode, String output, boolean truncated, String lastLines) {

        Result(int exitCode, String output) {
            this(exitCode, output, false, output);
        }

        boolean ok() {
            return exitCode == 0;
        }

        /** The last non-empty line of the output, for a message. */
        String lastLine() {
            List<String> lines = lastLines.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            return lines.isEmpty() ? "(no output)" : RunText.redactUrl(lines.get(lines.size() - 1));
        }
    }

    /** The environment every git command of this instance gets (to check which credentials it carries). */
    Map<String, String> environment() {
        return env;
    }

    /** Runs git, keeping at most {@link #MAX_OUTPUT_BYTES} of its output. */
    Result run(Path dir, String... args) {
        return run(dir, MAX_OUTPUT_BYTES, args);
    }

    /**
     * Runs git, reading its output as it comes into a bounded buffer: the first {@code maxOutputBytes} and the last
     * few KiB are kept, the rest is counted and dropped, so no git output (a diff of a huge file, say) is ever held
     * whole in memory or on disk.
     */
    Result run(Path dir, int maxOutputBytes, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        SAFE.forEach(setting -> {
            command.add("-c");
            command.add(setting);
        });
        command.addAll(List.of(args));
        BoundedOutput output = new BoundedOutput(maxOutputBytes, TAIL_BYTES);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(devNull()));
            builder.environment().clear();
            builder.environment().putAll(env);
            if (!env.containsKey("GIT_DIR") && dir.toAbsolutePath().getParent() != null) {
                // outside a repository git would look for one in the folders above (the gateway's own checkout, say)
                builder.environment().put("GIT_CEILING_DIRECTORIES", dir.toAbsolutePath().getParent().toString());
            }
            Process process = builder.start();
            Thread pump = new Thread(() -> output.drain(process.getInputStream()), "git-output");
            pump.setDaemon(true);
            pump.start();
            try {
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                    if (cancelled.getAsBoolean()) {
                        stop(process);
                        throw new Cancelled();
                    }
                    if (System.nanoTime() > deadline) {
                        stop(process);
                        return new Result(-1, "git " + args[0] + " did not finish within " + TIMEOUT.toMinutes() + " minutes");
                    }
                }
                // a helper git started (ssh, say) may keep the pipe open a little after git itself exited
                pump.join(PUMP_GRACE.toMillis());
            } finally {
                process.getInputStream().close();
            }
            return new Result(process.exitValue(), output.head(), output.truncated(), output.tail());
        } catch (IOException e) {
            return new Result(-1, "git could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    private static void stop(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** Runs git and answers its output, or fails the run with {@code code} and {@code what} plus git's last line. */
    String ok(Path dir, String code, String what, String... args) {
        return okBounded(dir, MAX_OUTPUT_BYTES, code, what, args).output();
    }

    /** Like {@link #ok}, with the output kept up to {@code maxOutputBytes} ({@link Result#truncated()} says if cut). */
    Result okBounded(Path dir, int maxOutputBytes, String code, String what, String... args) {
        Result result = run(dir, maxOutputBytes, args);
        if (!result.ok()) {
            throw new LocalRunFailure(code, what + ": " + result.lastLine());
        }
        return result;
    }

    boolean validBranchName(Path dir, String name) {
        return name != null && !name.isBlank() && !name.startsWith("-")
                && run(dir, "check-ref-format", "--branch", name).ok();
    }

    private static java.io.File devNull() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
