package dev.handoff.gateway.local;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.AgentConfig;
import dev.handoff.gateway.GatewayConfig;
import dev.handoff.gateway.local.agents.AgentLaunch;
import dev.handoff.gateway.local.agents.AgentPreset;
import dev.handoff.gateway.local.agents.AgentSessions;
import dev.handoff.gateway.local.agents.LocalAgents;
import dev.handoff.gateway.repository.AgentConfigRepository;
import dev.handoff.gateway.secrets.SecretNames;
import dev.handoff.gateway.secrets.SecretStore;
import dev.handoff.gateway.LocalPullRequest;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.activity.NoActivity;
import dev.handoff.gateway.provider.ActivityKind;
import dev.handoff.gateway.provider.RunActivity;
import dev.handoff.gateway.provider.AgentProvider;
import dev.handoff.gateway.provider.ProviderSettings;
import dev.handoff.gateway.repository.PullRequestRepository;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The embedded provider: agents run on this machine, on worker threads of their own (never the event loop). A run is
 * recorded, with this replica as its owner, before anything starts; the owner renews its lease while the run lives.
 * A run whose lease ran out lost its replica (a crash or restart) and is failed with {@code interrupted-by-restart}.
 */
@ApplicationScoped
public class LocalProvider implements AgentProvider {

    public static final String NAME = "local";

    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(30);

    private final RunLedger ledger;
    private final PullRequestRepository pullRequests;
    private final GatewayConfig config;
    private final String owner = "local-" + UUID.randomUUID();
    private final Map<UUID, LocalRun> active = new ConcurrentHashMap<>();
    private final RunScheduler workers;
    private final LocalRun.Settings settings;
    private final RunActivity activity;
    private final LocalAgents agents;
    private final AgentConfigRepository configs;
    private final SecretStore secrets;

    public LocalProvider(RunLedger ledger, PullRequestRepository pullRequests, GatewayConfig config,
            dev.handoff.gateway.sandbox.Sandbox sandbox, RunActivity activity, LocalAgents agents,
            AgentConfigRepository configs, SecretStore secrets,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.port", defaultValue = "8083") int port) {
        this.activity = activity;
        this.ledger = ledger;
        this.pullRequests = pullRequests;
        this.config = config;
        this.agents = agents;
        this.configs = configs;
        this.secrets = secrets;
        GatewayConfig.Local local = config.local();
        this.workers = new RunScheduler(local.maxParallel(), local.maxQueued(), "local-agent");
        String publicUrl = config.publicUrl().map(String::strip).filter(s -> !s.isEmpty())
                .orElse("http://127.0.0.1:" + port).replaceAll("/+$", "");
        Map<String, String> baseEnv = new HashMap<>(agentBaseEnvironment(local.agentEnv().orElse(List.of()), System.getenv()));
        baseEnv.put("PATH", agents.agentPath());
        this.settings = new LocalRun.Settings(workRoot(local), local.agentCommand(), local.demoAgent(), local.agentTimeout(),
                local.killGrace(), publicUrl, Map.copyOf(baseEnv), new RepositoryPolicy(local.repoRoots().orElse(List.of()),
                        local.allowedHosts().orElse(List.of())),
                new GitHubPullRequests(config.github().apiUrl(),
                        config.github().tokenShared() ? config.github().token() : Optional.empty()), sandbox,
                local.maxLogBytes(), local.maxWorktreeBytes(), local.worktreeCheckInterval(),
                local.mirrors() ? new Mirrors(workRoot(local).resolve("mirrors")) : Mirrors.OFF);
    }

