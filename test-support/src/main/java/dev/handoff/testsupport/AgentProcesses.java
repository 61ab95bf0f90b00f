package dev.handoff.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The processes of a run's agent as the host sees them (inside its sandbox they have other pids): every process whose
 * environment holds the run's HANDOFF_RUN_ID, except bubblewrap's own two.
 */
public final class AgentProcesses {

    /** A process and its command line. */
    public record Found(ProcessHandle handle, String commandLine) {
    }

    private AgentProcesses() {
    }

    public static List<Found> of(UUID runId) {
        byte[] needle = ("HANDOFF_RUN_ID=" + runId).getBytes(StandardCharsets.UTF_8);
        List<Found> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (indexOf(Files.readAllBytes(proc.resolve("environ")), needle) < 0) {
                        continue;
                    }
                    String commandLine = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ').strip();
                    if (commandLine.isEmpty() || commandLine.split(" ")[0].endsWith("bwrap")) {
                        continue;
                    }
                    ProcessHandle.of(Long.parseLong(proc.getFileName().toString()))
                            .ifPresent(handle -> found.add(new Found(handle, commandLine)));
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    /** The run's live process whose command line contains {@code text}. */
    public static Optional<ProcessHandle> find(UUID runId, String text) {
        return of(runId).stream().filter(f -> f.commandLine().contains(text)).map(Found::handle).filter(ProcessHandle::isAlive)
                .findFirst();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
