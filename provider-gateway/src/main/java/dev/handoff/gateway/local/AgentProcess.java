package dev.handoff.gateway.local;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The operator's agent command, with the prompt file on stdin, its output (stdout and stderr, as one stream in the
 * order it was printed) read line by line as it comes, and a given environment only:
 * either inside the sandbox (bubblewrap, whose PID namespace holds every process the agent starts) or, when the
 * operator turned the sandbox off, as {@code bash -c} in its own session (so in its own process group). Stopping it
 * stops its whole tree.
 */
final class AgentProcess {

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /** A file in the run's folder naming the running agent ({@code <pid> <start epoch millis>}), for a later restart. */
    static final String MARKER = "agent.process";

    /** The longest part of a line kept: the rest of a longer line is counted and dropped as it is read. */
    static final int MAX_LINE_CHARS = 4000;

    /** Receives the agent's lines, in order, on the agent's output thread. */
    interface Lines {
        /** One line without its line end; {@code cutChars} characters of it beyond {@link #MAX_LINE_CHARS} were dropped. */
        void line(String text, long cutChars);
    }

    private final Process process;
    private final boolean sandboxed;
    private final Thread output;

    private AgentProcess(Process process, boolean sandboxed, Lines lines) {
        this.process = process;
        this.sandboxed = sandboxed;
        this.output = new Thread(() -> pump(process.getInputStream(), lines), "agent-output-" + process.pid());
        this.output.setDaemon(true);
        this.output.start();
    }

