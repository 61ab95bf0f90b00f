package dev.handoff.gateway.sandbox;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Deletes what an agent left behind, whatever it did to it: unreadable or unwritable folders, links anywhere. */
public final class RunFiles {

    private RunFiles() {
    }

    /**
     * Deletes {@code root} and everything under it, never following a symbolic link. A folder the agent made
     * unreadable or unwritable ({@code chmod 000}) is made usable again before it is read; what Java cannot delete
     * (a tree too deep for a path) is left to {@code rm -rf}. Answers whether all is gone.
     */
    public static boolean delete(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        // post-order without recursion: an agent's folders may nest deeper than a thread's stack
        Deque<Path> stack = new ArrayDeque<>();
        Set<Path> opened = new HashSet<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Path path = stack.peek();
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) || !opened.add(path)) {
                stack.pop();
                deleteOne(path);
                continue;
            }
            openUp(path);
            try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                for (Path child : children) {
                    if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        stack.push(child);
                    } else {
                        deleteOne(child);
                    }
                }
            } catch (IOException e) {
                Log.debugf("listing %s: %s", path, e.toString());
            }
        }
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            shell("chmod", "-R", "u+rwX", "--", root.toString());
            shell("rm", "-rf", "--one-file-system", "--", root.toString());
        }
        return !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
    }

    /** Gives the owner full rights on a real folder (never through a link), so that it can be listed and emptied. */
    private static void openUp(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
        } catch (IOException | UnsupportedOperationException e) {
            Log.debugf("opening %s: %s", dir, e.toString());
        }
    }

    private static void deleteOne(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Log.debugf("deleting %s: %s", path, e.toString());
        }
    }

    private static void shell(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            Log.debugf("%s: %s", command[0], e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
