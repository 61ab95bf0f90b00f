package dev.handoff.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.handoff.events.AgentContext;
import dev.handoff.events.EventJson;
import dev.handoff.events.FollowUp;
import dev.handoff.events.ProviderRunUpdated;
import dev.handoff.events.RunActivity;
import dev.handoff.events.RunRequested;
import dev.handoff.events.RunStatus;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.KafkaProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Test helpers: origin repositories in the allowed root, launch requests, and the gateway's updates read from Kafka. */
public final class TestRuns {

    public static final Path REPO_ROOT = Path.of(System.getProperty("user.dir"), "target", "test-repos");
    public static final Path WORK_DIR = Path.of(System.getProperty("user.dir"), "target", "test-worktrees");

    private TestRuns() {
    }

    /** A bare repository under the allowed root with one commit on {@code main}; answers its file:// URL. */
    public static String newOrigin() throws IOException {
        Files.createDirectories(REPO_ROOT);
        Path bare = REPO_ROOT.resolve("origin-" + UUID.randomUUID() + ".git");
        Path work = Files.createTempDirectory("gateway-test-work");
        git(REPO_ROOT, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(work, "init", "-q", "-b", "main");
        Files.writeString(work.resolve("README.md"), "# sample\n\nA sample project.\n", StandardCharsets.UTF_8);
        git(work, "add", "-A");
        git(work, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "initial");
        git(work, "push", "-q", bare.toUri().toString(), "main");
        return "file://" + bare;
    }

    public static Path originPath(String fileUrl) {
        return Path.of(fileUrl.substring("file://".length()));
    }

    public static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("git " + args[0] + " hung");
            }
            assertEquals(0, process.exitValue(), "git " + String.join(" ", args) + ": " + output);
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static RunRequested request(String workspace, String provider, String title, String repositoryUrl,
            String targetBranch) {
        UUID runId = UUID.randomUUID();
        UUID taskId = UUID.randomUUID();
        UUID briefId = UUID.randomUUID();
        Instant now = Instant.now();
        AgentContext.Task task = new AgentContext.Task(taskId, briefId, title, "Make the greeting configurable.",
                List.of("The README mentions the change", "Existing tests still pass"),
                List.of(new AgentContext.Subtask(UUID.randomUUID(), 2, "Write the test", "A test for the new option."),
                        new AgentContext.Subtask(UUID.randomUUID(), 1, "Add the option", "Parse --shout.")),
                null, now, now);
        AgentContext.Brief brief = new AgentContext.Brief(briefId, "Greeter improvements", "# Greeter\nMake it friendlier.",
                now, now);
        return new RunRequested(UUID.randomUUID(), now, workspace, runId, taskId, provider, repositoryUrl, "main",
                targetBranch, "Keep the change small.", new AgentContext(task, brief));
    }

    /** A follow-up of {@code earlier} (as the run service asks for one): same task, repository and branch, new run. */
    public static RunRequested followUp(RunRequested earlier, Stored finished, String instructions) {
        return new RunRequested(UUID.randomUUID(), Instant.now(), earlier.workspaceId(), UUID.randomUUID(), earlier.taskId(),
                earlier.provider(), earlier.repositoryUrl(), earlier.branch(), finished.branch(), instructions,
                earlier.context(), new FollowUp(earlier.runId(), finished.providerRunId(), finished.branch(),
                        finished.pullRequestUrl(), finished.summary()));
    }

    /**
     * A run as this gateway's ledger holds it. Tests that must not be confused by other gateways on the shared broker
     * (which also consume {@code handoff.run-requested} and fail runs they cannot do) read this instead of the
     * updates on Kafka.
     */
    public record Stored(RunStatus status, String providerStatus, String providerRunId, String pullRequestUrl, String branch,
            String summary, String errorCode) {
    }

