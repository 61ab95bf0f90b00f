package dev.handoff.gateway.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent process on its own: its environment, its process tree, and agents orphaned by a crashed gateway. */
class AgentProcessTest {

    @TempDir
    Path dir;

    @Test
    void killingTheTreeStopsTheAgentAndWhatItStartedInTheBackground() throws Exception {
        Path prompt = Files.writeString(dir.resolve("prompt.md"), "hello");
        Path pids = dir.resolve("pids");
        Path orphanPid = dir.resolve("orphan-pid");
        AgentProcess agent = AgentProcess.start("(sleep 300 & echo $! > " + orphanPid + "); sleep 300 & echo $! > " + pids + "; wait", dir,
                Map.of("PATH", System.getenv("PATH")), prompt, (line, cut) -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && Files.size(pids) > 0);
        ProcessHandle child = ProcessHandle.of(Long.parseLong(Files.readString(pids).strip())).orElseThrow();
        ProcessHandle root = ProcessHandle.of(agent.pid()).orElseThrow();

        agent.killTree(Duration.ofSeconds(2));

        await().atMost(Duration.ofSeconds(10)).until(() -> !child.isAlive() && !root.isAlive());
        // the double-forked sleep left the tree at once but not the process group: it is gone too (a zombie at most,
        // waiting for init to reap it)
        long doubleForked = Long.parseLong(Files.readString(orphanPid).strip());
        await().atMost(Duration.ofSeconds(10)).until(() -> !running(doubleForked));
    }

    @Test
    void anAgentOrphanedByACrashedGatewayIsStoppedButALiveGatewaysAgentIsNot() throws Exception {
        // an orphan: started by a shell that exited at once, so its parent is no Java process any more
        Process shell = new ProcessBuilder("bash", "-c", "setsid sleep 300 > /dev/null 2>&1 & echo $!").start();
        long orphanPid = Long.parseLong(new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        shell.waitFor(10, TimeUnit.SECONDS);
        ProcessHandle orphan = ProcessHandle.of(orphanPid).orElseThrow();
        Path orphanMarker = marker("orphan", orphan);

        // the agent of a live gateway: this JVM is its parent
        Process live = new ProcessBuilder("sleep", "300").start();
        Path liveMarker = marker("live", live.toHandle());
        try {
            assertTrue(AgentProcess.stopOrphan(orphanMarker));
            await().atMost(Duration.ofSeconds(10)).until(() -> !orphan.isAlive());

            assertFalse(AgentProcess.stopOrphan(liveMarker));
            assertTrue(live.isAlive());

            // a marker whose pid now belongs to another process (other start time) is ignored
            Path reused = Files.writeString(dir.resolve("reused"), live.pid() + " 12345");
            assertFalse(AgentProcess.stopOrphan(reused));
            assertTrue(live.isAlive());
        } finally {
            live.destroyForcibly();
            orphan.destroyForcibly();
        }
    }

    /** Alive and not a zombie. */
    private static boolean running(long pid) throws Exception {
        Process ps = new ProcessBuilder("ps", "-o", "stat=", "-p", String.valueOf(pid)).start();
        String state = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        ps.waitFor(10, TimeUnit.SECONDS);
        return !state.isEmpty() && !state.startsWith("Z");
    }

    private Path marker(String name, ProcessHandle process) throws Exception {
        long started = process.info().startInstant().orElseThrow().toEpochMilli();
        return Files.writeString(dir.resolve(name), process.pid() + " " + started);
    }
}
