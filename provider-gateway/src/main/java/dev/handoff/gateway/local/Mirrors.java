package dev.handoff.gateway.local;

import dev.handoff.gateway.sandbox.RunFiles;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The workspaces' mirrors of the repositories their local runs clone ({@code HANDOFF_LOCAL_MIRRORS}, on by default):
 * one bare repository per workspace and repository URL, {@code <work dir>/mirrors/<workspace>/<sha-256 of the URL>.git},
 * filled by the first run and brought up to date with a {@code git fetch} of the run's branch by each later one, so that
 * a run no longer downloads the whole repository again. A mirror is never shared between workspaces, even for the same
 * URL, and only Handoff's own git (outside the sandbox) writes to it; a run's git folder borrows its objects
 * (alternates), and its agent sees them read-only.
 *
 * <p>Fetches into one mirror take turns (a lock of this process and a file lock, for another gateway on the same work
 * folder); runs then share it. A run holds its mirror for its whole life ({@link Lease}): a mirror is replaced only
 * when no run of this gateway uses it. A mirror whose fetch fails is rebuilt beside it and replaces it once the fresh
 * one is complete; when that cannot be done, the run clones on its own as before, so a broken mirror never fails a run.
 * No automatic {@code gc} runs during a fetch; {@code gc --auto} runs only while no run uses the mirror.
 */
final class Mirrors {

    /** Mirrors turned off: every run clones on its own. */
    static final Mirrors OFF = new Mirrors(null);

    private final Path root;
    private final Map<Path, Guard> guards = new ConcurrentHashMap<>();

    /** Mirrors under {@code root} ({@code <work dir>/mirrors}); null: turned off. */
    Mirrors(Path root) {
        this.root = root;
    }

    boolean enabled() {
        return root != null;
    }

    /** Who may fetch into or replace a mirror, in this process. */
    private static final class Guard {
        final ReentrantLock fetch = new ReentrantLock();
        final ReentrantReadWriteLock use = new ReentrantReadWriteLock();
    }

    /** A run's hold on a mirror, from its clone to its end; released on the thread that took it. */
    final class Lease implements AutoCloseable {

        private final Path path;
        private final Guard guard;
        private final boolean created;
        private boolean closed;

        private Lease(Path path, Guard guard, boolean created) {
            this.path = path;
            this.guard = guard;
            this.created = created;
        }

        Path path() {
            return path;
        }

        /** The mirror's objects, which a run's git folder borrows and its agent sees read-only. */
        Path objects() {
            return path.resolve("objects");
        }

        /** Whether this run filled the mirror (a first run), rather than brought it up to date. */
        boolean created() {
            return created;
        }

