package dev.handoff.gateway.local;

import static dev.handoff.gateway.TestRuns.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.gateway.TestAssignments;
import dev.handoff.gateway.TestRuns;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workspace mirrors (issue 21) on real git, the real sandbox, Kafka and PostgreSQL: a later run fetches into the
 * workspace's mirror instead of cloning, and sees what was pushed meanwhile; two workspaces on one URL have a mirror
 * each and neither sees the other's; the sandboxed agent reads its mirror's objects and cannot write them; a corrupted
 * mirror is rebuilt and the run completes.
 */
@QuarkusTest
class LocalMirrorsTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
    private static final Mirrors MIRRORS = new Mirrors(TestRuns.WORK_DIR.resolve("mirrors"));

    @BeforeEach
    void consumersReady() {
        TestAssignments.awaitConsumersReady();
    }

    @Test
    void aLaterRunFetchesIntoTheMirrorAndSeesWhatWasPushedMeanwhile() throws Exception {
        String workspace = TestRuns.workspace();
        String origin = TestRuns.newOrigin();
        Path bare = TestRuns.originPath(origin);
        Path mirror = MIRRORS.pathOf(workspace, origin);

        RunRequested first = TestRuns.request(workspace, "local", "A first task", origin, null);
        List<String> firstSteps = completed(first);
        assertTrue(firstSteps.contains("cloning " + origin + " at branch main into the workspace's mirror"), firstSteps.toString());
        assertEquals(git(bare, "rev-parse", "main").strip(), git(mirror, "rev-parse", "main").strip());
        assertFalse(Files.exists(mirror.resolve("FETCH_HEAD")), "the URL is not left in the mirror");
        assertFalse(Files.readString(mirror.resolve("config")).contains(origin), "the URL is not stored in the mirror");
        // a mark that only survives if the second run reuses this mirror rather than cloning it again
        Path mark = Files.writeString(mirror.resolve("test-mark"), "kept");
        long packsBefore = objectFiles(mirror);

        String pushed = pushCommit(origin, "NEW.md", "pushed between the runs\n");
        RunRequested second = TestRuns.request(workspace, "local", "A second task", origin, null);
        List<String> secondSteps = completed(second);
        assertTrue(secondSteps.contains("fetching " + origin + " at branch main into the workspace's mirror"), secondSteps.toString());
        assertTrue(secondSteps.stream().noneMatch(s -> s.startsWith("cloning ")), "no clone: " + secondSteps);
        assertTrue(Files.exists(mark), "the mirror was reused, not made again");
        assertEquals(pushed, git(mirror, "rev-parse", "main").strip(), "the fetch brought the new commit");
        assertTrue(objectFiles(mirror) > packsBefore, "only the new objects were added");

        // the second run started from the commit pushed meanwhile: its branch is one commit on top of it
        String branch = TestRuns.updatesUntilFinal(second.runId(), RUN_TIMEOUT).stream().reduce((a, b) -> b).orElseThrow().branch();
        assertEquals(pushed, git(bare, "rev-parse", branch + "^").strip());
        assertTrue(git(bare, "show", branch + ":NEW.md").contains("pushed between the runs"));
        git(mirror, "fsck", "--no-dangling");
    }

    @Test
    void workspacesHaveAMirrorEachAndTheAgentCanReadButNotWriteItsOwn() throws Exception {
        String a = TestRuns.workspace();
        String b = TestRuns.workspace();
        String origin = TestRuns.newOrigin();
        Path bare = TestRuns.originPath(origin);
        // A's run works on a branch that is then deleted from the origin: only A's mirror still has its commit
        String privateCommit = pushCommit(origin, "PRIVATE.md", "only for workspace A\n", "a-private");
        RunRequested ofA = TestRuns.request(a, "local", "A task of A", origin, null);
        ofA = new RunRequested(ofA.eventId(), ofA.occurredAt(), a, ofA.runId(), ofA.taskId(), "local", origin, "a-private", null,
                ofA.instructions(), ofA.context());
        completed(ofA);
        git(bare, "branch", "-D", "a-private");
        Path mirrorA = MIRRORS.pathOf(a, origin);
        Path mirrorB = MIRRORS.pathOf(b, origin);
        assertNotEquals(mirrorA, mirrorB);
        git(mirrorA, "cat-file", "-e", privateCommit);

        Map<String, String> given = new LinkedHashMap<>();
        given.put("OWN_MIRROR", mirrorB.toString());
        given.put("OTHER_MIRROR", mirrorA.toString());
        given.put("PRIVATE_COMMIT", privateCommit);
        StringBuilder instructions = new StringBuilder("Probe the mirrors:\n");
        given.forEach((name, value) -> instructions.append(name).append('=').append(value).append('\n'));
        // B's first run makes its mirror; its second is the probe, on the mirror as later runs find it
        completed(TestRuns.request(b, "local", "A task of B", origin, null));
        String configBefore = Files.readString(mirrorB.resolve("config"));
        long objectsBefore = objectFiles(mirrorB);
        RunRequested probe = TestRuns.withInstructions(TestRuns.request(b, "local", "A mirror probe task", origin, null),
                instructions.toString());
        completed(probe);

        String branch = TestRuns.updatesUntilFinal(probe.runId(), RUN_TIMEOUT).stream().reduce((x, y) -> y).orElseThrow().branch();
        Map<String, String> report = new LinkedHashMap<>();
        git(bare, "show", branch + ":MIRROR_REPORT.txt").lines().forEach(line -> {
            int colon = line.indexOf(": ");
            report.put(line.substring(0, colon), line.substring(colon + 2));
        });
        // the agent's own git reads the borrowed objects: its HEAD and the whole tree
        assertEquals("0 " + git(bare, "rev-parse", "main").strip(), report.get("head").strip(), report.toString());
        assertTrue(report.get("own-tree").startsWith("0 ") && report.get("own-tree").contains("README.md"), report.toString());
        assertTrue(report.get("list-objects").startsWith("0 "), "the mirror's objects are shown: " + report);
        // nothing of A: not its commit, not its mirror
        assertFalse(report.get("read-private").startsWith("0 "), "B read A's commit: " + report.get("read-private"));
        assertFalse(report.get("all-refs").contains(privateCommit), report.get("all-refs"));
        for (String attempt : List.of("host-other-list", "host-other-read")) {
            assertFalse(report.get(attempt).startsWith("0 "), attempt + " succeeded: " + report.get(attempt));
        }
        assertFalse(hasObject(mirrorB, privateCommit), "B's mirror holds A's commit");
        // no write reached the mirror, through the sandbox or around it
        for (String attempt : List.of("write-objects", "write-pack", "write-object-dir", "write-info", "remove-pack",
                "host-own-config", "host-own-ref")) {
            assertFalse(report.get(attempt).startsWith("0 "), attempt + " succeeded: " + report.get(attempt));
        }
        assertTrue(report.get("write-objects").contains("Read-only file system"), report.get("write-objects"));
        assertEquals(configBefore, Files.readString(mirrorB.resolve("config")));
        assertFalse(Files.exists(mirrorB.resolve("objects/planted")));
        assertFalse(Files.exists(mirrorB.resolve("objects/info/alternates")));
        assertTrue(objectFiles(mirrorB) >= objectsBefore);
        assertEquals(git(bare, "rev-parse", "main").strip(), git(mirrorB, "rev-parse", "main").strip());
        git(mirrorB, "fsck", "--no-dangling");
    }

    @Test
    void aCorruptedMirrorIsRebuiltAndTheRunCompletes() throws Exception {
        String workspace = TestRuns.workspace();
        String origin = TestRuns.newOrigin();
        Path mirror = MIRRORS.pathOf(workspace, origin);
        completed(TestRuns.request(workspace, "local", "A task before the damage", origin, null));
        try (Stream<Path> files = Files.walk(mirror.resolve("objects"))) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/info/")).toList()) {
                file.toFile().setWritable(true);
                Files.writeString(file, "garbage", StandardCharsets.UTF_8);
            }
        }
        Path mark = Files.writeString(mirror.resolve("test-mark"), "broken");

        RunRequested after = TestRuns.request(workspace, "local", "A task after the damage", origin, null);
        completed(after);
        String branch = TestRuns.updatesUntilFinal(after.runId(), RUN_TIMEOUT).stream().reduce((x, y) -> y).orElseThrow().branch();
        Path bare = TestRuns.originPath(origin);
        assertEquals("1", git(bare, "rev-list", "--count", "main.." + branch).strip());
        assertFalse(Files.exists(mark), "the damaged mirror was replaced");
        git(mirror, "fsck", "--no-dangling");
        assertEquals(git(bare, "rev-parse", "main").strip(), git(mirror, "rev-parse", "main").strip());
    }

    /** Runs the request to COMPLETED; answers the gateway's steps. */
    private static List<String> completed(RunRequested request) {
        TestRuns.publish(request);
        List<ProviderRunUpdated> updates = TestRuns.updatesUntilFinal(request.runId(), RUN_TIMEOUT);
        assertEquals(RunStatus.COMPLETED, updates.get(updates.size() - 1).status(), () -> "updates: " + updates);
        return TestRuns.activityUntil(request.runId(), TestRuns.untilStep("pull request opened"), RUN_TIMEOUT).stream()
                .filter(e -> "step".equals(e.kind())).map(RunActivity.Entry::text).toList();
    }

    /** Pushes a commit adding {@code file} on top of main to {@code branch} (main when not given); answers its id. */
    private static String pushCommit(String origin, String file, String content, String... branch) throws IOException {
        Path work = Files.createTempDirectory("mirror-test-work");
        git(work, "clone", "-q", origin, ".");
        Files.writeString(work.resolve(file), content, StandardCharsets.UTF_8);
        git(work, "add", "-A");
        git(work, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "add " + file);
        git(work, "push", "-q", "origin", "HEAD:refs/heads/" + (branch.length == 0 ? "main" : branch[0]));
        return git(work, "rev-parse", "HEAD").strip();
    }

    private static boolean hasObject(Path repo, String id) throws Exception {
        Process process = new ProcessBuilder("git", "--git-dir=" + repo, "cat-file", "-e", id).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor() == 0;
    }

    private static long objectFiles(Path mirror) throws IOException {
        try (Stream<Path> files = Files.walk(mirror.resolve("objects"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