    /**
     * Reads the agent's output as it is printed and hands on each line as soon as its line end arrives (a line still
     * open when the output ends is handed on too). Memory stays bounded whatever the agent prints: the decoder reads
     * 8 KiB at a time and a line keeps at most {@link #MAX_LINE_CHARS} characters, so a 50 MB line without a line end
     * costs 4,000 characters and a count.
     */
    static void pump(InputStream in, Lines lines) {
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            char[] chunk = new char[8192];
            StringBuilder line = new StringBuilder();
            long cut = 0;
            boolean open = false;
            int read;
            while ((read = reader.read(chunk)) >= 0) {
                int start = 0;
                for (int i = 0; i < read; i++) {
                    if (chunk[i] != '\n') {
                        continue;
                    }
                    cut = append(line, cut, chunk, start, i);
                    deliver(lines, line, cut);
                    line.setLength(0);
                    cut = 0;
                    open = false;
                    start = i + 1;
                }
                if (start < read) {
                    cut = append(line, cut, chunk, start, read);
                    open = true;
                }
            }
            if (open) {
                deliver(lines, line, cut);
            }
        } catch (IOException e) {
            Log.debugf("agent output ended: %s", e.toString());
        } catch (RuntimeException e) {
            Log.warnf(e, "reading the agent's output failed; the rest of it is not reported");
        }
    }

    /** Appends {@code chunk[from, to)} while the line has room; answers the count of characters dropped so far. */
    private static long append(StringBuilder line, long cut, char[] chunk, int from, int to) {
        int room = Math.max(0, MAX_LINE_CHARS - line.length());
        int take = Math.min(room, to - from);
        line.append(chunk, from, take);
        return cut + (to - from - take);
    }

    private static void deliver(Lines lines, StringBuilder line, long cut) {
        int end = line.length();
        if (cut > 0 && end > 0 && Character.isHighSurrogate(line.charAt(end - 1))) {
            end--; // never half a character at the cut
            cut++;
        }
        if (cut == 0 && end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        lines.line(line.substring(0, end), cut);
    }

    /**
     * Waits until the agent's output has been read to its end, at most {@code timeout}; false when something the agent
     * left behind still holds it open (its later lines are then not waited for).
     */
    boolean awaitOutput(Duration timeout) throws InterruptedException {
        output.join(Math.max(1, timeout.toMillis()));
        return !output.isAlive();
    }

    /** Starts bubblewrap's command line; {@code env} is the sandbox's whole environment (bubblewrap passes it on). */
    static AgentProcess startSandboxed(List<String> argv, Path workDir, Map<String, String> env, Path stdin, Lines lines)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        return new AgentProcess(builder.start(), true, lines);
    }

    static AgentProcess start(String command, Path workDir, Map<String, String> env, Path stdin, Lines lines) throws IOException {
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            argv.add(SETSID.toString());
        }
        argv.add("bash");
        argv.add("-c");
        argv.add(command);
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        return new AgentProcess(builder.start(), false, lines);
    }

    long pid() {
        return process.pid();
    }

    void writeMarker(Path marker) throws IOException {
        long started = process.toHandle().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        Files.writeString(marker, process.pid() + " " + started);
    }

    /**
     * Stops an agent left running by a gateway that died without stopping it (a crash, a kill -9): only when the
     * process named by the marker is the one that was started (same start time) and has lost its gateway (its parent
     * is no Java process any more), so that the agent of another live gateway sharing the folder is never touched.
     */
    static boolean stopOrphan(Path marker) {
        try {
            String[] parts = Files.readString(marker).strip().split(" ");
            long pid = Long.parseLong(parts[0]);
            long started = Long.parseLong(parts[1]);
            Optional<ProcessHandle> found = ProcessHandle.of(pid)
                    .filter(p -> p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L) == started)
                    .filter(p -> p.parent().flatMap(parent -> parent.info().command()).map(c -> !c.endsWith("java")).orElse(true));
            if (found.isEmpty()) {
                return false;
            }
            List<ProcessHandle> tree = new ArrayList<>(found.get().descendants().toList());
            tree.add(found.get());
            signalGroup(pid, "KILL");
            tree.forEach(ProcessHandle::destroyForcibly);
            return true;
        } catch (IOException | RuntimeException e) {
            Log.debugf("agent marker %s: %s", marker, e.toString());
            return false;
        }
    }

    /** How the wait ended. */
    enum Outcome { EXITED, TIMED_OUT, CANCELLED }

    /** Waits for the agent to exit, the timeout to pass, or {@code cancelled} to become true (checked twice a second). */
    Outcome await(Duration timeout, BooleanSupplier cancelled) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (cancelled.getAsBoolean()) {
                return Outcome.CANCELLED;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Outcome.TIMED_OUT;
            }
            if (process.waitFor(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 500), TimeUnit.MILLISECONDS)) {
                return Outcome.EXITED;
            }
        }
    }

    int exitCode() {
        return process.exitValue();
    }

    /**
     * Stops the agent and everything it started: SIGTERM to its process group and to every descendant (taken before
     * anything dies, since orphans leave the tree), then SIGKILL to whatever is still alive after {@code grace}.
     */
    void killTree(Duration grace) {
        if (sandboxed) {
            killSandbox(grace);
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        signalGroup("TERM");
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && tree.stream().anyMatch(ProcessHandle::isAlive)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        signalGroup("KILL");
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(grace.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM to every process in the sandbox (all are descendants of bubblewrap, even those that left their
     * session), then SIGKILL to bubblewrap after {@code grace}: the sandbox's pid 1 dies with it, and with pid 1 the
     * kernel kills everything left in the PID namespace.
     */
    private void killSandbox(Duration grace) {
        List<ProcessHandle> inside = process.descendants().toList();
        inside.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        // when the agent's own process ends, bubblewrap ends the sandbox and exits
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<ProcessHandle> left = process.descendants().toList();
        process.destroyForcibly();
        left.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(grace.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The agent runs under setsid, so its process group id is its pid. */
    private void signalGroup(String signal) {
        signalGroup(process.pid(), signal);
    }

    private static void signalGroup(long pid, String signal) {
        if (!Files.isExecutable(SETSID)) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            Log.debugf("kill -%s of process group %d: %s", signal, pid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
