package dev.handoff.gateway.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

/**
 * Measures an agent's worktree while the agent runs, on a thread of its own every {@code interval}, so that an agent
 * filling the disk is stopped within seconds rather than at its timeout: {@link #over()} turns true once the worktree
 * holds more than {@code maxBytes}. A measurement stops counting as soon as it passes the cap, so it costs at most a
 * walk of {@code maxBytes} worth of files; symbolic links are not followed.
 */
final class WorktreeWatcher implements AutoCloseable {

    private final Path worktree;
    private final long maxBytes;
    private final Thread thread;
    private volatile boolean over;
    private volatile long measured;

    private WorktreeWatcher(Path worktree, long maxBytes, Duration interval) {
        this.worktree = worktree;
        this.maxBytes = maxBytes;
        this.thread = new Thread(() -> loop(interval), "worktree-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching; {@link #close()} stops. */
    static WorktreeWatcher start(Path worktree, long maxBytes, Duration interval) {
        WorktreeWatcher watcher = new WorktreeWatcher(worktree, maxBytes, interval);
        watcher.thread.start();
        return watcher;
    }

    /** Whether a measurement found the worktree over the cap. */
    boolean over() {
        return over;
    }

    /** Measures now (the agent has ended: its last writes count too); true when over the cap. */
    boolean checkNow() {
        measure();
        return over;
    }

    /** What the run's failure says. */
    LocalRunFailure failure() {
        return new LocalRunFailure(LocalRunFailure.WORKTREE_TOO_LARGE, "the agent's worktree grew beyond "
                + human(maxBytes) + " (HANDOFF_LOCAL_MAX_WORKTREE_BYTES; more than " + human(measured)
                + " were found), so the agent was stopped and nothing was committed");
    }

    @Override
    public void close() {
        thread.interrupt();
    }

    private void loop(Duration interval) {
        try {
            while (!over && !Thread.currentThread().isInterrupted()) {
                Thread.sleep(interval.toMillis());
                measure();
            }
        } catch (InterruptedException stopped) {
            // the agent ended
        }
    }

    private void measure() {
        long size = size(worktree, maxBytes);
        measured = size;
        if (size > maxBytes) {
            over = true;
        }
    }

    /** The bytes of the regular files under {@code root}, counted until the total passes {@code limit}. */
    static long size(Path root, long limit) {
        long[] total = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        total[0] += attributes.size();
                    }
                    return total[0] > limit ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // a file the agent removed meanwhile, or made unreadable: what is readable is counted
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // the worktree is gone (the run is ending): nothing to count
        }
        return total[0];
    }

    private static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }
}
