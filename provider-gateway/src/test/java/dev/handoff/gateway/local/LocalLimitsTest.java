package dev.handoff.gateway.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.gateway.LocalPullRequest;
import dev.handoff.gateway.TestRuns;
import dev.handoff.gateway.sandbox.Sandbox;
import dev.handoff.gateway.service.RunUpdate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local provider's size limits, on real git and real agent processes (unconfined here: the sandbox has tests of
 * its own): the worktree cap stops an agent that fills the disk, and git's output (the pull request's diff) is read
 * through a bounded buffer.
 */
class LocalLimitsTest {

    private static final long ONE_MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private final List<LocalPullRequest> pullRequests = new CopyOnWriteArrayList<>();

    @Test
    void anAgentWhoseWorktreeGrowsBeyondTheCapIsStoppedAndTheRunFailsWithWorktreeTooLarge() throws Exception {
        Path after = dir.resolve("still-running");
        long started = System.nanoTime();
        // writes 3 MiB, then would keep going for a minute
        List<RunUpdate> updates = run("head -c 3145728 /dev/zero > big.bin; sleep 60; touch " + after, ONE_MIB);

        RunUpdate last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.FAILED, last.status(), () -> "updates: " + updates);
        assertEquals("worktree-too-large", last.error().code());
        assertTrue(last.error().message().contains("HANDOFF_LOCAL_MAX_WORKTREE_BYTES"), last.error().message());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "stopped within seconds, not at the timeout");
        // a surviving agent would be sleeping, then touch the file: none is
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !Files.exists(after));
    }

    @Test
    void aWorktreeOverTheCapWhenTheAgentEndsFailsTheRunToo() throws Exception {
        List<RunUpdate> updates = run("head -c 3145728 /dev/zero > big.bin", ONE_MIB);

        RunUpdate last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.FAILED, last.status(), () -> "updates: " + updates);
        assertEquals("worktree-too-large", last.error().code());
        assertTrue(pullRequests.isEmpty(), "nothing was committed or opened");
    }

    @Test
    void aHugeDiffIsCutAtOneMibWhileItIsRead() throws Exception {
        // 6 MiB of text: its diff is over 6 MiB
        List<RunUpdate> updates = run("yes 'a line of the agent output, long enough' | head -c 6291456 > big.txt", 64 * ONE_MIB);

        RunUpdate last = updates.get(updates.size() - 1);
        assertEquals(RunStatus.COMPLETED, last.status(), () -> "updates: " + updates);
        assertEquals(1, pullRequests.size());
        String diff = pullRequests.get(0).diff();
        assertTrue(diff.endsWith("... (diff truncated at 1 MiB; the branch has it all)\n"), diff.substring(diff.length() - 200));
        assertTrue(diff.length() <= ONE_MIB + 100, "diff of " + diff.length() + " characters");
        assertTrue(diff.startsWith("diff --git a/big.txt b/big.txt"), diff.substring(0, 100));
    }

    @Test
    void boundedOutputKeepsTheHeadAndTheTailOfALongStream() {
        BoundedOutput output = new BoundedOutput(1000, 100);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            all.append("line ").append(i).append('\n');
        }
        output.drain(new ByteArrayInputStream(all.toString().getBytes(StandardCharsets.UTF_8)));

        assertTrue(output.truncated());
        assertEquals(all.length(), output.total());
        assertEquals(all.substring(0, 1000), output.head());
        assertTrue(all.toString().endsWith(output.tail()) && output.tail().endsWith("line 99999\n"), output.tail());
        assertEquals(100, output.tail().length());

        BoundedOutput small = new BoundedOutput(1000, 100);
        small.drain(new ByteArrayInputStream("h\u00e9llo\n".getBytes(StandardCharsets.UTF_8)));
        assertFalse(small.truncated());
        assertEquals("h\u00e9llo\n", small.head());
        assertEquals("h\u00e9llo\n", small.tail());

        // a character cut by the head's end is left out, never half-decoded
        BoundedOutput cut = new BoundedOutput(2, 0);
        cut.drain(new ByteArrayInputStream("a\u00e9".getBytes(StandardCharsets.UTF_8)));
        assertEquals("a", cut.head());
    }

    @Test
    void theWorktreeMeasureStopsCountingOnceOverTheLimit() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree/sub"));
        Files.write(tree.resolve("a"), new byte[4000]);
        Files.write(dir.resolve("tree/b"), new byte[3000]);
        Files.createSymbolicLink(dir.resolve("tree/link"), Path.of("/usr"));
        assertEquals(7000, WorktreeWatcher.size(dir.resolve("tree"), Long.MAX_VALUE), "links are not followed");
        assertTrue(WorktreeWatcher.size(dir.resolve("tree"), 1000) > 1000);
        assertEquals(0, WorktreeWatcher.size(dir.resolve("missing"), 1000));
    }

    private List<RunUpdate> run(String agentCommand, long maxWorktreeBytes) throws Exception {
        String origin = TestRuns.newOrigin();
        RunRequested request = TestRuns.request("gw-unit", "local", "A limits task " + UUID.randomUUID(), origin, null);
        List<RunUpdate> updates = new ArrayList<>();
        LocalRun.Settings settings = new LocalRun.Settings(dir.resolve("work"), Optional.of(agentCommand), Optional.empty(),
                Duration.ofSeconds(90), Duration.ofSeconds(1), "http://gateway.test",
                Map.of("PATH", System.getenv("PATH"), "HOME", System.getProperty("user.home"), "LANG", "C.UTF-8"),
                new RepositoryPolicy(List.of(TestRuns.REPO_ROOT.toString()), List.of()),
                new GitHubPullRequests("https://api.github.com", Optional.empty()),
                new Sandbox(SandboxUnavailableTest.config("off", "bwrap")), maxWorktreeBytes, Duration.ofMillis(200));
        Files.createDirectories(settings.workRoot());
        new LocalRun(request, settings, new LocalRun.Host() {
            @Override
            public void report(UUID runId, RunUpdate update) {
                updates.add(update);
            }

            @Override
            public void savePullRequest(LocalPullRequest pullRequest) {
                pullRequests.add(pullRequest);
            }
        }).run();
        return updates;
    }
}