    /**
     * The whole environment an agent (and git) gets besides its three HANDOFF_ variables: enough to find programs,
     * a home, a locale and a terminal type, plus the variables the operator names in HANDOFF_LOCAL_AGENT_ENV; none of
     * the gateway's settings or secrets (a HANDOFF_, QUARKUS_, KAFKA_ or database name is never handed on, even when
     * named).
     */
    static Map<String, String> agentBaseEnvironment(List<String> operatorNames, Map<String, String> gatewayEnv) {
        Map<String, String> env = new HashMap<>();
        for (String name : operatorNames) {
            String n = name.strip();
            if (n.isEmpty() || n.startsWith("HANDOFF_") || n.startsWith("QUARKUS_") || n.startsWith("KAFKA_")
                    || n.startsWith("MP_") || n.startsWith("PG") || n.startsWith("JAVA_") || n.startsWith("OTEL_")) {
                continue;
            }
            String value = gatewayEnv.get(n);
            if (value != null) {
                env.put(n, value);
            }
        }
        env.put("PATH", Optional.ofNullable(gatewayEnv.get("PATH")).orElse("/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", System.getProperty("user.home"));
        env.put("LANG", Optional.ofNullable(gatewayEnv.get("LANG")).orElse("C.UTF-8"));
        env.put("TERM", "dumb");
        return Map.copyOf(env);
    }

    private static Path workRoot(GatewayConfig.Local local) {
        Path root = local.workDir().map(String::strip).filter(s -> !s.isEmpty()).map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "handoff-worktrees"));
        try {
            return Files.createDirectories(root).toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException("HANDOFF_LOCAL_WORK_DIR " + root + " cannot be created", e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The operator configures the agent; a workspace gives no key. Repositories may be {@code file://} ones. */
    @Override
    public ProviderSettings settings() {
        return new ProviderSettings(false, true);
    }

    /** Never asked: the local provider takes no key. */
    @Override
    public Uni<Void> verifyKey(String apiKey) {
        return Uni.createFrom().voidItem();
    }

    /**
     * The gateway's steps and failures, each line the agent prints (a plain agent command's lines are {@code log}
     * entries), and {@code truncated} when the agent printed more than a run keeps.
     */
    @Override
    public Set<ActivityKind> activity() {
        return Set.of(ActivityKind.STEP, ActivityKind.LOG, ActivityKind.ERROR, ActivityKind.TRUNCATED);
    }

    /**
     * Records the run (this replica owns it) and queues it; a redelivered request finds the run recorded and starts
     * nothing.
     */
    @Override
    public Uni<Void> launch(RunRequested request) {
        return start(request, false);
    }

    private Uni<Void> start(RunRequested request, boolean continueBranch) {
        return workspace(request).chain(workspace -> ledger.recordOwned(request, NAME, owner, config.local().lease())
                .chain(isNew -> {
                    if (!isNew) {
                        Log.debugf("local run %s was launched before; redelivery ignored", request.runId());
                        return Uni.createFrom().voidItem();
                    }
                    LocalRun run = new LocalRun(request, settings, host(), continueBranch).agent(workspace.agent(), agents)
                            .gitToken(workspace.gitToken());
                    active.put(request.runId(), run);
                    try {
                        workers.submit(request.workspaceId(), () -> {
                            try {
                                run.run();
                            } finally {
                                active.remove(request.runId());
                            }
                        });
                        return Uni.createFrom().voidItem();
                    } catch (RunScheduler.QueueFull full) {
                        active.remove(request.runId());
                        Log.warnf("local run %s refused: %s", request.runId(), full.getMessage());
                        return ledger.apply(request.runId(), RunUpdate.failed("QUEUE_FULL", LocalRunFailure.LOCAL_QUEUE_FULL,
                                full.getMessage() + " (handoff.local.max-queued) on this gateway, so this run was not queued;"
                                        + " retry it when some have finished")).replaceWithVoid();
                    }
                }))
                .replaceWithVoid();
    }

    /** What a workspace's local run needs of its configuration and secrets; never printed with them. */
    record Workspace(AgentLaunch agent, String gitToken) {

        @Override
        public String toString() {
            return "Workspace[" + agent + ", gitToken=" + (gitToken == null ? "none" : "set") + "]";
        }
    }

    /**
     * The workspace's agent preset (its choice if the operator still enables it, else the first enabled), model and
     * key, its own git token, and for a follow-up the session of the earlier run (of the same workspace and preset).
     */
    Uni<Workspace> workspace(RunRequested request) {
        String workspace = request.workspaceId();
        return configs.find(workspace).chain(found -> {
            Optional<AgentConfig> local = found.filter(c -> NAME.equals(c.provider()));
            AgentPreset preset = local.map(AgentConfig::agent).flatMap(agents::pick).orElse(agents.first());
            String model = local.map(AgentConfig::model).orElse(null);
            Uni<Optional<String>> key = preset.cli() ? secrets.get(SecretNames.agentKey(workspace))
                    : Uni.createFrom().item(Optional.empty());
            Uni<Optional<String>> session = request.followUp() == null || request.followUp().runId() == null
                    ? Uni.createFrom().item(Optional.empty())
                    : ledger.find(request.followUp().runId()).map(earlier -> earlier
                            .filter(run -> workspace.equals(run.workspaceId()))
                            .flatMap(run -> AgentSessions.resumable(run.agentSession(), preset)));
            return key.chain(apiKey -> session.chain(resume -> secrets.get(SecretNames.gitToken(workspace))
                    .map(gitToken -> new Workspace(new AgentLaunch(preset, model, apiKey.orElse(null), resume.orElse(null)),
                            gitToken.orElse(null)))));
        });
    }

    /**
     * Stops a run: this replica's own run is told at once (its thread kills the agent's process tree); another live
     * replica's run learns it from its next lease renewal; a run nobody owns any more is cancelled here.
     */
    @Override
    public Uni<Void> cancel(ProviderRun run) {
        LocalRun mine = active.get(run.runId());
        if (mine != null) {
            mine.cancel();
            return Uni.createFrom().voidItem();
        }
        boolean ownerGone = run.leaseUntil() == null || run.leaseUntil().isBefore(java.time.Instant.now());
        return ownerGone ? ledger.apply(run.runId(), RunUpdate.cancelled("CANCELLED")).replaceWithVoid() : Uni.createFrom().voidItem();
    }

    /**
     * A follow-up is a run like any other, in a fresh sandboxed worktree, but it starts from the head of the earlier
     * run's branch and pushes on top of it (fast-forward only, never forced); its commits join the same pull request.
     */
    @Override
    public Uni<Void> followUp(RunRequested request, ProviderRun earlier) {
        return start(request, true);
    }

    /** Keeps this replica's runs claimed and passes on cancellations asked of another replica. */
    @Scheduled(every = "${handoff.local.heartbeat:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> heartbeat() {
        List<UUID> mine = new ArrayList<>(active.keySet());
        return ledger.renewLeases(owner, mine, config.local().lease())
                .invoke(cancelled -> cancelled.forEach(runId -> {
                    LocalRun run = active.get(runId);
                    if (run != null) {
                        run.cancel();
                    }
                }))
                .replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("renewing local run leases: %s", failure.toString());
                    return null;
                });
    }

    /** Fails the local runs whose replica is gone: they were interrupted by a restart and nobody will finish them. */
    @Scheduled(every = "${handoff.local.heartbeat:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> failAbandonedRuns() {
        return ledger.failAbandoned(NAME, 100, LocalRun.interrupted())
                .invoke(failed -> {
                    if (failed > 0) {
                        Log.infof("%d local run(s) interrupted by a restart were failed", failed);
                    }
                })
                .replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("failing abandoned local runs: %s", failure.toString());
                    return null;
                });
    }

    /**
     * At startup: agents left running by a gateway that died without stopping them are stopped (their runs are failed
     * as interrupted by {@link #failAbandonedRuns()}), and run folders (prompt, agent log) older than a week go.
     */
    void onStart(@Observes StartupEvent startup) {
        workers.background(this::cleanWorkRoot);
    }

    @Scheduled(every = "6h", delayed = "1h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void purgeOldRunFolders() {
        workers.background(this::cleanWorkRoot);
    }

    private void cleanWorkRoot() {
        Instant weekAgo = Instant.now().minus(Duration.ofDays(7));
        try (var dirs = Files.list(settings.workRoot())) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                UUID runId;
                try {
                    runId = UUID.fromString(dir.getFileName().toString());
                } catch (IllegalArgumentException notARun) {
                    continue;
                }
                if (active.containsKey(runId)) {
                    continue;
                }
                Path marker = dir.resolve(AgentProcess.MARKER);
                if (Files.exists(marker) && AgentProcess.stopOrphan(marker)) {
                    Log.infof("stopped the agent of run %s, left running by a gateway that stopped", runId);
                }
                if (Files.getLastModifiedTime(dir).toInstant().isBefore(weekAgo)) {
                    LocalRun.deleteQuietly(dir);
                }
            }
        } catch (IOException e) {
            Log.warnf("cleaning %s: %s", settings.workRoot(), e.toString());
        }
    }

    /** On shutdown the agents stop with the gateway; their runs are failed as interrupted when a replica next looks. */
    void onShutdown(@Observes ShutdownEvent shutdown) {
        active.values().forEach(LocalRun::shutdown);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(config.local().killGrace().toMillis() + 5000, TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private LocalRun.Host host() {
        return new LocalRun.Host() {
            @Override
            public void report(UUID runId, RunUpdate update) {
                ledger.apply(runId, update).await().atMost(REPORT_TIMEOUT);
            }

            @Override
            public void savePullRequest(LocalPullRequest pullRequest) {
                pullRequests.insert(pullRequest).await().atMost(REPORT_TIMEOUT);
            }

            @Override
            public RunActivity.Run activity(RunRequested request) {
                try {
                    return activity.open(request).await().atMost(REPORT_TIMEOUT);
                } catch (RuntimeException e) {
                    Log.warnf("local run %s: its activity could not be opened, the run goes on without it: %s",
                            request.runId(), e.toString());
                    return NoActivity.INSTANCE;
                }
            }

            @Override
            public Optional<LocalPullRequest> findPullRequest(String workspaceId, UUID id) {
                return pullRequests.find(workspaceId, id).await().atMost(REPORT_TIMEOUT);
            }

            @Override
            public void updatePullRequest(LocalPullRequest pullRequest) {
                pullRequests.updateContent(pullRequest).await().atMost(REPORT_TIMEOUT);
            }
        };
    }
}
