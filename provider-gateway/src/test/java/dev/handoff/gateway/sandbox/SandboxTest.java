package dev.handoff.gateway.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox on its own, with real bubblewrap: what a command inside it can see, write and reach. */
class SandboxTest {

    @TempDir
    Path dir;

    @Test
    void withoutANetworkTheAgentGetsNoProxyAndReachesNothing() throws Exception {
        Sandbox sandbox = new Sandbox(config("none"));
        assertEquals(Optional.empty(), sandbox.problem());
        Path worktree = Files.createDirectory(dir.resolve("repo"));
        Path prompt = Files.writeString(dir.resolve("prompt.md"), "the prompt");
        Path secret = Files.writeString(dir.resolve("secret.txt"), "secret");
        String script = String.join("; ",
                "env | cut -d= -f1 | sort | tr '\\n' ' ' > env.txt",
                "cat \"$HANDOFF_PROMPT_FILE\" > prompt-copy.txt",
                "(echo x >> \"$HANDOFF_PROMPT_FILE\") 2>/dev/null && echo prompt-writable >> found.txt",
                "cat " + secret + " > /tmp/copy 2>/dev/null && echo secret-readable >> found.txt",
                "touch /usr/evil 2>/dev/null && echo usr-writable >> found.txt",
                "touch /evil 2>/dev/null && echo root-writable >> found.txt",
                "touch \"$HOME/ok\" && touch /tmp/ok && echo home-and-tmp >> wrote.txt",
                "(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && echo loopback >> found.txt",
                "(exec 3<>/dev/tcp/1.1.1.1/443) 2>/dev/null && echo internet >> found.txt",
                "ls /proc | grep -c '^[0-9]' > processes.txt",
                "true");

        try (Sandbox.Launch launch = sandbox.launch(script, null, worktree, prompt,
                Map.of("PATH", "/usr/bin:/bin", "HOME", "/root", "HANDOFF_PROMPT_FILE", prompt.toString(), "HANDOFF_RUN_ID", "r1"),
                "test")) {
            assertEquals(null, launch.proxy());
            assertFalse(String.join(" ", launch.argv()).contains("socat"));
            ProcessBuilder builder = new ProcessBuilder(launch.argv()).directory(worktree.toFile())
                    .redirectInput(prompt.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
            builder.environment().clear();
            builder.environment().putAll(launch.env());
            Process process = builder.start();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), Files.readString(dir.resolve("log")));
        }
        assertEquals("HANDOFF_PROMPT_FILE HANDOFF_RUN_ID HOME PATH PWD SHLVL _", Files.readString(worktree.resolve("env.txt")).strip());
        assertEquals("the prompt", Files.readString(worktree.resolve("prompt-copy.txt")));
        assertEquals("the prompt", Files.readString(prompt), "the prompt is read-only");
        assertFalse(Files.exists(worktree.resolve("found.txt")), () -> read(worktree.resolve("found.txt")));
        assertEquals("home-and-tmp", Files.readString(worktree.resolve("wrote.txt")).strip());
        assertTrue(Integer.parseInt(Files.readString(worktree.resolve("processes.txt")).strip()) < 10, "only the sandbox's processes");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    static SandboxConfig config(String network) {
        return new SandboxConfig() {
            @Override
            public String mode() {
                return "on";
            }

            @Override
            public String network() {
                return network;
            }

            @Override
            public Optional<List<Integer>> loopbackPorts() {
                return Optional.empty();
            }

            @Override
            public String bwrap() {
                return "bwrap";
            }

            @Override
            public String socat() {
                return "socat";
            }

            @Override
            public Optional<List<String>> readPaths() {
                return Optional.empty();
            }
        };
    }
}
