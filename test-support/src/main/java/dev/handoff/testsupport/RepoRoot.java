package dev.handoff.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository checkout the tests run in (the folder holding the {@code handoff} script). */
public final class RepoRoot {

    public static Path find() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("handoff")) && Files.isDirectory(dir.resolve("deploy/local"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("not inside a Handoff checkout: no ./handoff above " + Path.of("").toAbsolutePath());
    }

    private RepoRoot() {
    }
}
