package dev.handoff.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.e2e.SampleRepo;
import dev.handoff.e2e.Sample;
import dev.handoff.e2e.Stack;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.TokenSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code ./handoff chaos}: crash recovery of the whole stack, checked from the outside.
 *
 * <p>An isolated stack (ports 38081-38084, Kafka 19392, databases {@code *_chaos}) gets many runs in flight on the
 * local provider (a quick agent that records every start) and on a fake Cursor whose agents finish or fail by
 * themselves and send signed webhooks. Phase 1 kills each of the four services once with SIGKILL at a random moment
 * and restarts it with {@code ./handoff up}; phase 2 does the same to the Kafka broker. After each phase every run must
 * reach a final state that matches what its provider did, no run may have been launched twice at its provider, no
 * pull request opened twice, every task's projection must equal its run, and an SSE client that resumed with
 * {@code Last-Event-ID} after every broken connection must have seen every status change of every run, in order,
 * with no gap and no duplicate. Prints a summary; exits 1 when anything was violated.
 */
public final class Chaos {

    private static final List<String> SERVICES = List.of("task-service", "agent-run-service", "provider-gateway", "notification-service");
    private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");
    /** The contract's activity kinds ("Run activity": {@code entries[].kind}). */
    private static final Set<String> ACTIVITY_KINDS = Set.of("step", "log", "message", "tool", "error", "truncated");
    private static final String SUFFIX = "_chaos";

    private final Path root;
    private final Path state;
    private final int offset;
    private final int kafkaPort;
    private final Random random;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final FakeCursorApi cursor;
    private final String cursorKey = "key_chaos_" + UUID.randomUUID().toString().replace("-", "");
    private final RawHttp http = new RawHttp();
    private final Databases databases = new Databases(SUFFIX);
    private final Path invocations;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> kills = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> launchAnswers = Collections.synchronizedMap(new TreeMap<>());
    private final AtomicInteger launchRetries = new AtomicInteger();
    private final Map<String, Integer> followUpAnswers = Collections.synchronizedMap(new TreeMap<>());
    private final AtomicInteger followUpCandidates = new AtomicInteger();
    private final AtomicInteger activityEntries = new AtomicInteger();
    private final AtomicInteger activityPages = new AtomicInteger();
    private final AtomicInteger activityRuns = new AtomicInteger();
    private final AtomicInteger streamedActivityEntries = new AtomicInteger();
    private final double followUpRate;
    private final Instant started = Instant.now();
    private TokenSigner jwt;
    private String repository;

    /** One run the chaos launched (a first run of its task, or a follow-up of one) and what it expects of it. */
    private static final class Tracked {
        final String workspace;
        final String token;
        final String provider;
        final String taskId;
        final int phase;
        /** The run this one follows up (same task, branch and pull request), null for a task's first run. */
        final Tracked followUpOf;
        volatile String runId;
        volatile String targetBranch;
        volatile boolean cancelRequested;
        volatile int cancelStatus;
        /** Looked at by the follow-up sweep once it had ended (followed up or not). */
        volatile boolean examined;
        /** The pull request the run had when it was followed up. */
        volatile String pullRequestUrl;
        /** The follow-up launched on this run, or null. */
        volatile Tracked followUp;

        Tracked(String workspace, String token, String provider, String taskId, int phase) {
            this(workspace, token, provider, taskId, phase, null);
        }

        Tracked(String workspace, String token, String provider, String taskId, int phase, Tracked followUpOf) {
            this.workspace = workspace;
            this.token = token;
            this.provider = provider;
            this.taskId = taskId;
            this.phase = phase;
            this.followUpOf = followUpOf;
        }

        boolean isFollowUp() {
            return followUpOf != null;
        }

        /** The task's latest run is this one: nobody followed it up. */
        boolean isLatest() {
            return followUp == null || followUp.runId == null;
        }
    }

    private Chaos(Path root, int offset, int kafkaPort, long seed, double followUpRate) {
        this.root = root;
        this.followUpRate = followUpRate;
        this.state = root.resolve(".handoff/chaos");
        this.offset = offset;
        this.kafkaPort = kafkaPort;
        this.random = new Random(seed);
        this.invocations = state.resolve("agent-invocations");
        this.cursor = FakeCursorApi.start(0, cursorKey);
        cursor.autopilot(new FakeCursorApi.Autopilot(new Random(seed + 1), 0.15, 1000, 8000));
        env.put("HANDOFF_STATE", state.toString());
        env.put("HANDOFF_PORT_OFFSET", String.valueOf(offset));
        env.put("HANDOFF_KAFKA_PORT", String.valueOf(kafkaPort));
        env.put("HANDOFF_DB_SUFFIX", SUFFIX);
        env.put("HANDOFF_NO_BUILD", "1");
        env.put("HANDOFF_LOCAL_AGENT_COMMAND", "bash " + root.resolve("e2e/src/main/resources/chaos/chaos-agent.sh") + " " + invocations
                + " " + root.resolve("deploy/local/demo-agent.sh"));
        // the chaos agent counts its starts in a file of this stack's state directory (a run started twice was
        // launched twice), which a sandboxed agent cannot write: the faults tested here are kills, not escapes
        env.put("HANDOFF_LOCAL_SANDBOX", "off");
        env.put("HANDOFF_CURSOR_BASE_URL", cursor.baseUrl());
        env.put("HANDOFF_PUBLIC_URL", "http://127.0.0.1:" + (8083 + offset));
        env.put("HANDOFF_CURSOR_POLL_INTERVAL", "2s");
        env.put("HANDOFF_CURSOR_MAX_BACKOFF", "10s");
        env.put("HANDOFF_CURSOR_LEASE", "15s");
        env.put("HANDOFF_LOCAL_LEASE", "15s");
        env.put("HANDOFF_LOCAL_HEARTBEAT", "3s");
        env.put("HANDOFF_LOCAL_MAX_PARALLEL", "6");
        env.put("HANDOFF_MAX_ACTIVE_RUNS", "100000");
        // the machine's PostgreSQL (100 connections) is shared: modest pools for this stack
        env.put("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "6");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int runs = Integer.parseInt(options.getOrDefault("runs", "200"));
        int cursorRuns = Integer.parseInt(options.getOrDefault("cursor-runs", String.valueOf(runs / 4)));
        int brokerRuns = Integer.parseInt(options.getOrDefault("broker-runs", "60"));
        int dbOutage = Integer.parseInt(options.getOrDefault("db-outage", "0"));
        long seed = Long.parseLong(options.getOrDefault("seed", String.valueOf(System.currentTimeMillis())));
        boolean keep = Boolean.parseBoolean(options.getOrDefault("keep", "false"));
        double followUps = Double.parseDouble(options.getOrDefault("followups", "0.3"));
        Path root = Stack.rootFromEnvironment();
        Chaos chaos = new Chaos(root, Integer.parseInt(options.getOrDefault("port-offset", "30000")),
                Integer.parseInt(options.getOrDefault("kafka-port", "19392")), seed, followUps);
        System.out.printf("chaos: seed %d, %d runs (%d on the fake Cursor) with a SIGKILL of each service, then %d runs with a broker"
                + " restart%s; %.0f%% of the runs that complete with a pull request meanwhile are followed up%n", seed, runs,
                cursorRuns, brokerRuns, dbOutage > 0 ? ", then " + brokerRuns + " runs with a " + dbOutage + " s database outage" : "",
                followUps * 100);
        int exit;
        try {
            exit = chaos.run(runs, cursorRuns, brokerRuns, dbOutage);
        } finally {
            if (!keep) {
                chaos.stack(false).down();
            }
            chaos.cursor.close();
        }
        System.exit(exit);
    }

    private Stack stack(boolean fresh) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        if (fresh) {
            copy.put("HANDOFF_DB_FRESH", "1");
        }
        return new Stack(root, copy);
    }