    /** Waits until this gateway's ledger holds the run in a state the condition accepts; answers it. */
    public static Stored storedUntil(UUID runId, Predicate<Stored> until, Duration timeout) {
        Stored[] last = new Stored[1];
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = stored(runId);
            return last[0] != null && until.test(last[0]);
        });
        return last[0];
    }

    /** Waits until this gateway's ledger holds the run in a final state. */
    public static Stored storedFinal(UUID runId, Duration timeout) {
        return storedUntil(runId, run -> run.status().isFinal(), timeout);
    }

    public static Stored stored(UUID runId) throws java.sql.SQLException {
        try (var db = dev.handoff.testsupport.HandoffTestResource.database().connect();
                var query = db.prepareStatement("""
                        select status, provider_status, provider_run_id, pull_request_url, target_branch, summary, error_code
                        from provider_run where run_id = ?""")) {
            query.setObject(1, runId);
            try (var row = query.executeQuery()) {
                return !row.next() ? null : new Stored(RunStatus.valueOf(row.getString(1)), row.getString(2), row.getString(3),
                        row.getString(4), row.getString(5), row.getString(6), row.getString(7));
            }
        }
    }

    public static void publish(RunRequested request) {
        KafkaProbe.publish(Topics.RUN_REQUESTED, request);
    }

    /** The gateway's updates of a run, in order, up to and including the first final one (or the timeout). */
    public static List<ProviderRunUpdated> updatesUntilFinal(UUID runId, Duration timeout) {
        List<ProviderRunUpdated> seen = new ArrayList<>();
        KafkaProbe.await(Topics.PROVIDER_RUN_UPDATED, record -> {
            if (!runId.toString().equals(record.key())) {
                return false;
            }
            ProviderRunUpdated update = EventJson.fromJson(record.value(), ProviderRunUpdated.class);
            seen.add(update);
            return update.status().isFinal();
        }, 1, timeout);
        return seen;
    }

    /** Waits until the updates of a run satisfy the condition; answers them all. */
    public static List<ProviderRunUpdated> updatesUntil(UUID runId, Predicate<ProviderRunUpdated> until, Duration timeout) {
        List<ProviderRunUpdated> seen = new ArrayList<>();
        KafkaProbe.await(Topics.PROVIDER_RUN_UPDATED, record -> {
            if (!runId.toString().equals(record.key())) {
                return false;
            }
            ProviderRunUpdated update = EventJson.fromJson(record.value(), ProviderRunUpdated.class);
            seen.add(update);
            return until.test(update);
        }, 1, timeout);
        return seen;
    }

    /** The activity entries of a run, in order (each event once), until they satisfy the condition (or the timeout). */
    public static List<RunActivity.Entry> activityUntil(UUID runId, Predicate<List<RunActivity.Entry>> until, Duration timeout) {
        List<RunActivity.Entry> seen = new ArrayList<>();
        Set<UUID> events = new HashSet<>();
        KafkaProbe.await(Topics.RUN_ACTIVITY, record -> {
            if (!runId.toString().equals(record.key())) {
                return false;
            }
            RunActivity event = EventJson.fromJson(record.value(), RunActivity.class);
            if (!events.add(event.eventId())) {
                return false; // delivered again (at least once): the same entries
            }
            seen.addAll(event.entries());
            return until.test(seen);
        }, 1, timeout);
        return seen;
    }

    /** Until a step whose text starts with {@code prefix} arrived. */
    public static Predicate<List<RunActivity.Entry>> untilStep(String prefix) {
        return entries -> entries.stream().anyMatch(e -> "step".equals(e.kind()) && e.text().startsWith(prefix));
    }

    /** The same request with other instructions. */
    public static RunRequested withInstructions(RunRequested request, String instructions) {
        return new RunRequested(request.eventId(), request.occurredAt(), request.workspaceId(), request.runId(),
                request.taskId(), request.provider(), request.repositoryUrl(), request.branch(), request.targetBranch(),
                instructions, request.context());
    }

    public static String workspace() {
        return "gw-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
