package dev.handoff.gateway.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code git} for a local run, blocking (worker threads only), with a minimal environment: no prompts, only the
 * file, http(s) and ssh transports, and none of the gateway's settings. A GitHub token, when given, reaches git
 * through {@code GIT_CONFIG_*} variables of that one git process, never its arguments or a file.
 */
final class Git {

    static final String AUTHOR = "Handoff Agent";
    static final String EMAIL = "agent@handoff.invalid";
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final Map<String, String> env;

    Git(Map<String, String> baseEnv, String authorizationHeader) {
        Map<String, String> env = new HashMap<>(baseEnv);
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ALLOW_PROTOCOL", "file:https:http:ssh");
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
    }

    /** What a git command did: its exit code and its output (stdout and stderr together). */
    record Result(int exitCode, String output) {

        boolean ok() {
            return exitCode == 0;
        }

        /** The last non-empty line of the output, for a message. */
        String lastLine() {
            List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            return lines.isEmpty() ? "(no output)" : RunText.redactUrl(lines.get(lines.size() - 1));
        }
    }

    Result run(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.add("-c");
        command.add("core.hooksPath=/dev/null");
        command.addAll(List.of(args));
        Path output = null;
        try {
            output = Files.createTempFile("handoff-git", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(devNull()));
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return new Result(-1, "git " + args[0] + " did not finish within " + TIMEOUT.toMinutes() + " minutes");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, "git could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** Runs git and answers its output, or fails the run with {@code code} and {@code what} plus git's last line. */
    String ok(Path dir, String code, String what, String... args) {
        Result result = run(dir, args);
        if (!result.ok()) {
            throw new LocalRunFailure(code, what + ": " + result.lastLine());
        }
        return result.output();
    }

    boolean validBranchName(Path dir, String name) {
        return name != null && !name.isBlank() && !name.startsWith("-")
                && run(dir, "check-ref-format", "--branch", name).ok();
    }

    private static java.io.File devNull() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