    private int run(int runs, int cursorRuns, int brokerRuns, int dbOutageSeconds) throws Exception {
        try {
            stack(false).down();
        } catch (RuntimeException e) {
            // nothing was running
        }
        deleteRecursively(state);
        say("starting the chaos stack on ports " + (8081 + offset) + "-" + (8084 + offset) + ", Kafka " + kafkaPort);
        stack(true).up();
        jwt = TokenSigner.ofStack(state);
        repository = SampleRepo.ensure(state.resolve("repos"), "greeter");

        String localWs = "chaos-local-" + UUID.randomUUID().toString().substring(0, 6);
        String cursorWs = "chaos-cursor-" + UUID.randomUUID().toString().substring(0, 6);
        String localToken = jwt.admin(localWs);
        String cursorToken = jwt.admin(cursorWs);
        expect(200, http.json("PUT", gateway("/api/agent-config"), localToken, Map.of("provider", "local", "enabled", true)), "configure local");
        expect(200, http.json("PUT", gateway("/api/agent-config"), cursorToken,
                Map.of("provider", "cursor", "apiKey", cursorKey, "enabled", true)), "configure cursor");

        SseClient sse = SseClient.of(notifications(""), 4);
        SseStream localEvents = sse.openResuming("/api/events", Map.of("Authorization", "Bearer " + localToken));
        SseStream cursorEvents = sse.openResuming("/api/events", Map.of("Authorization", "Bearer " + cursorToken));
        awaitTrue(() -> localEvents.isLive() && cursorEvents.isLive(), Duration.ofSeconds(30), "the event streams are live");

        // ---- phase 1: every service killed once ----
        List<Tracked> phase1 = tasks(localWs, localToken, cursorWs, cursorToken, runs - cursorRuns, cursorRuns, 1);
        long window = Math.max(40_000, runs * 250L);
        say("phase 1: launching " + phase1.size() + " runs over " + window / 1000 + " s while each service is killed once");
        List<String> order = new ArrayList<>(SERVICES);
        Collections.shuffle(order, random);
        Future<?> killer = background(() -> {
            long slot = window / order.size();
            for (int i = 0; i < order.size(); i++) {
                sleep(2000 + (long) (random.nextDouble() * (slot - 2000)));
                killAndRestart(order.get(i));
            }
        });
        FollowUps followUps1 = new FollowUps(phase1);
        launchAll(phase1, window);
        killer.get();
        phase1.addAll(followUps1.stop());
        settle(phase1, localEvents, cursorEvents, "phase 1");

        // ---- phase 2: the broker restarted mid-flow ----
        List<Tracked> phase2 = tasks(localWs, localToken, cursorWs, cursorToken, brokerRuns - brokerRuns / 4, brokerRuns / 4, 2);
        long window2 = Math.max(20_000, brokerRuns * 300L);
        say("phase 2: launching " + phase2.size() + " runs over " + window2 / 1000 + " s with a broker SIGKILL and restart");
        Future<?> brokerKiller = background(() -> {
            sleep(3000 + (long) (random.nextDouble() * (window2 / 2)));
            killAndRestartBroker();
        });
        FollowUps followUps2 = new FollowUps(phase2);
        launchAll(phase2, window2);
        brokerKiller.get();
        phase2.addAll(followUps2.stop());
        settle(phase2, localEvents, cursorEvents, "phase 2");

        List<Tracked> all = new ArrayList<>(phase1);
        all.addAll(phase2);

        // ---- phase 3 (opt-in): every service database refuses connections for a while ----
        if (dbOutageSeconds > 0) {
            List<Tracked> phase3 = tasks(localWs, localToken, cursorWs, cursorToken, brokerRuns - brokerRuns / 4, brokerRuns / 4, 3);
            long window3 = Math.max(20_000, brokerRuns * 300L);
            say("phase 3: launching " + phase3.size() + " runs over " + window3 / 1000 + " s with a " + dbOutageSeconds
                    + " s outage of every service database");
            Future<?> outage = background(() -> {
                sleep(3000 + (long) (random.nextDouble() * (window3 / 2)));
                databaseOutage(dbOutageSeconds);
            });
            FollowUps followUps3 = new FollowUps(phase3);
            launchAll(phase3, window3);
            outage.get();
            phase3.addAll(followUps3.stop());
            settle(phase3, localEvents, cursorEvents, "phase 3");
            all.addAll(phase3);
        }
        checkEventStreams(all, Map.of(localWs, localEvents, cursorWs, cursorEvents));
        checkActivity(all, List.of(localEvents, cursorEvents));
        localEvents.close();
        cursorEvents.close();
        sse.close();
        return summary(all, Map.of("local", localEvents, "cursor", cursorEvents));
    }

    // ---- launching ----

    private List<Tracked> tasks(String localWs, String localToken, String cursorWs, String cursorToken, int local, int remote, int phase) {
        List<Tracked> tracked = new ArrayList<>();
        String localBrief = expect(201, http.json("POST", tasks("/api/briefs"), localToken, Sample.brief()), "brief").get("id").asText();
        String cursorBrief = expect(201, http.json("POST", tasks("/api/briefs"), cursorToken, Sample.brief()), "brief").get("id").asText();
        for (int i = 0; i < local + remote; i++) {
            boolean onCursor = i < remote;
            String token = onCursor ? cursorToken : localToken;
            String brief = onCursor ? cursorBrief : localBrief;
            String taskId = expect(201, http.json("POST", tasks("/api/briefs/" + brief + "/tasks"), token,
                    Sample.task("Chaos task " + phase + "-" + i)), "task").get("id").asText();
            tracked.add(new Tracked(onCursor ? cursorWs : localWs, token, onCursor ? "cursor" : "local", taskId, phase));
        }
        Collections.shuffle(tracked, random);
        return tracked;
    }