        /**
         * The run could not clone or check out from the mirror: it lets go, and the mirror is removed if no other run
         * uses it (the next run builds it again).
         */
        void broken(String why) {
            close();
            Log.warnf("the mirror %s cannot be used (%s); it is rebuilt by the next run", path, why);
            try {
                withFetchLock(path, guard, () -> {
                    if (guard.use.writeLock().tryLock()) {
                        try {
                            RunFiles.delete(path);
                        } finally {
                            guard.use.writeLock().unlock();
                        }
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                Log.warnf("removing the mirror %s: %s", path, e.toString());
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                guard.use.readLock().unlock();
            }
        }
    }

    /** Where a workspace's mirror of {@code url} is. */
    Path pathOf(String workspace, String url) {
        return root.resolve(folderName(workspace)).resolve(sha256(url) + ".git");
    }

    /**
     * The workspace's mirror of {@code url}, with {@code branch} as the origin has it now: made by a first fetch, or
     * brought up to date. Empty when mirrors are off or no usable mirror could be had (the run then clones on its own,
     * which reports what is wrong with the origin, if anything).
     */
    Optional<Lease> prepare(Git git, String workspace, String url, String branch) {
        if (!enabled()) {
            return Optional.empty();
        }
        Path path = pathOf(workspace, url);
        Guard guard = guards.computeIfAbsent(path, p -> new Guard());
        try {
            return withFetchLock(path, guard, () -> {
                boolean exists = Files.isDirectory(path);
                if (exists && fetch(git, path, url, branch)) {
                    autoGc(git, path, guard);
                    guard.use.readLock().lock();
                    return Optional.of(new Lease(path, guard, false));
                }
                // none yet, or its fetch failed: a fresh one is built beside it and replaces it when complete
                if (exists && !guard.use.writeLock().tryLock()) {
                    Log.warnf("the mirror %s could not be brought up to date and other runs use it: this run clones on its own",
                            path);
                    return Optional.<Lease>empty();
                }
                Path fresh = path.resolveSibling(path.getFileName() + ".new-" + UUID.randomUUID());
                try {
                    if (!fill(git, fresh, url, branch)) {
                        return Optional.<Lease>empty();
                    }
                    if (exists) {
                        Log.warnf("the mirror %s could not be brought up to date; it was rebuilt", path);
                        RunFiles.delete(path);
                    }
                    Files.move(fresh, path, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    RunFiles.delete(fresh);
                    if (exists) {
                        guard.use.writeLock().unlock();
                    }
                }
                guard.use.readLock().lock();
                return Optional.of(new Lease(path, guard, true));
            });
        } catch (RuntimeException e) {
            if (e instanceof Git.Cancelled) {
                throw e;
            }
            Log.warnf("the mirror %s could not be prepared, the run clones on its own: %s", path, e.toString());
            return Optional.empty();
        }
    }

    private interface Locked<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} while this thread alone, in this process and others, may fetch into the mirror at {@code path}. */
    private static <T> T withFetchLock(Path path, Guard guard, Locked<T> work) {
        guard.fetch.lock();
        try {
            Files.createDirectories(path.getParent());
            Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return work.run();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            guard.fetch.unlock();
        }
    }

    /**
     * Makes a mirror with the origin's {@code branch}: a bare clone of that branch (one transfer whose pack git checks
     * while it indexes it, where a fetch into an empty repository walks the whole history once more afterwards), whose
     * record of the origin is dropped before the folder becomes the mirror: the URL is not kept in a mirror.
     */
    private static boolean fill(Git git, Path path, String url, String branch) throws IOException {
        Files.createDirectories(path.getParent());
        Git.Result clone = git.run(path.getParent(), "clone", "--quiet", "--bare", "--no-tags", "--single-branch",
                "--branch", branch, "--", url, path.toString());
        if (!clone.ok()) {
            Log.infof("making the mirror %s failed: %s", path, clone.lastLine());
            return false;
        }
        Git inMirror = git.in(path, null);
        Git.Result forget = inMirror.run(path, "config", "--remove-section", "remote.origin");
        if (!forget.ok()) {
            Log.warnf("the mirror %s could not forget its origin: %s", path, forget.lastLine());
            return false;
        }
        return readable(inMirror, path, "refs/heads/" + branch);
    }

    /**
     * Fetches the origin's {@code branch} into the mirror (the URL is given each time and never stored in the mirror;
     * no FETCH_HEAD, no automatic gc), and checks that its commit can be read.
     */
    private static boolean fetch(Git git, Path mirror, String url, String branch) {
        Git inMirror = git.in(mirror, null);
        String ref = "refs/heads/" + branch;
        Git.Result fetch = inMirror.run(mirror, "fetch", "--quiet", "--no-tags", "--no-auto-gc", "--no-write-fetch-head",
                "--", url, "+" + ref + ":" + ref);
        if (!fetch.ok()) {
            Log.infof("fetching into the mirror %s failed: %s", mirror, fetch.lastLine());
            return false;
        }
        return readable(inMirror, mirror, ref);
    }

    /**
     * Whether the mirror reads {@code ref}'s tree without a complaint: a damaged pack (a file of the mirror's objects
     * overwritten) makes git say so on every command even when a fetch brought the objects again, and each of the run's
     * git commands would print it; such a mirror is built again.
     */
    private static boolean readable(Git inMirror, Path mirror, String ref) {
        Git.Result tree = inMirror.run(mirror, "rev-parse", "--quiet", "--verify", ref + "^{tree}");
        boolean clean = tree.ok() && tree.output().strip().matches("[0-9a-f]{40}|[0-9a-f]{64}");
        if (!clean) {
            Log.warnf("the mirror %s cannot read its %s: %s", mirror, ref, tree.lastLine());
        }
        return clean;
    }

    /** Lets git tidy the mirror (pack loose objects, join packs) when it wants to and no run of this gateway uses it. */
    private static void autoGc(Git git, Path mirror, Guard guard) {
        if (guard.use.writeLock().tryLock()) {
            try {
                git.in(mirror, null).run(mirror, "-c", "gc.autoDetach=false", "gc", "--auto", "--quiet");
            } finally {
                guard.use.writeLock().unlock();
            }
        }
    }

    /**
     * A workspace id as a folder name: itself when it is a plain name, else {@code ~} and its hash (never a path of its
     * own, and never the name of a plain id, which cannot start with {@code ~}: no workspace can be given another's
     * folder by its choice of id).
     */
    static String folderName(String workspace) {
        return workspace.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}") ? workspace : "~" + sha256(workspace);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
