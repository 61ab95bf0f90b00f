package dev.handoff.gateway.local;

import dev.handoff.events.AgentContext;
import dev.handoff.events.RunRequested;
import dev.handoff.gateway.LocalPullRequest;
import dev.handoff.gateway.activity.NoActivity;
import dev.handoff.gateway.provider.ActivityKind;
import dev.handoff.gateway.provider.RunActivity;
import dev.handoff.gateway.local.agents.AgentLaunch;
import dev.handoff.gateway.local.agents.AgentPreset;
import dev.handoff.gateway.local.agents.AgentSessions;
import dev.handoff.gateway.local.agents.AgentTranscript;
import dev.handoff.gateway.local.agents.LocalAgents;
import dev.handoff.gateway.prompt.AgentPrompt;
import dev.handoff.gateway.sandbox.RunFiles;
import dev.handoff.gateway.sandbox.Sandbox;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

/**
 * One local run, start to end, on a worker thread: check the repository is allowed, clone it while checking that the
 * target branch is new on the origin, create the target branch, report RUNNING, run the agent command in its sandbox, commit what it
 * changed, push the branch to the URL the run was launched with and open the pull request, then report COMPLETED; any
 * failure ends the run FAILED with a code and a message a user understands.
 *
 * <p>A run's files live in one folder: {@code git/} (Handoff's own git folder, which the agent never sees, so that
 * nothing the agent writes is read as configuration by Handoff's git), {@code repo/} (the agent's worktree, with a
 * {@code .git} copied from Handoff's for the agent's own use), {@code prompt.md} and {@code agent.log}. The worktree and
 * git folder go when the run ends; the folder with its prompt and log goes a week later.
 */
final class LocalRun implements Runnable {

    static final String PROVIDER_STATUS_RUNNING = "AGENT_RUNNING";

    /** What a local run reports to, and where its pull request is kept (blocking calls). */
    interface Host {
        void report(UUID runId, RunUpdate update);

        void savePullRequest(LocalPullRequest pullRequest);

        /** The run's activity (steps, the agent's lines); a host that publishes none keeps the default. */
        default RunActivity.Run activity(RunRequested request) {
            return NoActivity.INSTANCE;
        }

        /** The local pull request a follow-up adds its commits to, if it is this workspace's. */
        default Optional<LocalPullRequest> findPullRequest(String workspaceId, UUID id) {
            throw new UnsupportedOperationException("this host keeps no pull requests");
        }

        /** Stores a pull request's grown commits, diff stat, diff and body. */
        default void updatePullRequest(LocalPullRequest pullRequest) {
            throw new UnsupportedOperationException("this host keeps no pull requests");
        }
    }

    /** The operator's settings the run needs; {@code maxLogBytes} caps the run's agent.log. */
    record Settings(Path workRoot, Optional<String> agentCommand, Optional<String> demoAgent, Duration timeout,
            Duration killGrace, String publicUrl, Map<String, String> baseEnv, RepositoryPolicy policy,
            GitHubPullRequests gitHub, Sandbox sandbox, long maxLogBytes, long maxWorktreeBytes,
            Duration worktreeCheckInterval, Mirrors mirrors) {

        static final long DEFAULT_MAX_LOG_BYTES = 10L * 1024 * 1024;
        static final long DEFAULT_MAX_WORKTREE_BYTES = 2L << 30;
        static final Duration DEFAULT_WORKTREE_CHECK_INTERVAL = Duration.ofSeconds(5);

        /** The settings without mirrors (every run clones on its own). */
        Settings(Path workRoot, Optional<String> agentCommand, Optional<String> demoAgent, Duration timeout,
                Duration killGrace, String publicUrl, Map<String, String> baseEnv, RepositoryPolicy policy,
                GitHubPullRequests gitHub, Sandbox sandbox, long maxLogBytes, long maxWorktreeBytes,
                Duration worktreeCheckInterval) {
            this(workRoot, agentCommand, demoAgent, timeout, killGrace, publicUrl, baseEnv, policy, gitHub, sandbox,
                    maxLogBytes, maxWorktreeBytes, worktreeCheckInterval, Mirrors.OFF);
        }

        /** The settings with a given worktree cap and the default log cap. */
        Settings(Path workRoot, Optional<String> agentCommand, Optional<String> demoAgent, Duration timeout,
                Duration killGrace, String publicUrl, Map<String, String> baseEnv, RepositoryPolicy policy,
                GitHubPullRequests gitHub, Sandbox sandbox, long maxWorktreeBytes, Duration worktreeCheckInterval) {
            this(workRoot, agentCommand, demoAgent, timeout, killGrace, publicUrl, baseEnv, policy, gitHub, sandbox,
                    DEFAULT_MAX_LOG_BYTES, maxWorktreeBytes, worktreeCheckInterval);
        }

        /** The settings with the default caps (log 10 MiB; worktree 2 GiB, measured every 5 s). */
        Settings(Path workRoot, Optional<String> agentCommand, Optional<String> demoAgent, Duration timeout,
                Duration killGrace, String publicUrl, Map<String, String> baseEnv, RepositoryPolicy policy,
                GitHubPullRequests gitHub, Sandbox sandbox) {
            this(workRoot, agentCommand, demoAgent, timeout, killGrace, publicUrl, baseEnv, policy, gitHub, sandbox,
                    DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_WORKTREE_BYTES, DEFAULT_WORKTREE_CHECK_INTERVAL);
        }
    }