    /** Launches every run at an even pace over the window; a launch that fails is repeated with its Idempotency-Key. */
    private void launchAll(List<Tracked> runs, long windowMillis) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> pending = new ArrayList<>();
        long pace = windowMillis / Math.max(1, runs.size());
        for (Tracked run : runs) {
            pending.add(pool.submit(() -> launch(run)));
            sleep(pace);
        }
        for (Future<?> future : pending) {
            future.get();
        }
        pool.shutdown();
    }

    private void launch(Tracked run) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repositoryUrl", run.provider.equals("cursor") ? "https://github.com/acme/greeter.git" : repository);
        body.put("branch", "main");
        Map<String, String> headers = RawHttp.auth(run.token);
        headers.put("Content-Type", "application/json");
        headers.put("Idempotency-Key", "chaos-" + run.taskId);
        byte[] bytes = toJson(body);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline) {
            RawHttp.Answer answer;
            try {
                answer = http.send("POST", runs("/api/tasks/" + run.taskId + "/runs"), headers, bytes, Duration.ofSeconds(20));
            } catch (IllegalStateException e) {
                launchAnswers.merge("no answer", 1, Integer::sum);
                launchRetries.incrementAndGet();
                sleep(1000);
                continue;
            }
            launchAnswers.merge(String.valueOf(answer.status()), 1, Integer::sum);
            if (answer.status() == 201 || answer.status() == 200) {
                run.runId = answer.json().get("id").asText();
                run.targetBranch = answer.json().get("targetBranch").asText();
                if (random.nextDouble() < 0.1) {
                    // marked before the pause: the follow-up sweep leaves a run that is about to be cancelled alone
                    run.cancelRequested = true;
                    sleep(300 + random.nextInt(3000));
                    cancel(run);
                }
                return;
            }
            if (answer.status() < 500 && answer.status() != 429) {
                violations.add("launch of task " + run.taskId + " refused: " + answer.brief());
                return;
            }
            launchRetries.incrementAndGet();
            sleep(1000);
        }
        violations.add("launch of task " + run.taskId + " never succeeded within 4 minutes");
    }

    private void cancel(Tracked run) {
        run.cancelRequested = true;
        for (int attempt = 0; attempt < 120; attempt++) {
            try {
                RawHttp.Answer answer = http.send("POST", runs("/api/runs/" + run.runId + "/cancel"), RawHttp.auth(run.token), null,
                        Duration.ofSeconds(20));
                if (answer.status() == 200 || answer.status() == 409) {
                    run.cancelStatus = answer.status();
                    return;
                }
            } catch (IllegalStateException e) {
                // the run service is down: try again
            }
            sleep(1000);
        }
        violations.add("cancel of run " + run.runId + " never answered");
    }

    // ---- follow-ups ----

    /**
     * While a phase's runs are launched and its fault strikes, a sweep looks at each run once it has ended and follows
     * up a share of those that COMPLETED with a pull request ({@code --followups}). Each follow-up is asked for by two
     * clients at once with different {@code Idempotency-Key}s: exactly one may be accepted, since a task has at most
     * one active run.
     */
    private final class FollowUps {
        private final List<Tracked> runs;
        private final List<Tracked> launched = Collections.synchronizedList(new ArrayList<>());
        private final List<Future<?>> pending = Collections.synchronizedList(new ArrayList<>());
        private final ExecutorService pool = Executors.newFixedThreadPool(4);
        private final Future<?> sweeper;
        private volatile boolean stopping;

        FollowUps(List<Tracked> runs) {
            this.runs = List.copyOf(runs);
            this.sweeper = background(this::sweep);
        }

        private void sweep() {
            while (!stopping) {
                for (Tracked run : runs) {
                    if (stopping) {
                        break;
                    }
                    if (run.runId == null || run.examined || run.cancelRequested) {
                        continue;
                    }
                    JsonNode view = peek(runs("/api/runs/" + run.runId), run.token);
                    String status = view == null ? null : view.path("status").asText();
                    if (status == null || !FINAL.contains(status)) {
                        continue;
                    }
                    run.examined = true;
                    String url = view.path("pullRequest").path("url").asText("");
                    if ("COMPLETED".equals(status) && !url.isEmpty()) {
                        followUpCandidates.incrementAndGet();
                        if (random.nextDouble() < followUpRate) {
                            run.pullRequestUrl = url;
                            pending.add(pool.submit(() -> followUp(run, launched)));
                        }
                    }
                }
                sleep(1000);
            }
        }

        /** Stops looking for runs to follow up, waits for the follow-ups being asked for and answers them. */
        List<Tracked> stop() throws Exception {
            stopping = true;
            sweeper.get();
            for (Future<?> future : List.copyOf(pending)) {
                future.get();
            }
            pool.shutdown();
            return List.copyOf(launched);
        }
    }

    /** Two clients follow up {@code run} at once; the one follow-up accepted is tracked like any run. */
    private void followUp(Tracked run, List<Tracked> launched) {
        Future<RawHttp.Answer> first = async(() -> requestFollowUp(run, "a"));
        Future<RawHttp.Answer> second = async(() -> requestFollowUp(run, "b"));
        List<RawHttp.Answer> answers = new ArrayList<>();
        try {
            answers.add(first.get());
            answers.add(second.get());
        } catch (Exception e) {
            violations.add("follow-up of run " + run.runId + ": " + e);
            return;
        }
        Map<String, JsonNode> accepted = new LinkedHashMap<>();
        for (RawHttp.Answer answer : answers) {
            if (answer != null && (answer.status() == 201 || answer.status() == 200)) {
                accepted.put(answer.json().path("id").asText(), answer.json());
            }
        }
        if (accepted.size() != 1) {
            violations.add("follow-up of run " + run.runId + ": two clients asking at once got " + accepted.size()
                    + " follow-ups accepted " + accepted.keySet() + " (a task has at most one active run)");
        }
        for (RawHttp.Answer answer : answers) {
            if (answer != null && answer.status() == 409 && "run-already-active".equals(answer.code()) && accepted.size() == 1
                    && !accepted.containsKey(answer.json().path("activeRunId").asText())) {
                violations.add("follow-up of run " + run.runId + ": refused as run-already-active with activeRunId "
                        + answer.json().path("activeRunId") + " but the active run is the follow-up " + accepted.keySet());
            }
        }
        for (JsonNode view : accepted.values()) {
            Tracked next = new Tracked(run.workspace, run.token, run.provider, run.taskId, run.phase, run);
            next.runId = view.path("id").asText();
            next.targetBranch = view.path("targetBranch").asText();
            if (!run.runId.equals(view.path("followUpOf").asText()) || !run.targetBranch.equals(next.targetBranch)
                    || !run.provider.equals(view.path("provider").asText())) {
                violations.add("follow-up " + next.runId + " of run " + run.runId + " (" + run.provider + ", branch "
                        + run.targetBranch + ") answered followUpOf " + view.path("followUpOf") + ", provider "
                        + view.path("provider") + ", targetBranch " + view.path("targetBranch"));
            }
            if (run.followUp == null) {
                run.followUp = next;
            }
            launched.add(next);
        }
    }

    /**
     * One client's follow-up of {@code run}, repeated with its Idempotency-Key while a service is down; answers the
     * 201/200 or the 409, null when neither came.
     */
    private RawHttp.Answer requestFollowUp(Tracked run, String client) {
        Map<String, String> headers = RawHttp.auth(run.token);
        headers.put("Content-Type", "application/json");
        headers.put("Idempotency-Key", "chaos-followup-" + client + "-" + run.runId);
        byte[] bytes = toJson(Map.of("instructions", "Chaos follow-up (client " + client + "): also add a test."));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline) {
            RawHttp.Answer answer;
            try {
                answer = http.send("POST", runs("/api/runs/" + run.runId + "/followups"), headers, bytes, Duration.ofSeconds(20));
            } catch (IllegalStateException e) {
                followUpAnswers.merge("no answer", 1, Integer::sum);
                sleep(1000);
                continue;
            }
            followUpAnswers.merge(answer.status() + (answer.code() == null ? "" : " " + answer.code()), 1, Integer::sum);
            if (answer.status() == 201 || answer.status() == 200) {
                return answer;
            }
            if (answer.status() == 409 && Set.of("run-already-active", "run-not-followable").contains(answer.code())) {
                return answer;
            }
            if (answer.status() < 500 && answer.status() != 429) {
                violations.add("follow-up of run " + run.runId + " refused: " + answer.brief());
                return null;
            }
            sleep(1000);
        }
        violations.add("follow-up of run " + run.runId + " never answered within 4 minutes");
        return null;
    }

    // ---- faults ----

    private void killAndRestart(String service) {
        Path pidFile = state.resolve("run/" + service + ".pid");
        long pid = readPid(pidFile);
        long at = secondsSinceStart();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitTrue(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), Duration.ofSeconds(20), service + " died");
        say("  t+" + at + "s  SIGKILL " + service + " (pid " + pid + "); restarting it with ./handoff up");
        long restart = System.nanoTime();
        stack(false).up();
        kills.add(service + " at t+" + at + "s (back in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restart) + " s)");
    }

    private void killAndRestartBroker() {
        Path pidFile = state.resolve("kafka/pid");
        long pid = readPid(pidFile);
        long at = secondsSinceStart();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitTrue(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), Duration.ofSeconds(20), "the broker died");
        say("  t+" + at + "s  SIGKILL the Kafka broker (pid " + pid + "); restarting it with ./handoff up");
        long restart = System.nanoTime();
        stack(false).up();
        kills.add("kafka broker at t+" + at + "s (back in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restart) + " s)");
    }

    /** The service databases refuse new connections and lose their open ones, then come back (needs superuser psql). */
    private void databaseOutage(int seconds) {
        long at = secondsSinceStart();
        for (String database : databases.names()) {
            superuser("alter database " + database + " allow_connections false");
            superuser("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
        }
        say("  t+" + at + "s  the four service databases refuse connections for " + seconds + " s");
        sleep(seconds * 1000L);
        for (String database : databases.names()) {
            superuser("alter database " + database + " allow_connections true");
        }
        kills.add("databases at t+" + at + "s (" + seconds + " s outage)");
    }

    private static void superuser(String sql) {
        try {
            Process psql = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-w", "-Atqc", sql)
                    .redirectErrorStream(true).start();
            String out = new String(psql.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!psql.waitFor(30, TimeUnit.SECONDS) || psql.exitValue() != 0) {
                throw new IllegalStateException("psql as postgres: " + sql + ": " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the database outage needs psql", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- checks ----

    /** Waits for every run to end, then checks each against its provider, the task projections and duplicates. */
    private void settle(List<Tracked> runs, SseStream localEvents, SseStream cursorEvents, String phase) {
        say(phase + ": waiting for every run to reach a final state ...");
        Map<Tracked, JsonNode> finals = new LinkedHashMap<>();
        List<Tracked> open = new ArrayList<>(runs.stream().filter(r -> r.runId != null).toList());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long lastProgress = System.nanoTime();
        while (!open.isEmpty()) {
            for (var iterator = open.iterator(); iterator.hasNext(); ) {
                Tracked run = iterator.next();
                JsonNode view = getRun(run);
                finals.put(run, view);
                if (view != null && FINAL.contains(view.get("status").asText())) {
                    iterator.remove();
                    lastProgress = System.nanoTime();
                }
            }
            boolean stalled = System.nanoTime() - lastProgress > TimeUnit.MINUTES.toNanos(3);
            if (open.isEmpty() || stalled || System.nanoTime() > deadline) {
                break;
            }
            sleep(1000);
        }
        for (Tracked run : open) {
            JsonNode view = finals.get(run);
            violations.add(phase + ": run " + run.runId + " (" + run.provider + ") never ended: "
                    + (view == null ? "?" : view.get("status") + " " + view.path("error")));
        }
        say(phase + ": checking providers, pull requests, projections");
        Map<String, String> gatewayStatus = new HashMap<>();
        for (Map<String, Object> row : databases.query("handoff_gateway" + SUFFIX, "select run_id::text as run_id, status from provider_run")) {
            gatewayStatus.put((String) row.get("run_id"), (String) row.get("status"));
        }
        Map<String, Long> pullRequests = new HashMap<>();
        for (Map<String, Object> row : databases.query("handoff_gateway" + SUFFIX,
                "select run_id::text as run_id, count(*) as n from pull_request group by run_id")) {
            pullRequests.put((String) row.get("run_id"), ((Number) row.get("n")).longValue());
        }
        Map<String, Integer> launches = cursor.launchesByBranch();
        for (var entry : finals.entrySet()) {
            Tracked run = entry.getKey();
            JsonNode view = entry.getValue();
            if (view == null) {
                continue;
            }
            String status = view.get("status").asText();
            String id = run.runId;
            if (!run.isFollowUp()) {
                int expected = run.isLatest() ? 1 : 2;
                JsonNode taskRuns = get(runs("/api/tasks/" + run.taskId + "/runs"), run.token);
                if (taskRuns == null || taskRuns.size() != expected) {
                    violations.add(phase + ": task " + run.taskId + " has " + (taskRuns == null ? "?" : taskRuns.size()) + " runs for one launch"
                            + (expected == 2 ? " and one follow-up" : ""));
                }
            } else {
                checkFollowUp(phase, run, view, finals.get(run.followUpOf));
            }
            String gateway = gatewayStatus.get(id);
            if (gateway == null) {
                violations.add(phase + ": run " + id + " (" + status + ") is unknown to the gateway");
            } else if (!gateway.equals(status) && !run.cancelRequested) {
                violations.add(phase + ": run " + id + " is " + status + " but the gateway says " + gateway);
            }
            if (run.provider.equals("cursor")) {
                checkCursorRun(phase, run, view, launches);
            } else {
                checkLocalRun(phase, run, view, pullRequests.getOrDefault(id, 0L));
            }
        }
        checkProjections(phase, runs);
    }

    private void checkCursorRun(String phase, Tracked run, JsonNode view, Map<String, Integer> launches) {
        String status = view.get("status").asText();
        int launched = launches.getOrDefault(run.targetBranch, 0);
        if (launched > 1) {
            violations.add(phase + ": run " + run.runId + " was launched " + launched + " times at Cursor");
        }
        FakeCursorApi.Agent agent = cursor.agentForBranch(run.targetBranch).orElse(null);
        if (agent == null) {
            if (!run.cancelRequested) {
                violations.add(phase + ": run " + run.runId + " (" + status + ") never reached Cursor: " + view.path("error"));
            }
            return;
        }
        if (run.isFollowUp()) {
            // a follow-up goes to the first run's agent (POST /v0/agents/{id}/followup), once
            int followUps = agent.followups().size();
            if (followUps != 1) {
                violations.add(phase + ": follow-up " + run.runId + " (" + status + ") reached its Cursor agent " + agent.id + " "
                        + followUps + " times");
                return;
            }
        } else if (!run.isLatest()) {
            // the agent's status now is its follow-up's: this run was COMPLETED when it was followed up, and stays so
            if (!"COMPLETED".equals(status) || !agent.prUrl().equals(view.path("pullRequest").path("url").asText())) {
                violations.add(phase + ": run " + run.runId + " was followed up when COMPLETED with " + run.pullRequestUrl + ", now it is "
                        + status + " with " + view.path("pullRequest") + " (Cursor opened " + agent.prUrl() + ")");
            }
            return;
        }
        if (run.cancelRequested && "CANCELLED".equals(status)) {
            if (!agent.stopped() && !Set.of("FINISHED", "ERROR").contains(agent.status())) {
                violations.add(phase + ": run " + run.runId + " was cancelled but its Cursor agent " + agent.id + " was never stopped");
            }
            return;
        }
        String expected = switch (agent.status()) {
            case "FINISHED" -> "COMPLETED";
            case "ERROR" -> "FAILED";
            default -> null;
        };
        if (expected == null) {
            violations.add(phase + ": run " + run.runId + " is " + status + " while its Cursor agent is still " + agent.status());
        } else if (!expected.equals(status)) {
            violations.add(phase + ": run " + run.runId + " is " + status + " but its Cursor agent ended " + agent.status());
        } else if ("COMPLETED".equals(status) && !agent.prUrl().equals(view.path("pullRequest").path("url").asText())) {
            violations.add(phase + ": run " + run.runId + " shows pull request " + view.path("pullRequest") + ", Cursor opened " + agent.prUrl());
        }
    }

    private void checkLocalRun(String phase, Tracked run, JsonNode view, long pullRequests) {
        String status = view.get("status").asText();
        int starts = agentStarts(run.runId);
        if (starts > 1) {
            violations.add(phase + ": the agent of run " + run.runId + " was started " + starts + " times");
        }
        if (run.isFollowUp()) {
            checkLocalFollowUp(phase, run, view, starts, pullRequests);
            return;
        }
        if (pullRequests > 1) {
            violations.add(phase + ": run " + run.runId + " opened " + pullRequests + " pull requests");
        }
        if ("COMPLETED".equals(status)) {
            String url = view.path("pullRequest").path("url").asText("");
            if (starts != 1 || pullRequests != 1 || url.isEmpty()) {
                violations.add(phase + ": run " + run.runId + " COMPLETED with " + starts + " agent starts, " + pullRequests
                        + " pull requests, url '" + url + "'");
            } else {
                JsonNode pr = get(url.replaceFirst("^https?://[^/]+", "http://127.0.0.1:" + (8083 + offset)), run.token);
                if (pr == null || !run.targetBranch.equals(pr.path("head").asText())) {
                    violations.add(phase + ": run " + run.runId + "'s pull request is not served: " + pr);
                }
                try {
                    SampleRepo.git(Path.of(repository.substring("file://".length())), "rev-parse", "--verify", "refs/heads/" + run.targetBranch);
                } catch (IllegalStateException e) {
                    violations.add(phase + ": run " + run.runId + " COMPLETED but its branch " + run.targetBranch + " is not in the origin");
                }
            }
        } else if ("FAILED".equals(status)) {
            if (view.path("error").path("code").asText("").isEmpty()) {
                violations.add(phase + ": run " + run.runId + " FAILED without an error code");
            }
            if (pullRequests > 0) {
                violations.add(phase + ": run " + run.runId + " FAILED although its pull request was opened");
            }
        } else if ("CANCELLED".equals(status) && !run.cancelRequested) {
            violations.add(phase + ": run " + run.runId + " was CANCELLED though nobody cancelled it");
        }
    }

    /**
     * What every follow-up must show, whatever its provider: it names the run it continues, on that run's branch with
     * that run's provider, it was created only once that run had ended (one active run per task), that run stays
     * COMPLETED, and a COMPLETED follow-up shows the same pull request.
     */
    private void checkFollowUp(String phase, Tracked run, JsonNode view, JsonNode earlier) {
        Tracked source = run.followUpOf;
        if (!source.runId.equals(view.path("followUpOf").asText()) || !source.targetBranch.equals(view.path("targetBranch").asText())
                || !source.provider.equals(view.path("provider").asText())) {
            violations.add(phase + ": follow-up " + run.runId + " shows followUpOf " + view.path("followUpOf") + ", branch "
                    + view.path("targetBranch") + ", provider " + view.path("provider") + " but continues run " + source.runId
                    + " (branch " + source.targetBranch + ", " + source.provider + ")");
        }
        if (earlier == null) {
            violations.add(phase + ": follow-up " + run.runId + ": its earlier run " + source.runId + " is not served");
            return;
        }
        if (!"COMPLETED".equals(earlier.path("status").asText())) {
            violations.add(phase + ": run " + source.runId + " was COMPLETED when followed up, now it is " + earlier.path("status"));
        }
        Instant ended = instant(earlier.path("finishedAt").asText(null));
        Instant created = instant(view.path("createdAt").asText(null));
        if (ended == null || created == null || created.isBefore(ended)) {
            violations.add(phase + ": follow-up " + run.runId + " was created at " + created + ", before its earlier run "
                    + source.runId + " ended (" + ended + "): two active runs of task " + run.taskId);
        }
        String url = view.path("pullRequest").path("url").asText("");
        if ("COMPLETED".equals(view.path("status").asText()) && !url.equals(source.pullRequestUrl)) {
            violations.add(phase + ": follow-up " + run.runId + " COMPLETED with pull request '" + url + "', its earlier run "
                    + source.runId + " had " + source.pullRequestUrl);
        }
    }

    /**
     * A local follow-up's commits go to its earlier run's branch and pull request: it opens no pull request of its own,
     * and once COMPLETED the branch's pull request holds both runs' commits, ends with the origin branch's head and
     * names the follow-up once in its body.
     */
    private void checkLocalFollowUp(String phase, Tracked run, JsonNode view, int starts, long pullRequests) {
        String status = view.get("status").asText();
        if (pullRequests > 0) {
            violations.add(phase + ": follow-up " + run.runId + " opened " + pullRequests + " pull requests of its own instead of"
                    + " updating its branch's");
        }
        if ("COMPLETED".equals(status)) {
            String url = view.path("pullRequest").path("url").asText("");
            if (starts != 1 || url.isEmpty()) {
                violations.add(phase + ": follow-up " + run.runId + " COMPLETED with " + starts + " agent starts, url '" + url + "'");
                return;
            }
            JsonNode pr = get(url.replaceFirst("^https?://[^/]+", "http://127.0.0.1:" + (8083 + offset)), run.token);
            if (pr == null) {
                violations.add(phase + ": follow-up " + run.runId + "'s pull request " + url + " is not served");
                return;
            }
            JsonNode commits = pr.path("commits");
            String body = pr.path("body").asText("");
            String section = "## Follow-up (run " + run.runId + ")";
            int mentions = body.split(java.util.regex.Pattern.quote(section), -1).length - 1;
            String head;
            try {
                head = SampleRepo.git(Path.of(repository.substring("file://".length())), "rev-parse", "--verify",
                        "refs/heads/" + run.targetBranch).strip();
            } catch (IllegalStateException e) {
                head = "(no branch " + run.targetBranch + " in the origin)";
            }
            String last = commits.size() == 0 ? "" : commits.get(commits.size() - 1).path("sha").asText();
            if (!run.targetBranch.equals(pr.path("head").asText()) || !run.followUpOf.runId.equals(pr.path("runId").asText())
                    || commits.size() < 2 || mentions != 1 || !head.equals(last)) {
                violations.add(phase + ": follow-up " + run.runId + " COMPLETED but the pull request of run " + run.followUpOf.runId
                        + " has head " + pr.path("head") + ", runId " + pr.path("runId") + ", " + commits.size() + " commits (last "
                        + last + ", the origin branch is at " + head + "), and names the follow-up " + mentions + " times");
            }
        } else if ("FAILED".equals(status)) {
            if (view.path("error").path("code").asText("").isEmpty()) {
                violations.add(phase + ": follow-up " + run.runId + " FAILED without an error code");
            }
        } else if ("CANCELLED".equals(status)) {
            violations.add(phase + ": follow-up " + run.runId + " was CANCELLED though nobody cancelled it");
        }
    }

    private void checkProjections(String phase, List<Tracked> runs) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        List<String> mismatches;
        do {
            mismatches = new ArrayList<>();
            for (Tracked run : runs) {
                if (run.runId == null || !run.isLatest()) {
                    // a task that was followed up shows its follow-up, checked as the latest run of the task
                    continue;
                }
                JsonNode view = getRun(run);
                JsonNode task = get(tasks("/api/tasks/" + run.taskId), run.token);
                JsonNode agentRun = task == null ? null : task.get("agentRun");
                String prUrl = view == null ? null : view.path("pullRequest").path("url").asText(null);
                if (view == null || agentRun == null || agentRun.isNull()
                        || !run.runId.equals(agentRun.path("runId").asText())
                        || !view.get("status").asText().equals(agentRun.path("status").asText())
                        || !java.util.Objects.equals(prUrl, agentRun.path("pullRequestUrl").asText(null))) {
                    mismatches.add(phase + ": task " + run.taskId + " shows " + agentRun + " but its run is "
                            + (view == null ? "?" : view.get("status") + " " + view.path("pullRequest")));
                }
            }
            if (!mismatches.isEmpty()) {
                sleep(2000);
            }
        } while (!mismatches.isEmpty() && System.nanoTime() < deadline);
        violations.addAll(mismatches);
    }

    /** Every run's status changes, as its workspace's resuming SSE client saw them, equal the run's history. */
    private void checkEventStreams(List<Tracked> all, Map<String, SseStream> streams) {
        say("checking the event streams against every run's history ...");
        Map<String, List<SseStream.Event>> byRun = new HashMap<>();
        for (var stream : streams.entrySet()) {
            long lastId = -1;
            Set<String> eventIds = new LinkedHashSet<>();
            for (SseStream.Event event : stream.getValue().events()) {
                if (event.sequence() <= lastId) {
                    violations.add("SSE of " + stream.getKey() + ": event id " + event.sequence() + " after " + lastId + " (out of order or repeated)");
                } else if (lastId >= 0 && event.sequence() != lastId + 1) {
                    // a workspace's sequence has no holes (one counter row per workspace, taken in the insert transaction)
                    violations.add("SSE of " + stream.getKey() + ": events " + (lastId + 1) + ".." + (event.sequence() - 1) + " never arrived");
                }
                lastId = Math.max(lastId, event.sequence());
                String eventId = event.json().path("eventId").asText();
                if (!eventIds.add(eventId)) {
                    violations.add("SSE of " + stream.getKey() + ": event " + eventId + " delivered twice");
                }
                byRun.computeIfAbsent(event.json().path("runId").asText(), k -> new ArrayList<>()).add(event);
            }
        }
        for (Tracked run : all) {
            if (run.runId == null) {
                continue;
            }
            JsonNode view = getRun(run);
            if (view == null) {
                continue;
            }
            List<String> history = new ArrayList<>();
            view.get("history").forEach(h -> history.add(h.get("status").asText()));
            List<SseStream.Event> events = byRun.getOrDefault(run.runId, List.of());
            List<String> seen = events.stream().filter(e -> "run.status-changed".equals(e.event()))
                    .sorted(Comparator.comparingLong(SseStream.Event::sequence))
                    .map(e -> e.json().path("status").asText()).toList();
            if (!seen.equals(history)) {
                violations.add("SSE: run " + run.runId + " history " + history + " but the stream showed " + seen);
            }
            long prEvents = events.stream().filter(e -> "run.pull-request-opened".equals(e.event())).count();
            if (prEvents > 1) {
                violations.add("SSE: run " + run.runId + " had " + prEvents + " pull-request-opened events");
            }
            if (view.path("pullRequest").isObject() && prEvents == 0) {
                violations.add("SSE: run " + run.runId + " has a pull request but no pull-request-opened event reached the stream");
            }
        }
    }

    /**
     * Every run's activity, paged through {@code GET /api/activity} after all the faults: its seqs are exactly 1..n
     * (a run interrupted by a kill may have fewer entries, never a hole or a repeat), every kind is one the contract
     * lists, every entry has its time, a COMPLETED local run shows the gateway's steps, and the workspace's resuming
     * SSE client saw exactly the same seqs as {@code run.activity} events. Entries still on their way are waited for
     * up to 90 s.
     */
    private void checkActivity(List<Tracked> all, List<SseStream> streams) {
        say("checking every run's activity (GET /api/activity and run.activity on the event streams) ...");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        List<Tracked> pending = new ArrayList<>(all.stream().filter(r -> r.runId != null).toList());
        Map<Tracked, List<String>> problems = new LinkedHashMap<>();
        while (true) {
            Map<String, List<Long>> streamed = streamedActivity(streams);
            problems.clear();
            for (Tracked run : pending) {
                List<String> found = activityProblems(run, streamed.getOrDefault(run.runId, List.of()));
                if (!found.isEmpty()) {
                    problems.put(run, found);
                }
            }
            if (problems.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            pending = new ArrayList<>(problems.keySet());
            sleep(3000);
        }
        problems.values().forEach(violations::addAll);
        activityRuns.set((int) all.stream().filter(r -> r.runId != null).count());
        activityEntries.set(0);
        activityPages.set(0);
        Map<String, List<Long>> streamed = streamedActivity(streams);
        streamedActivityEntries.set(streamed.values().stream().mapToInt(List::size).sum());
        for (Tracked run : all) {
            if (run.runId != null) {
                List<JsonNode> entries = activityOf(run);
                activityEntries.addAndGet(entries == null ? 0 : entries.size());
            }
        }
    }

    /** The seqs of each run's entries in the {@code run.activity} events the SSE clients received, in arrival order. */
    private static Map<String, List<Long>> streamedActivity(List<SseStream> streams) {
        Map<String, List<Long>> seqs = new HashMap<>();
        for (SseStream stream : streams) {
            for (SseStream.Event event : stream.events()) {
                if (!"run.activity".equals(event.event())) {
                    continue;
                }
                JsonNode json = event.json();
                List<Long> runSeqs = seqs.computeIfAbsent(json.path("runId").asText(), k -> new ArrayList<>());
                json.path("entries").forEach(entry -> runSeqs.add(entry.path("seq").asLong(-1)));
            }
        }
        return seqs;
    }

    private List<String> activityProblems(Tracked run, List<Long> streamedSeqs) {
        List<String> problems = new ArrayList<>();
        String what = (run.isFollowUp() ? "follow-up " : "run ") + run.runId + " (" + run.provider + ")";
        List<JsonNode> entries = activityOf(run);
        if (entries == null) {
            problems.add("activity of " + what + " is not served");
            return problems;
        }
        long expected = 1;
        Set<String> kinds = new LinkedHashSet<>();
        for (JsonNode entry : entries) {
            long seq = entry.path("seq").asLong(-1);
            if (seq != expected) {
                problems.add("activity of " + what + ": seq " + seq + " where " + expected + " was expected ("
                        + (seq > expected ? "entries " + expected + ".." + (seq - 1) + " are missing" : "repeated or out of order") + ")");
                break;
            }
            expected++;
            String kind = entry.path("kind").asText("");
            kinds.add(kind);
            if (!ACTIVITY_KINDS.contains(kind)) {
                problems.add("activity of " + what + ": entry " + seq + " has kind '" + kind + "', not one of " + ACTIVITY_KINDS);
            }
            if (instant(entry.path("at").asText(null)) == null || !entry.path("text").isTextual()) {
                problems.add("activity of " + what + ": entry " + seq + " has no time or no text: " + entry);
            }
        }
        if (run.provider.equals("local") && "COMPLETED".equals(statusOf(run)) && !kinds.contains("step")) {
            problems.add("activity of " + what + ": COMPLETED without any step of the gateway (" + entries.size() + " entries)");
        }
        List<Long> stored = entries.stream().map(e -> e.path("seq").asLong(-1)).toList();
        List<Long> seen = streamedSeqs.stream().sorted().toList();
        if (!seen.equals(stored)) {
            problems.add("activity of " + what + ": GET /api/activity has seqs " + ranges(stored) + " but the resuming SSE client saw "
                    + ranges(seen));
        }
        return problems;
    }

    /** All of a run's activity, following {@code Link: rel="next"} from page to page; null when it is not served. */
    private List<JsonNode> activityOf(Tracked run) {
        List<JsonNode> entries = new ArrayList<>();
        // small pages (a run has a handful of entries), so that the Link: rel="next" chain is what gets checked
        String next = notifications("/api/activity?runId=" + run.runId + "&limit=" + (1 + random.nextInt(4)));
        for (int pages = 0; next != null; pages++) {
            if (pages > 10_000) {
                violations.add("activity of run " + run.runId + ": more than 10,000 pages, the Link header goes round in circles");
                return entries;
            }
            RawHttp.Answer answer = null;
            for (int attempt = 0; attempt < 30 && answer == null; attempt++) {
                try {
                    RawHttp.Answer got = http.send("GET", next, RawHttp.auth(run.token), null, Duration.ofSeconds(20));
                    if (got.status() < 500) {
                        answer = got;
                    }
                } catch (IllegalStateException e) {
                    // restarting
                }
                if (answer == null) {
                    sleep(1000);
                }
            }
            if (answer == null || answer.status() != 200 || answer.json() == null || !answer.json().isArray()) {
                return null;
            }
            activityPages.incrementAndGet();
            answer.json().forEach(entries::add);
            next = nextLink(answer.header("Link"));
            if (next != null && answer.json().isEmpty()) {
                violations.add("activity of run " + run.runId + ": an empty page links to a next one: " + answer.header("Link"));
                return entries;
            }
        }
        return entries;
    }

    /** The target of {@code Link: <...>; rel="next"}, made absolute on the notification service; null without one. */
    private String nextLink(String link) {
        if (link == null) {
            return null;
        }
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?").matcher(link);
        if (!matcher.find()) {
            return null;
        }
        String target = matcher.group(1);
        return target.startsWith("http") ? target : notifications(target);
    }

    private String statusOf(Tracked run) {
        JsonNode view = getRun(run);
        return view == null ? null : view.path("status").asText();
    }

    /** 1..3, 5, 7..9: a list of seqs, short enough for a message. */
    private static String ranges(List<Long> seqs) {
        if (seqs.isEmpty()) {
            return "[]";
        }
        StringBuilder text = new StringBuilder("[");
        long start = seqs.get(0);
        long previous = start;
        for (int i = 1; i <= seqs.size(); i++) {
            long seq = i < seqs.size() ? seqs.get(i) : Long.MIN_VALUE;
            if (seq != previous + 1) {
                text.append(text.length() > 1 ? ", " : "").append(start == previous ? String.valueOf(start) : start + ".." + previous);
                start = seq;
            }
            previous = seq;
        }
        return text.append("]").toString();
    }

    private int summary(List<Tracked> all, Map<String, SseStream> streams) {
        Map<String, Integer> finals = new TreeMap<>();
        Map<String, Integer> errors = new TreeMap<>();
        for (Tracked run : all) {
            JsonNode view = run.runId == null ? null : getRun(run);
            String status = view == null ? "not launched" : view.get("status").asText();
            finals.merge(run.provider + " " + status, 1, Integer::sum);
            if (view != null && "FAILED".equals(status)) {
                errors.merge(view.path("error").path("code").asText("?"), 1, Integer::sum);
            }
        }
        System.out.println();
        System.out.println("==== chaos summary ====");
        System.out.printf("runs: %d (phase 1: %d, phase 2: %d, phase 3: %d; follow-ups included), %d on the fake Cursor%n", all.size(),
                all.stream().filter(r -> r.phase == 1).count(), all.stream().filter(r -> r.phase == 2).count(),
                all.stream().filter(r -> r.phase == 3).count(), all.stream().filter(r -> r.provider.equals("cursor")).count());
        System.out.println("final states: " + finals);
        System.out.println("failure codes: " + errors);
        System.out.println("cancel requests: " + all.stream().filter(r -> r.cancelRequested).count());
        Map<String, Integer> followUpFinals = new TreeMap<>();
        all.stream().filter(Tracked::isFollowUp).forEach(r -> followUpFinals.merge(r.provider + " " + statusOf(r), 1, Integer::sum));
        System.out.printf("follow-ups: %d (%d local, %d on the fake Cursor) of %d runs COMPLETED with a pull request while the"
                        + " faults went on; final states: %s; answers to the two clients asking at once: %s%n",
                all.stream().filter(Tracked::isFollowUp).count(),
                all.stream().filter(r -> r.isFollowUp() && r.provider.equals("local")).count(),
                all.stream().filter(r -> r.isFollowUp() && r.provider.equals("cursor")).count(),
                followUpCandidates.get(), followUpFinals, followUpAnswers);
        System.out.println("activity: " + activityEntries.get() + " entries of " + activityRuns.get() + " runs paged through in "
                + activityPages.get() + " pages, seqs 1..n without gaps; " + streamedActivityEntries.get()
                + " entries seen as run.activity on the resuming SSE clients");
        System.out.println("kills (" + kills.size() + "): " + String.join("; ", kills));
        System.out.println("launch answers: " + launchAnswers + ", retried launches: " + launchRetries.get());
        System.out.println("Cursor agents: " + cursor.agents().size() + ", webhooks delivered: "
                + cursor.agents().stream().mapToInt(FakeCursorApi.Agent::webhooksDelivered).sum());
        streams.forEach((name, stream) -> System.out.println("SSE " + name + ": " + stream.events().size() + " events over "
                + stream.connections() + " connections (resumed with Last-Event-ID " + Math.max(0, stream.connections() - 1) + " times)"));
        System.out.println("violations: " + violations.size());
        violations.forEach(v -> System.out.println("  - " + v));
        System.out.println("took " + secondsSinceStart() + " s");
        return violations.isEmpty() ? 0 : 1;
    }

    // ---- helpers ----

    private int agentStarts(String runId) {
        Path file = invocations.resolve(runId);
        try {
            return Files.exists(file) ? (int) Files.readAllLines(file).stream().filter(l -> !l.isBlank()).count() : 0;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One GET, no retries (for the follow-up sweep, which comes back a second later): null unless it was 200. */
    private JsonNode peek(String url, String token) {
        try {
            RawHttp.Answer answer = http.send("GET", url, RawHttp.auth(token), null, Duration.ofSeconds(10));
            return answer.status() == 200 ? answer.json() : null;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private JsonNode getRun(Tracked run) {
        return get(runs("/api/runs/" + run.runId), run.token);
    }

    /** A GET that tolerates a service being restarted: null when it did not answer 200 within a minute. */
    private JsonNode get(String url, String token) {
        for (int attempt = 0; attempt < 60; attempt++) {
            try {
                RawHttp.Answer answer = http.send("GET", url, RawHttp.auth(token), null, Duration.ofSeconds(20));
                if (answer.status() == 200) {
                    return answer.json();
                }
                if (answer.status() < 500) {
                    return null;
                }
            } catch (IllegalStateException e) {
                // restarting
            }
            sleep(1000);
        }
        return null;
    }

    private JsonNode expect(int status, RawHttp.Answer answer, String what) {
        if (answer.status() != status) {
            throw new IllegalStateException(what + ": expected " + status + ", got " + answer.brief());
        }
        return answer.json();
    }

    private String tasks(String path) {
        return "http://127.0.0.1:" + (8081 + offset) + path;
    }

    private String runs(String path) {
        return "http://127.0.0.1:" + (8082 + offset) + path;
    }

    private String gateway(String path) {
        return "http://127.0.0.1:" + (8083 + offset) + path;
    }

    private String notifications(String path) {
        return "http://127.0.0.1:" + (8084 + offset) + path;
    }

    private long secondsSinceStart() {
        return Duration.between(started, Instant.now()).toSeconds();
    }

    private static long readPid(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException e) {
            throw new IllegalStateException("no pid in " + file, e);
        }
    }

    private static <T> Future<T> async(java.util.concurrent.Callable<T> task) {
        ExecutorService single = Executors.newSingleThreadExecutor();
        Future<T> future = single.submit(task);
        single.shutdown();
        return future;
    }

    private static Future<?> background(Runnable task) {
        ExecutorService single = Executors.newSingleThreadExecutor();
        Future<?> future = single.submit(task);
        single.shutdown();
        return future;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            sleep(200);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] toJson(Object body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void say(String line) {
        System.out.println(line);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
