package dev.handoff.gateway.local;

import dev.handoff.events.AgentContext;
import dev.handoff.events.RunRequested;
import dev.handoff.gateway.LocalPullRequest;
import dev.handoff.gateway.prompt.AgentPrompt;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One local run, start to end, on a worker thread: check the repository is allowed, clone it, create the target
 * branch, report RUNNING, run the agent command, commit what it changed, push the branch and open the pull request,
 * then report COMPLETED; any failure ends the run FAILED with a code and a message a user understands.
 */
final class LocalRun implements Runnable {

    static final String PROVIDER_STATUS_RUNNING = "AGENT_RUNNING";
    private static final int MAX_DIFF_CHARS = 1024 * 1024;

    /** What a local run reports to, and where its pull request is kept (blocking calls). */
    interface Host {
        void report(UUID runId, RunUpdate update);

        void savePullRequest(LocalPullRequest pullRequest);
    }

    /** The operator's settings the run needs. */
    record Settings(Path workRoot, Optional<String> agentCommand, Optional<String> demoAgent, Duration timeout,
            Duration killGrace, String publicUrl, Map<String, String> baseEnv, RepositoryPolicy policy,
            GitHubPullRequests gitHub) {
    }

    private final RunRequested request;
    private final Settings settings;
    private final Host host;
    private final String title;
    private final String targetBranch;
    private volatile Stop stop;

    /** Why a run is asked to stop before its end. */
    enum Stop { CANCELLED, SHUTDOWN }

    LocalRun(RunRequested request, Settings settings, Host host) {
        this.request = request;
        this.settings = settings;
        this.host = host;
        this.title = AgentPrompt.title(request);
        this.targetBranch = AgentPrompt.targetBranch(request);
    }

    UUID runId() {
        return request.runId();
    }

    static String providerRunId(UUID runId) {
        return "local-" + runId.toString().substring(0, 8);
    }

    /** Asks the run to stop; the run's own thread kills the agent's process tree within half a second. */
    void cancel() {
        stop(Stop.CANCELLED);
    }

    /** The gateway is stopping: the agent stops with it and the run ends as interrupted. */
    void shutdown() {
        stop(Stop.SHUTDOWN);
    }

    private synchronized void stop(Stop reason) {
        if (stop == null) {
            stop = reason;
        }
    }

    private void reportStopped() {
        if (stop == Stop.SHUTDOWN) {
            host.report(runId(), interrupted());
        } else {
            host.report(runId(), RunUpdate.cancelled("CANCELLED"));
        }
    }

    static RunUpdate interrupted() {
        return RunUpdate.failed("INTERRUPTED", LocalRunFailure.INTERRUPTED_BY_RESTART,
                "the provider gateway restarted while this run was in progress, so its agent was stopped; retry the run");
    }