    /** How long the agent's last lines may take to be read once it exited (something it left may hold its output open). */
    private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(5);
    /** How long a final status waits for the run's activity to be in the outbox, so that it comes before the status. */
    private static final Duration ACTIVITY_FLUSH = Duration.ofSeconds(5);

    private final RunRequested request;
    private final Settings settings;
    private final Host host;
    private final String title;
    private final String targetBranch;
    /** A follow-up continues its run's existing target branch; a new run never touches an existing branch. */
    private final boolean continueBranch;
    /** How the agent's lines are read: plain lines, or an agent preset's structured output. */
    private final AgentOutput agentOutput;
    private RunActivity.Run activity = NoActivity.INSTANCE;
    private volatile Stop stop;
    /** The workspace's agent preset (null: the operator's command or the demo agent, as before presets). */
    private AgentLaunch agent;
    private LocalAgents agents;
    /** The workspace's own git token, if it has one. */
    private String gitToken;
    /** The workspace's mirror of the repository this run's git folder borrows objects from, if any. */
    private Mirrors.Lease mirror;

    /** Why a run is asked to stop before its end. */
    enum Stop { CANCELLED, SHUTDOWN }

    LocalRun(RunRequested request, Settings settings, Host host) {
        this(request, settings, host, false);
    }

    LocalRun(RunRequested request, Settings settings, Host host, boolean continueBranch) {
        this(request, settings, host, continueBranch, AgentOutput.PLAIN);
    }

    LocalRun(RunRequested request, Settings settings, Host host, boolean continueBranch, AgentOutput agentOutput) {
        this.agentOutput = agentOutput == null ? AgentOutput.PLAIN : agentOutput;
        this.continueBranch = continueBranch;
        this.request = request;
        this.settings = settings;
        this.host = host;
        this.title = AgentPrompt.title(request);
        this.targetBranch = AgentPrompt.targetBranch(request);
    }

    /** Runs the workspace's agent preset instead of the operator's command. */
    LocalRun agent(AgentLaunch agent, LocalAgents agents) {
        this.agent = agent;
        this.agents = agents;
        return this;
    }

