package dev.handoff.gateway.sandbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's folder goes entirely, whatever the agent did to it, and nothing outside it goes with it. */
class RunFilesTest {

    @TempDir
    Path dir;

    @Test
    void lockedFoldersDeepTreesAndLinksAreDeletedWithoutFollowingALink() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path keep = Files.writeString(outside.resolve("keep.txt"), "keep");
        Path run = Files.createDirectories(dir.resolve("run"));
        Path repo = Files.createDirectories(run.resolve("repo"));
        Files.writeString(run.resolve("prompt.md"), "prompt");
        Files.writeString(run.resolve("agent.log"), "log");
        Path locked = Files.createDirectories(repo.resolve("locked/inner"));
        Files.writeString(locked.resolve("file"), "x");
        Path deep = repo;
        for (int i = 0; i < 200; i++) {
            deep = Files.createDirectories(deep.resolve("d"));
        }
        Files.createSymbolicLink(repo.resolve("link-to-outside"), outside);
        Files.createSymbolicLink(repo.resolve("link-to-file"), keep);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(locked.getParent(), PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(repo, PosixFilePermissions.fromString("r-x------"));

        assertTrue(RunFiles.delete(run));

        assertFalse(Files.exists(run));
        assertTrue(Files.exists(keep), "a link's target is never deleted");
        assertTrue(RunFiles.delete(run), "deleting what is gone is fine");
    }
}
