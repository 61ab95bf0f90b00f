package dev.handoff.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A small real project in a bare git repository: the origin the local provider clones and pushes to. */
public final class SampleRepo {

    private static final Map<String, String> FILES = Map.of(
            "README.md", """
                    # greeter

                    A tiny command-line greeter.

                        python3 -m greeter Ada      # Hello, Ada!
                    """,
            "greeter/__init__.py", """
                    def greet(name: str) -> str:
                        return f"Hello, {name}!"
                    """,
            "greeter/__main__.py", """
                    import sys

                    from greeter import greet

                    if __name__ == "__main__":
                        print(greet(sys.argv[1] if len(sys.argv) > 1 else "world"))
                    """,
            "tests/test_greeter.py", """
                    from greeter import greet


                    def test_greets_by_name():
                        assert greet("Ada") == "Hello, Ada!"
                    """);

    private SampleRepo() {
    }

    /** Creates {@code <repos>/<name>.git} with one commit on {@code main}, unless it exists; returns its file:// URL. */
    public static String ensure(Path repos, String name) {
        Path bare = repos.resolve(name + ".git").toAbsolutePath();
        if (!Files.isDirectory(bare.resolve("refs"))) {
            try {
                Files.createDirectories(repos);
                Path work = Files.createTempDirectory("handoff-sample-");
                git(repos, "init", "-q", "--bare", "-b", "main", bare.toString());
                git(work, "init", "-q", "-b", "main");
                for (var file : FILES.entrySet()) {
                    Path path = work.resolve(file.getKey());
                    Files.createDirectories(path.getParent() == null ? work : path.getParent());
                    Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
                }
                git(work, "add", "-A");
                git(work, "-c", "user.name=Handoff Demo", "-c", "user.email=demo@handoff.local", "commit", "-q", "-m",
                        "A tiny greeter");
                git(work, "push", "-q", bare.toUri().toString(), "main");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the sample repository", e);
            }
        }
        return "file://" + bare;
    }

    /** Runs git in a folder and returns its standard output; fails on a non-zero exit. */
    public static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("git is needed (apt-get install -y git)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