    /** The workspace's own git token for its clone, push and pull request. */
    LocalRun gitToken(String gitToken) {
        this.gitToken = gitToken;
        return this;
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
            activity.step("the gateway is stopping: the agent was stopped");
            report(interrupted());
        } else {
            activity.step("the run was cancelled: the agent was stopped");
            report(RunUpdate.cancelled("CANCELLED"));
        }
    }

    /** Reports to the run service; a final status first waits (briefly) for the run's activity to be in the outbox. */
    private void report(RunUpdate update) {
        if (update.status().isFinal() && !activity.flush(ACTIVITY_FLUSH)) {
            Log.warnf("local run %s: its activity was not all written before its final status", runId());
        }
        host.report(runId(), update);
    }

    static RunUpdate interrupted() {
        return RunUpdate.failed("INTERRUPTED", LocalRunFailure.INTERRUPTED_BY_RESTART,
                "the provider gateway restarted while this run was in progress, so its agent was stopped; retry the run");
    }

    @Override
    public void run() {
        Path runDir = settings.workRoot().resolve(request.runId().toString());
        Path gitDir = runDir.resolve("git");
        Path repo = runDir.resolve("repo");
        Path log = runDir.resolve("agent.log");
        activity = host.activity(request);
        try {
            if (!settings.sandbox().enabled()) {
                activity.step(UNCONFINED_STEP);
            }
            if (stop != null) {
                reportStopped();
                return;
            }
            settings.policy().check(request.repositoryUrl());
            Files.createDirectories(runDir);
            Git git = gitFor(request.repositoryUrl().strip());
            if (!git.validBranchName(runDir, request.branch())) {
                throw new LocalRunFailure(LocalRunFailure.INVALID_BRANCH, "'" + request.branch() + "' is not a valid branch name");
            }
            if (!git.validBranchName(runDir, targetBranch)) {
                throw new LocalRunFailure(LocalRunFailure.INVALID_BRANCH, "'" + targetBranch + "' is not a valid branch name");
            }
            AgentCommand command = agentCommand();
            checkSandbox();
            String url = request.repositoryUrl().strip();
            // a new run's target branch is looked for on the origin while the repository is fetched and checked out
            FutureTask<Void> targetIsNew = continueBranch ? null : alongside("target-branch-" + runId(), () -> {
                checkTargetBranchIsNew(git, runDir, url);
                return null;
            });
            Git handoff;
            try {
                handoff = checkOut(git, runDir, url, gitDir, repo);
            } catch (RuntimeException | IOException e) {
                await(targetIsNew); // the branch that exists on the origin is the reason, as when it was looked for first
                throw e;
            }
            await(targetIsNew);
            String base = handoff.ok(repo, LocalRunFailure.CLONE_FAILED, "the clone has no commit", "rev-parse", "HEAD").strip();
            giveTheAgentItsOwnGitFolder(git, gitDir, repo, url);
            if (mirror != null) {
                // the agent's git borrows the mirror's objects too: in the sandbox, where they are shown read-only
                Files.writeString(repo.resolve(".git/objects/info/alternates"), (settings.sandbox().enabled()
                        ? Sandbox.MIRROR_OBJECTS : mirror.objects().toAbsolutePath().toString()) + "\n", StandardCharsets.UTF_8);
            }
            Path prompt = runDir.resolve("prompt.md");
            Files.writeString(prompt, AgentPrompt.render(request, targetBranch), StandardCharsets.UTF_8);

            report(RunUpdate.running(PROVIDER_STATUS_RUNNING, providerRunId(runId()), null, targetBranch));
            if (stop != null || !runAgent(command, repo, prompt, log) || stop != null) {
                reportStopped();
                return;
            }
            // a fresh reader of the agent's log: the answer, usage and session it reported
            AgentTranscript said = AgentTranscript.read(log, agent == null ? AgentPreset.CUSTOM : agent.preset());
            commit(handoff, repo);
            int ahead = Integer.parseInt(handoff.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not count the agent's commits",
                    "rev-list", "--count", base + "..HEAD").strip());
            String output = said.summary() != null ? said.summary() : RunText.tail(log, 15, 1500);
            String session = said.session() == null || agent == null ? null : AgentSessions.stored(agent.preset(), said.session());
            String unconfined = settings.sandbox().enabled() ? "" : "\n\n" + UNCONFINED;
            if (ahead == 0 && continueBranch) {
                activity.step("committing: the agent changed nothing in the follow-up, so nothing is committed or pushed");
                report(RunUpdate.completed("NO_CHANGES", request.followUp().pullRequestUrl(), targetBranch,
                        "The agent finished the follow-up without changing anything: " + targetBranch + " and its pull request"
                                + " are as the earlier run left them." + outputSection(output, said) + unconfined)
                        .withAgentReport(said.usage(), session));
                return;
            }
            if (ahead == 0) {
                activity.step("committing: the agent changed nothing, so nothing is committed or pushed");
                report(RunUpdate.completed("NO_CHANGES", null, null,
                        "The agent finished without changing anything, so no branch was pushed and no pull request was opened."
                                + outputSection(output, said) + unconfined).withAgentReport(said.usage(), session));
                return;
            }
            String shortStat = handoff.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not read the diff",
                    "diff", "--shortstat", base, "HEAD").strip();
            activity.step("committed the agent's changes on " + targetBranch + ": " + ahead + (ahead == 1 ? " commit, " : " commits, ")
                    + shortStat);
            Optional<String> token = settings.gitHub().token(Optional.ofNullable(gitToken));
            Optional<GitHubPullRequests.Repo> gitHubRepo = settings.gitHub().repoOf(url).filter(r -> token.isPresent());
            activity.step("pushing " + targetBranch + " to " + RunText.redactUrl(url));
            push(handoff, repo, url);
            String body = pullRequestBody(output);
            if (continueBranch) {
                // the branch push already updated a forge's pull request; a local one is grown here
                String pullRequestUrl = gitHubRepo.isPresent() ? request.followUp().pullRequestUrl()
                        : FollowUpPullRequest.update(handoff, repo, url, request, targetBranch, title, body,
                                settings.publicUrl(), host);
                activity.step("pull request updated: " + pullRequestUrl);
                report(RunUpdate.completed("PULL_REQUEST_UPDATED", pullRequestUrl, targetBranch,
                        "The follow-up's changes are on " + targetBranch + " (" + ahead + (ahead == 1 ? " commit, " : " commits, ")
                                + shortStat + ") and the pull request into " + request.branch() + " shows them."
                                + outputSection(output, said) + unconfined).withAgentReport(said.usage(), session));
                return;
            }
            String pullRequestUrl = gitHubRepo.isPresent()
                    ? settings.gitHub().open(gitHubRepo.get(), token.get(), title, body, targetBranch, request.branch())
                    : openLocalPullRequest(handoff, repo, base, body);
            activity.step("pull request opened: " + pullRequestUrl);
            report(RunUpdate.completed("PULL_REQUEST_OPENED", pullRequestUrl, targetBranch,
                    "The agent's changes are on " + targetBranch + " (" + ahead + (ahead == 1 ? " commit, " : " commits, ")
                            + shortStat + ") and a pull request into " + request.branch() + " is open." + outputSection(output, said)
                            + unconfined).withAgentReport(said.usage(), session));
        } catch (Git.Cancelled cancelled) {
            reportStopped();
        } catch (LocalRunFailure failure) {
            Log.infof("local run %s failed: %s", runId(), failure.code());
            activity.error(failure.getMessage());
            report(RunUpdate.failed("FAILED", failure.code(), failure.getMessage()));
        } catch (Exception e) {
            Log.errorf(e, "local run %s failed unexpectedly", runId());
            String message = "the local provider failed unexpectedly (" + e.getClass().getSimpleName() + "); the gateway log has details";
            activity.error(message);
            report(RunUpdate.failed("FAILED", LocalRunFailure.INTERNAL_ERROR, message));
        } finally {
            deleteQuietly(repo);
            deleteQuietly(gitDir);
            if (mirror != null) {
                mirror.close();
            }
            activity.close();
        }
    }

    /**
     * Handoff's git folder for the run, at the branch it starts from, with the worktree checked out: from the
     * workspace's mirror when one can be had (the folder then borrows the mirror's objects and holds only its refs and
     * index), else cloned on its own as before. A mirror that fails here is given up for this run, never the run.
     */
    private Git checkOut(Git git, Path runDir, String url, Path gitDir, Path repo) throws IOException {
        String startBranch = continueBranch ? targetBranch : request.branch();
        String where = RunText.redactUrl(url) + " at branch " + startBranch;
        Git handoff = git.in(gitDir, repo);
        Mirrors mirrors = settings.mirrors();
        if (mirrors.enabled()) {
            boolean exists = Files.isDirectory(mirrors.pathOf(request.workspaceId(), url));
            activity.step((exists ? "fetching " : "cloning ") + where + " into the workspace's mirror");
            mirror = mirrors.prepare(git, request.workspaceId(), url, startBranch).orElse(null);
            if (mirror != null) {
                Git.Result shared = git.run(runDir, "clone", "--quiet", "--bare", "--shared", "--no-tags", "--single-branch",
                        "--branch", startBranch, "--", mirror.path().toString(), gitDir.toString());
                if (shared.ok()) {
                    Files.createDirectories(repo);
                    shared = handoff.run(repo, "config", "remote.origin.url", url);
                }
                if (shared.ok()) {
                    shared = startBranch(handoff, repo);
                }
                if (shared.ok()) {
                    return handoff;
                }
                mirror.broken(shared.lastLine());
                mirror = null;
                deleteQuietly(gitDir);
                deleteQuietly(repo);
            }
            activity.step("the workspace's mirror could not be used, so this run clones on its own");
        }
        activity.step("cloning " + where);
        git.ok(runDir, LocalRunFailure.CLONE_FAILED, "could not clone " + where,
                "clone", "--quiet", "--bare", "--no-tags", "--single-branch", "--branch", startBranch, "--", url, gitDir.toString());
        Files.createDirectories(repo);
        Git.Result checkout = startBranch(handoff, repo);
        if (!checkout.ok()) {
            throw continueBranch ? new LocalRunFailure(LocalRunFailure.CLONE_FAILED, "could not check out " + targetBranch
                    + ": " + checkout.lastLine())
                    : new LocalRunFailure(LocalRunFailure.INVALID_BRANCH, "could not create the branch " + targetBranch + ": "
                            + checkout.lastLine());
        }
        return handoff;
    }

    /** Checks out the worktree: a follow-up at its branch, a new run on a new target branch. */
    private Git.Result startBranch(Git handoff, Path repo) {
        return continueBranch ? handoff.run(repo, "reset", "--quiet", "--hard", "HEAD")
                : handoff.run(repo, "checkout", "--quiet", "-b", targetBranch);
    }

    static final String UNCONFINED = "The agent ran without the sandbox: the operator turned it off (HANDOFF_LOCAL_SANDBOX=off).";
    static final String UNCONFINED_STEP = "the agent of this run runs unconfined, with the gateway's own access to this machine:"
            + " the operator turned the sandbox off (HANDOFF_LOCAL_SANDBOX=off)";

    /** Without a working sandbox no agent starts, unless the operator turned the sandbox off. */
    private void checkSandbox() {
        if (!settings.sandbox().enabled()) {
            return;
        }
        Optional<String> problem = settings.sandbox().problem();
        if (problem.isPresent()) {
            throw new LocalRunFailure(LocalRunFailure.SANDBOX_UNAVAILABLE, "the agent sandbox cannot be set up on this machine, so"
                    + " the agent was not started: " + problem.get() + ". `./handoff up` installs what it needs; only the"
                    + " operator can choose to run agents unconfined (HANDOFF_LOCAL_SANDBOX=off)");
        }
    }

    /** Runs {@code work} on a thread of its own; {@link #await} answers its end or throws its failure. */
    private static FutureTask<Void> alongside(String name, Callable<Void> work) {
        FutureTask<Void> task = new FutureTask<>(work);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    private static void await(FutureTask<Void> task) throws InterruptedException {
        if (task == null) {
            return;
        }
        try {
            task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A run never moves a branch that exists on the origin (the push checks it again, atomically). */
    private void checkTargetBranchIsNew(Git git, Path runDir, String url) {
        String heads = git.ok(runDir, LocalRunFailure.CLONE_FAILED, "could not read the branches of " + RunText.redactUrl(url),
                "ls-remote", "--heads", "--", url, "refs/heads/" + targetBranch);
        if (!heads.isBlank()) {
            throw targetBranchExists();
        }
    }

    private LocalRunFailure targetBranchExists() {
        return new LocalRunFailure(LocalRunFailure.TARGET_BRANCH_EXISTS, "the branch " + targetBranch + " already exists on "
                + RunText.redactUrl(request.repositoryUrl()) + "; a run never moves an existing branch: choose another target branch");
    }

    /**
     * Pushes to the URL the run was launched with, never a remote the worktree names. A new branch is pushed with an
     * empty lease, so that a branch created on the origin meanwhile is refused rather than moved.
     */
    private void push(Git git, Path repo, String url) {
        List<String> args = new ArrayList<>(List.of("push", "--quiet", "--no-verify"));
        if (!continueBranch) {
            args.add("--force-with-lease=refs/heads/" + targetBranch + ":");
        }
        args.addAll(List.of("--", url, "HEAD:refs/heads/" + targetBranch));
        Git.Result result = git.run(repo, args.toArray(String[]::new));
        if (!result.ok()) {
            if (!continueBranch && result.output().contains("(stale info)")) {
                throw targetBranchExists();
            }
            throw new LocalRunFailure(LocalRunFailure.PUSH_FAILED, "could not push the branch " + targetBranch + " to the origin: "
                    + result.lastLine());
        }
    }

    /**
     * The agent gets a {@code .git} of its own (a copy of Handoff's, before anything ran), for agents that look at or
     * commit to their repository. Nothing in it is ever read by Handoff's git, and it holds no credentials.
     */
    private static void giveTheAgentItsOwnGitFolder(Git git, Path gitDir, Path repo, String url) throws IOException {
        Path agentGit = repo.resolve(".git");
        try (Stream<Path> paths = Files.walk(gitDir)) {
            for (Path source : paths.toList()) {
                Path target = agentGit.resolve(gitDir.relativize(source).toString());
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(source, target);
                }
            }
        }
        Git agentsGit = git.in(agentGit, repo);
        agentsGit.ok(repo, LocalRunFailure.CLONE_FAILED, "could not prepare the agent's repository", "config", "core.bare", "false");
        agentsGit.ok(repo, LocalRunFailure.CLONE_FAILED, "could not prepare the agent's repository",
                "config", "remote.origin.url", RunText.redactUrl(url));
    }

    /**
     * Handoff's own git for this run: with the run's git token (the workspace's own, else the operator's when shared) as
     * an HTTP header of git's process environment, only for an https origin on GitHub; never in a file or the worktree.
     */
    Git gitFor(String url) {
        Optional<String> token = settings.gitHub().token(Optional.ofNullable(gitToken));
        boolean gitHubHttps = settings.gitHub().repoOf(url).filter(GitHubPullRequests.Repo::https).isPresent();
        String authorization = token.isPresent() && gitHubHttps ? GitHubPullRequests.gitAuthorization(token.get()) : null;
        return new Git(settings.baseEnv(), authorization, () -> stop != null);
    }

    /**
     * The agent's command line, the bundled demo agent's script when that is the agent (the sandbox shows it), and how
     * its output is read.
     */
    record AgentCommand(String command, Path script, AgentOutput output) {
    }

    private AgentCommand agentCommand() {
        AgentPreset preset = agent == null ? null : agent.preset();
        if (preset != null && preset.cli()) {
            agents.notInstalled(preset).ifPresent(problem -> {
                throw new LocalRunFailure(LocalRunFailure.AGENT_NOT_INSTALLED, problem);
            });
            return new AgentCommand(agent.command(), null, preset.output());
        }
        Optional<String> configured = settings.agentCommand().map(String::strip).filter(c -> !c.isEmpty())
                .filter(c -> preset != AgentPreset.DEMO);
        if (configured.isPresent()) {
            return new AgentCommand(configured.get(), null, AgentOutput.PLAIN);
        }
        Optional<Path> demo = settings.demoAgent().map(String::strip).filter(p -> !p.isEmpty()).map(Path::of)
                .filter(p -> preset != AgentPreset.CUSTOM);
        if (demo.isPresent() && Files.isRegularFile(demo.get())) {
            return new AgentCommand("bash " + RunText.shellQuote(demo.get().toAbsolutePath().toString()), demo.get().toAbsolutePath(),
                    AgentOutput.PLAIN);
        }
        throw new LocalRunFailure(LocalRunFailure.AGENT_NOT_CONFIGURED,
                "no agent command is configured: the operator sets HANDOFF_LOCAL_AGENT_COMMAND (or HANDOFF_LOCAL_DEMO_AGENT"
                        + " for the bundled demo agent)");
    }

    /** The preset's reader of the agent's structured output; for a plain command, the reader this run was given. */
    private AgentOutput outputOf(AgentCommand command) {
        return command.output() == null || command.output() == AgentOutput.PLAIN ? agentOutput : command.output();
    }

    /** Runs the agent; false when the run was cancelled meanwhile. */
    private boolean runAgent(AgentCommand command, Path repo, Path prompt, Path log) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(settings.baseEnv());
        env.put("HANDOFF_RUN_ID", runId().toString());
        env.put("HANDOFF_TASK_TITLE", title);
        env.put("HANDOFF_PROMPT_FILE", prompt.toAbsolutePath().toString());
        if (agent != null) {
            // the workspace's key, for this agent's process only (never Handoff's git, never a log)
            env.putAll(agent.keyEnvironment());
        }
        Sandbox.Launch launch = null;
        AgentProcess agent;
        AgentLines lines;
        String name = commandName(command);
        if (settings.sandbox().enabled()) {
            Files.writeString(log, "# " + Instant.now() + " agent started for run " + runId() + " in its sandbox\n",
                    StandardCharsets.UTF_8);
            launch = settings.sandbox().launch(command.script() == null ? command.command() : "bash " + Sandbox.AGENT_SCRIPT,
                    command.script(), repo, prompt, env, "egress-" + runId().toString().substring(0, 8),
                    mirror == null ? null : mirror.objects());
            lines = new AgentLines(log, settings.maxLogBytes(), outputOf(command));
            activity.step("starting the agent: " + name + ", in its sandbox");
            agent = AgentProcess.startSandboxed(launch.argv(), repo, launch.env(), prompt, lines);
        } else {
            Files.writeString(log, "# " + Instant.now() + " agent started for run " + runId() + " WITHOUT a sandbox"
                    + " (HANDOFF_LOCAL_SANDBOX=off)\n", StandardCharsets.UTF_8);
            lines = new AgentLines(log, settings.maxLogBytes(), outputOf(command));
            activity.step("starting the agent: " + name + ", without a sandbox");
            agent = AgentProcess.start(command.command(), repo, env, prompt, lines);
        }
        Path marker = repo.getParent().resolve(AgentProcess.MARKER);
        try {
            agent.writeMarker(marker);
            return awaitAgent(agent, lines, repo, log);
        } finally {
            lines.close();
            Files.deleteIfExists(marker);
            if (launch != null) {
                launch.close();
            }
        }
    }

    /**
     * The agent's command as a step may show it: the program's name (and, for an interpreter, its script's name), never
     * its arguments or environment assignments, which may hold a key.
     */
    static String commandName(AgentCommand command) {
        if (command.script() != null) {
            return "bash " + command.script().getFileName();
        }
        List<String> words = new ArrayList<>();
        for (String word : command.command().strip().split("\\s+")) {
            if (words.isEmpty() && (word.contains("=") || word.isEmpty())) {
                continue; // VAR=value before the program
            }
            words.add(word);
            if (words.size() == 2) {
                break;
            }
        }
        if (words.isEmpty()) {
            return "the agent command";
        }
        String program = baseName(words.get(0));
        boolean interpreter = program.matches("(ba|z|da)?sh|python[0-9.]*|node|ruby|perl|deno|bun|java");
        return interpreter && words.size() == 2 && !words.get(1).startsWith("-") && !words.get(1).contains("=")
                ? program + " " + baseName(words.get(1)) : program;
    }

    private static String baseName(String path) {
        String unquoted = path.replaceAll("^['\"]|['\"]$", "");
        int slash = unquoted.lastIndexOf('/');
        return slash < 0 ? unquoted : unquoted.substring(slash + 1);
    }

    private boolean awaitAgent(AgentProcess agent, AgentLines lines, Path repo, Path log) throws InterruptedException {
        AgentProcess.Outcome outcome;
        try (WorktreeWatcher worktree = WorktreeWatcher.start(repo, settings.maxWorktreeBytes(), settings.worktreeCheckInterval())) {
            outcome = agent.await(settings.timeout(), () -> stop != null || worktree.over());
            boolean stoppedForSize = outcome == AgentProcess.Outcome.CANCELLED && stop == null;
            // the agent's last writes count too: measured once more after it exited
            if (stoppedForSize || (outcome == AgentProcess.Outcome.EXITED && worktree.checkNow())) {
                agent.killTree(settings.killGrace());
                throw worktree.failure();
            }
        }
        switch (outcome) {
            case CANCELLED -> {
                agent.killTree(settings.killGrace());
                drain(agent, lines);
                return false;
            }
            case TIMED_OUT -> {
                agent.killTree(settings.killGrace());
                drain(agent, lines);
                throw new LocalRunFailure(LocalRunFailure.AGENT_TIMED_OUT, "the agent did not finish within "
                        + human(settings.timeout()) + " (HANDOFF_LOCAL_AGENT_TIMEOUT) and was stopped");
            }
            default -> {
                // what the agent printed before it exited is read first: stopping the process closes its pipe, and
                // the pump may still be behind (a long output under load)
                agent.awaitOutput(OUTPUT_DRAIN);
                // whatever the agent left running in the background does not outlive it
                agent.killTree(Duration.ZERO);
                drain(agent, lines);
                activity.step("the agent finished with exit code " + agent.exitCode());
                if (agent.exitCode() != 0) {
                    String output = RunText.tail(log, 10, 1000);
                    throw new LocalRunFailure(LocalRunFailure.AGENT_FAILED, "the agent command exited with code "
                            + agent.exitCode() + (output.isEmpty() ? "" : "; its last output:\n" + output));
                }
                return true;
            }
        }
    }

    /** The agent's last lines are read (and in its log) before the run goes on. */
    private void drain(AgentProcess agent, AgentLines lines) throws InterruptedException {
        if (!agent.awaitOutput(OUTPUT_DRAIN)) {
            Log.warnf("local run %s: the agent's output is still open after it ended; later lines are dropped", runId());
        }
        lines.close();
    }

    /**
     * The agent's lines: each goes to the run's agent.log (cleaned like its activity, so that no secret the agent
     * printed reaches the log or the run's summary, and capped at {@code HANDOFF_LOCAL_MAX_LOG_BYTES}), and through the
     * run's {@link AgentOutput} to its activity. Called on the agent's output thread only.
     */
    private final class AgentLines implements AgentProcess.Lines, AgentOutput.Listener {

        private final Path path;
        private final long maxBytes;
        private OutputStream out;
        private long bytes;
        private boolean full;
        private boolean closed;
        private long cutChars;
        /** How this agent's lines are read (a preset's structured output, or plain lines). */
        private final AgentOutput output;

        AgentLines(Path path, long maxBytes, AgentOutput output) throws IOException {
            this.output = output;
            this.path = path;
            this.maxBytes = maxBytes;
            this.bytes = Files.size(path);
            this.out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.APPEND), 64 * 1024);
        }

        @Override
        public void line(String text, long cut) {
            synchronized (this) {
                if (closed) {
                    return; // the run went on without waiting for an output held open by something the agent left
                }
                writeToLog(text, cut);
            }
            cutChars = cut;
            try {
                output.line(text, this);
            } catch (RuntimeException e) {
                // an output a preset cannot read is still a line the agent printed
                activity.agent(ActivityKind.LOG, text, cut);
            }
        }

        private void writeToLog(String text, long cut) {
            if (full || out == null) {
                return;
            }
            byte[] line = (activity.clean(text, cut) + "\n").getBytes(StandardCharsets.UTF_8);
            try {
                if (bytes + line.length > maxBytes) {
                    full = true;
                    out.write(("# agent.log cut here: it reached " + maxBytes + " bytes (HANDOFF_LOCAL_MAX_LOG_BYTES);"
                            + " the agent's later output is not kept in it\n").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                out.write(line);
                bytes += line.length;
            } catch (IOException e) {
                Log.warnf("local run %s: writing %s failed: %s", runId(), path, e.toString());
                full = true;
            }
        }

        @Override
        public void entry(ActivityKind kind, String text) {
            activity.agent(kind, text, cutChars);
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                Log.warnf("local run %s: closing %s failed: %s", runId(), path, e.toString());
            }
        }
    }

    private void commit(Git git, Path repo) {
        git.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not stage the agent's changes", "add", "--all");
        String status = git.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not read the worktree status", "status", "--porcelain");
        if (!status.isBlank()) {
            git.ok(repo, LocalRunFailure.COMMIT_FAILED, "could not commit the agent's changes", "commit", "--quiet",
                    "--no-verify", "-m", (continueBranch ? "Follow-up: " : "") + title
                            + "\n\nMade by the Handoff local agent, run " + runId() + ".");
        }
    }

    private String openLocalPullRequest(Git git, Path repo, String base, String body) {
        PullRequestContent content = PullRequestContent.read(git, repo, base);
        UUID id = UUID.randomUUID();
        host.savePullRequest(new LocalPullRequest(id, request.workspaceId(), runId(), RunText.redactUrl(request.repositoryUrl()),
                request.branch(), targetBranch, title, body, content.commits(), content.diffStat(), content.diff(), Instant.now()));
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

    /** The agent's own answer when its preset reported one, else the last lines it printed. */
    private static String outputSection(String output, AgentTranscript said) {
        return said.summary() != null ? "\n\nThe agent's answer:\n" + said.summary() : outputSection(output);
    }

    private static String human(Duration duration) {
        return duration.toSeconds() % 60 == 0 && duration.toMinutes() > 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }

    /** Deletes a run's folder (or part of it), whatever the agent did to its permissions. */
    static void deleteQuietly(Path dir) {
        if (!RunFiles.delete(dir)) {
            Log.warnf("could not delete all of %s", dir);
        }
    }
}