    @Override
    public void run() {
        Path runDir = settings.workRoot().resolve(request.runId().toString());
        Path repo = runDir.resolve("repo");
        Path log = runDir.resolve("agent.log");
        try {
            if (stop != null) {
                reportStopped();
                return;
            }
            settings.policy().check(request.repositoryUrl());
            Files.createDirectories(runDir);
            Git git = git();
            if (!git.validBranchName(runDir, request.branch())) {
                throw new LocalRunFailure(LocalRunFailure.INVALID_BRANCH, "'" + request.branch() + "' is not a valid branch name");
            }
            if (!git.validBranchName(runDir, targetBranch)) {
                throw new LocalRunFailure(LocalRunFailure.INVALID_BRANCH, "'" + targetBranch + "' is not a valid branch name");
            }
            git.ok(runDir, LocalRunFailure.CLONE_FAILED, "could not clone " + RunText.redactUrl(request.repositoryUrl())
                    + " at branch " + request.branch(), "clone", "--quiet", "--no-tags", "--branch", request.branch(), "--",
                    request.repositoryUrl(), repo.toString());
            git.ok(repo, LocalRunFailure.INVALID_BRANCH, "could not create the branch " + targetBranch,
                    "checkout", "--quiet", "-b", targetBranch);
            String base = git.ok(repo, LocalRunFailure.CLONE_FAILED, "the clone has no commit", "rev-parse", "HEAD").strip();
            String command = agentCommand();
            Path prompt = runDir.resolve("prompt.md");
            Files.writeString(prompt, AgentPrompt.render(request, targetBranch), StandardCharsets.UTF_8);

            host.report(runId(), RunUpdate.running(PROVIDER_STATUS_RUNNING, providerRunId(runId()), null, targetBranch));
            if (stop != null || !runAgent(command, repo, prompt, log) || stop != null) {
                reportStopped();
                return;
            }
            commit(git, repo);
            int ahead = Integer.parseInt(git.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not count the agent's commits",
                    "rev-list", "--count", base + "..HEAD").strip());
            String output = RunText.tail(log, 15, 1500);
            if (ahead == 0) {
                host.report(runId(), RunUpdate.completed("NO_CHANGES", null, null,
                        "The agent finished without changing anything, so no branch was pushed and no pull request was opened."
                                + outputSection(output)));
                return;
            }
            String shortStat = git.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not read the diff",
                    "diff", "--shortstat", base, "HEAD").strip();
            Optional<GitHubPullRequests.Repo> gitHubRepo = settings.gitHub().repoOf(request.repositoryUrl());
            Git pushGit = gitHubRepo.filter(GitHubPullRequests.Repo::https).isPresent()
                    ? new Git(settings.baseEnv(), settings.gitHub().gitAuthorization()) : git;
            pushGit.ok(repo, LocalRunFailure.PUSH_FAILED, "could not push the branch " + targetBranch + " to the origin",
                    "push", "--quiet", "--no-verify", "origin", "HEAD:refs/heads/" + targetBranch);
            String body = pullRequestBody(output);
            String pullRequestUrl = gitHubRepo.isPresent()
                    ? settings.gitHub().open(gitHubRepo.get(), title, body, targetBranch, request.branch())
                    : openLocalPullRequest(git, repo, base, body);
            host.report(runId(), RunUpdate.completed("PULL_REQUEST_OPENED", pullRequestUrl, targetBranch,
                    "The agent's changes are on " + targetBranch + " (" + ahead + (ahead == 1 ? " commit, " : " commits, ")
                            + shortStat + ") and a pull request into " + request.branch() + " is open." + outputSection(output)));
        } catch (LocalRunFailure failure) {
            Log.infof("local run %s failed: %s", runId(), failure.code());
            host.report(runId(), RunUpdate.failed("FAILED", failure.code(), failure.getMessage()));
        } catch (Exception e) {
            Log.errorf(e, "local run %s failed unexpectedly", runId());
            host.report(runId(), RunUpdate.failed("FAILED", LocalRunFailure.INTERNAL_ERROR,
                    "the local provider failed unexpectedly (" + e.getClass().getSimpleName() + "); the gateway log has details"));
        } finally {
            deleteQuietly(repo);
        }
    }

    private Git git() {
        return new Git(settings.baseEnv(), null);
    }

    private String agentCommand() {
        Optional<String> configured = settings.agentCommand().map(String::strip).filter(c -> !c.isEmpty());
        if (configured.isPresent()) {
            return configured.get();
        }
        Optional<Path> demo = settings.demoAgent().map(String::strip).filter(p -> !p.isEmpty()).map(Path::of);
        if (demo.isPresent() && Files.isRegularFile(demo.get())) {
            return "bash " + RunText.shellQuote(demo.get().toAbsolutePath().toString());
        }
        throw new LocalRunFailure(LocalRunFailure.AGENT_NOT_CONFIGURED,
                "no agent command is configured: the operator sets HANDOFF_LOCAL_AGENT_COMMAND (or HANDOFF_LOCAL_DEMO_AGENT"
                        + " for the bundled demo agent)");
    }

    /** Runs the agent; false when the run was cancelled meanwhile. */
    private boolean runAgent(String command, Path repo, Path prompt, Path log) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(settings.baseEnv());
        env.put("HANDOFF_RUN_ID", runId().toString());
        env.put("HANDOFF_TASK_TITLE", title);
        env.put("HANDOFF_PROMPT_FILE", prompt.toAbsolutePath().toString());
        Files.writeString(log, "# " + Instant.now() + " agent started for run " + runId() + "\n", StandardCharsets.UTF_8);
        AgentProcess agent = AgentProcess.start(command, repo, env, prompt, log);
        Path marker = repo.getParent().resolve(AgentProcess.MARKER);
        agent.writeMarker(marker);
        try {
            return awaitAgent(agent, log);
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    private boolean awaitAgent(AgentProcess agent, Path log) throws InterruptedException {
        AgentProcess.Outcome outcome = agent.await(settings.timeout(), () -> stop != null);
        switch (outcome) {
            case CANCELLED -> {
                agent.killTree(settings.killGrace());
                return false;
            }
            case TIMED_OUT -> {
                agent.killTree(settings.killGrace());
                throw new LocalRunFailure(LocalRunFailure.AGENT_TIMED_OUT, "the agent did not finish within "
                        + human(settings.timeout()) + " (HANDOFF_LOCAL_AGENT_TIMEOUT) and was stopped");
            }
            default -> {
                // whatever the agent left running in the background does not outlive it
                agent.killTree(Duration.ZERO);
                if (agent.exitCode() != 0) {
                    String output = RunText.tail(log, 10, 1000);
                    throw new LocalRunFailure(LocalRunFailure.AGENT_FAILED, "the agent command exited with code "
                            + agent.exitCode() + (output.isEmpty() ? "" : "; its last output:\n" + output));
                }
                return true;
            }
        }
    }

    private void commit(Git git, Path repo) {
        git.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not stage the agent's changes", "add", "--all");
        String status = git.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not read the worktree status", "status", "--porcelain");
        if (!status.isBlank()) {
            git.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not commit the agent's changes", "commit", "--quiet",
                    "--no-verify", "-m", title + "\n\nMade by the Handoff local agent, run " + runId() + ".");
        }
    }

    private String openLocalPullRequest(Git git, Path repo, String base, String body) {
        List<LocalPullRequest.Commit> commits = new ArrayList<>();
        String log = git.ok(repo, LocalRunFailure.PULL_REQUEST_FAILED, "could not list the commits",
                "log", "--reverse", "--format=%H%x1f%an%x1f%s", base + "..HEAD");
        for (String line : log.lines().filter(l -> !l.isBlank()).toList()) {
            String[] parts = line.split("\u001f", 3);
            commits.add(new LocalPullRequest.Commit(parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : ""));
        }
        String diffStat = git.ok(repo, LocalRunFailure.PULL_REQUEST_FAILED, "could not read the diff", "diff", "--stat", base, "HEAD");
        String diff = git.ok(repo, LocalRunFailure.PULL_REQUEST_FAILED, "could not read the diff", "diff", base, "HEAD");
        if (diff.length() > MAX_DIFF_CHARS) {
            diff = diff.substring(0, MAX_DIFF_CHARS) + "\n... (diff truncated at 1 MiB; the branch has it all)\n";
        }
        UUID id = UUID.randomUUID();
        host.savePullRequest(new LocalPullRequest(id, request.workspaceId(), runId(), RunText.redactUrl(request.repositoryUrl()),
                request.branch(), targetBranch, title, body, commits, diffStat.stripTrailing(), diff, Instant.now()));
        return settings.publicUrl() + "/api/pull-requests/" + id;
    }

    private String pullRequestBody(String output) {
        StringBuilder body = new StringBuilder("Opened by Handoff's local agent for the task \"" + title + "\" (run "
                + runId() + ").\n");
        AgentContext.Task task = request.context() == null ? null : request.context().task();
        if (task != null && task.acceptanceCriteria() != null && !task.acceptanceCriteria().isEmpty()) {
            body.append("\n## Acceptance criteria\n\n");
            task.acceptanceCriteria().forEach(c -> body.append("- [ ] ").append(c.strip()).append('\n'));
        }
        if (!output.isEmpty()) {
            body.append("\n## The agent's last output\n\n```\n").append(output).append("\n```\n");
        }
        return body.toString();
    }

    private static String outputSection(String output) {
        return output.isEmpty() ? "" : "\n\nAgent output (last lines):\n" + output;
    }

    private static String human(Duration duration) {
        return duration.toSeconds() % 60 == 0 && duration.toMinutes() > 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort: a leftover worktree only costs disk space
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
