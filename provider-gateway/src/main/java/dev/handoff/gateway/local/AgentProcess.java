package dev.handoff.gateway.local;

import io.quarkus.logging.Log;
import java.io.IOException;
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
 * The operator's agent command, with the prompt file on stdin, output to a log file, and a given environment only:
 * either inside the sandbox (bubblewrap, whose PID namespace holds every process the agent starts) or, when the
 * operator turned the sandbox off, as {@code bash -c} in its own session (so in its own process group). Stopping it
 * stops its whole tree.
 */
final class AgentProcess {

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /** A file in the run's folder naming the running agent ({@code <pid> <start epoch millis>}), for a later restart. */
    static final String MARKER = "agent.process";

    private final Process process;
    private final boolean sandboxed;

    private AgentProcess(Process process, boolean sandboxed) {
        this.process = process;
        this.sandboxed = sandboxed;
    }

    /** Starts bubblewrap's command line; {@code env} is the sandbox's whole environment (bubblewrap passes it on). */
    static AgentProcess startSandboxed(List<String> argv, Path workDir, Map<String, String> env, Path stdin, Path log)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        return new AgentProcess(builder.start(), true);
    }

    static AgentProcess start(String command, Path workDir, Map<String, String> env, Path stdin, Path log) throws IOException {
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            argv.add(SETSID.toString());
        }
        argv.add("bash");
        argv.add("-c");
        argv.add(command);
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        return new AgentProcess(builder.start(), false);
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
