package dev.handoff.bench;

import dev.handoff.testsupport.TokenSigner;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * 1. Launch: {@code POST /api/tasks/{id}/runs} at a fixed rate, each on a task that never had a run, against the
 * floor: {@code POST /floor} of the floor app (one reactive insert) at the same rate, round after round, alternately.
 * Then, as a diagnosis, the two calls a launch makes before it writes (task-service's agent context and the gateway's
 * agent configuration), each alone at the same rate.
 */
final class LaunchPhase {

    record Result(List<Samples> product, List<Samples> floor, List<Long> productLagNanos, List<Long> floorLagNanos,
            Samples agentContext, Samples agentConfig, List<String> launchedRuns, Map<String, Double> productCpuMillis,
            Map<String, Double> floorCpuMillis, Map<String, Double> agentContextCpuMillis, Map<String, Double> agentConfigCpuMillis,
            Samples lowRate, Samples lowRateFloor, double backlogSeconds, Samples spread, int spreadWorkspaces,
            Map<String, Double> spreadCpuMillis, Map<String, Double> runsDbSessions, int runsDbSamples,
            Map<String, Double> spreadDbSessions, int coldRoundBreakerLines, int breakerLines) {

        Samples.Rounds productRounds() {
            return Samples.Rounds.of("launch", product);
        }

        Samples.Rounds floorRounds() {
            return Samples.Rounds.of("floor", floor);
        }
    }

    static final int LOW_RATE = 10;
    static final int LOW_SECONDS = 10;
    static final int SPREAD_WORKSPACES = 10;
    static final String RUNS_DB = "handoff_runs" + Stack.DB_SUFFIX;

    private LaunchPhase() {
    }

    static Result run(Ctx c) {
        Config config = c.config();
        int perRound = config.launchPerRound();
        List<Samples> product = new ArrayList<>();
        List<Samples> floor = new ArrayList<>();
        List<Long> productLag = new ArrayList<>();
        List<Long> floorLag = new ArrayList<>();
        List<String> launched = new ArrayList<>();
        List<String> launchedTasks = new ArrayList<>();
        Duration drain = Duration.ofSeconds(60);
        Map<String, Double> productCpu = new java.util.LinkedHashMap<>();
        Map<String, Double> floorCpu = new java.util.LinkedHashMap<>();
        c.profiler().start("launch", c.servicePids());
        PgSampler sessions = new PgSampler(RUNS_DB).start();
        sessions.pause();
        long breakerBefore = breakerLines(c);
        long coldBreaker = 0;
        for (int round = 1; round <= config.launchRounds(); round++) {
            String[] tasks = new String[perRound];
            for (int i = 0; i < perRound; i++) {
                tasks[i] = c.nextTask();
            }
            String[] runs = new String[perRound];
            Ctx.log("launch round %d/%d: %d launches at %d/s", round, config.launchRounds(), perRound, config.launchRate());
            Map<String, Long> cpuBefore = c.cpu().snapshot();
            sessions.resume();
            OpenLoop.Result p = OpenLoop.run("launch round " + round, config.launchRate(), perRound,
                    (i, due) -> c.http().send(HttpMethod.POST, c.stack().runsPort(), "/api/tasks/" + tasks[i] + "/runs",
                            c.auth(), Ctx.LAUNCH_BODY).whenComplete((reply, failure) -> {
                                if (reply != null && reply.status() == 201) {
                                    runs[i] = reply.json().path("id").asText();
                                }
                            }),
                    reply -> reply.status() == 201, drain);
            sessions.pause();
            productCpu = CpuAccount.add(productCpu, c.cpu().since(cpuBefore));
            product.add(p.samples());
            productLag.add(p.maxLagNanos());
            for (int i = 0; i < perRound; i++) {
                if (runs[i] != null) {
                    launched.add(runs[i]);
                    launchedTasks.add(tasks[i]);
                }
            }
            logRound(p);
            if (round == 1) {
                coldBreaker = breakerLines(c) - breakerBefore;
            }
            Ctx.log("floor round %d/%d: %d inserts at %d/s", round, config.launchRounds(), perRound, config.launchRate());
            cpuBefore = c.cpu().snapshot();
            OpenLoop.Result f = OpenLoop.run("floor round " + round, config.launchRate(), perRound,
                    (i, due) -> c.http().send(HttpMethod.POST, c.floor().port(), "/floor",
                            Map.of("Content-Type", "application/json"), Ctx.LAUNCH_BODY),
                    reply -> reply.status() == 201, drain);
            floorCpu = CpuAccount.add(floorCpu, c.cpu().since(cpuBefore));
            floor.add(f.samples());
            floorLag.add(f.maxLagNanos());
            logRound(f);
        }
        c.profiler().stop("launch", c.servicePids());
        sessions.close();
        long breaker = breakerLines(c) - breakerBefore;
        // diagnosis: what the launch's two downstream reads cost alone, at the same rate
        int count = perRound;
        Ctx.log("diagnosis: GET /api/tasks/{id}/agent-context at %d/s", config.launchRate());
        Map<String, Long> before = c.cpu().snapshot();
        OpenLoop.Result context = OpenLoop.run("agent-context", config.launchRate(), count,
                (i, due) -> c.http().send(HttpMethod.GET, c.stack().tasksPort(),
                        "/api/tasks/" + launchedTasks.get(i % Math.max(1, launchedTasks.size())) + "/agent-context", c.auth(), null),
                reply -> reply.status() == 200, drain);
        Map<String, Double> contextCpu = c.cpu().since(before);
        logRound(context);
        Ctx.log("diagnosis: GET /api/agent-config at %d/s", config.launchRate());
        before = c.cpu().snapshot();
        OpenLoop.Result agentConfig = OpenLoop.run("agent-config", config.launchRate(), count,
                (i, due) -> c.http().send(HttpMethod.GET, c.stack().gatewayPort(), "/api/agent-config", c.auth(), null),
                reply -> reply.status() == 200, drain);
        Map<String, Double> configCpu = c.cpu().since(before);
        logRound(agentConfig);
        // diagnosis: a launch without queueing, at a low rate, once the gateway has caught up with the launches above
        long waitStart = System.nanoTime();
        try {
            StatusPhase.awaitLaunchedAtCursor(c, launched);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double backlog = (System.nanoTime() - waitStart) / 1e9;
        Ctx.log("diagnosis: the gateway caught up with the launches %.1f s after the last round", backlog);
        int lowCount = LOW_RATE * LOW_SECONDS;
        String[] lowTasks = new String[lowCount];
        for (int i = 0; i < lowCount; i++) {
            lowTasks[i] = c.nextTask();
        }
        String[] lowRuns = new String[lowCount];
        Ctx.log("diagnosis: %d launches at %d/s", lowCount, LOW_RATE);
        OpenLoop.Result low = OpenLoop.run("launch low rate", LOW_RATE, lowCount,
                (i, due) -> c.http().send(HttpMethod.POST, c.stack().runsPort(), "/api/tasks/" + lowTasks[i] + "/runs",
                        c.auth(), Ctx.LAUNCH_BODY).whenComplete((reply, failure) -> {
                            if (reply != null && reply.status() == 201) {
                                lowRuns[i] = reply.json().path("id").asText();
                            }
                        }),
                reply -> reply.status() == 201, drain);
        logRound(low);
        for (String run : lowRuns) {
            if (run != null) {
                launched.add(run);
            }
        }
        Ctx.log("diagnosis: %d floor inserts at %d/s", lowCount, LOW_RATE);
        OpenLoop.Result lowFloor = OpenLoop.run("floor low rate", LOW_RATE, lowCount,
                (i, due) -> c.http().send(HttpMethod.POST, c.floor().port(), "/floor", Map.of("Content-Type", "application/json"),
                        Ctx.LAUNCH_BODY),
                reply -> reply.status() == 201, drain);
        logRound(lowFloor);
        // diagnosis: the same load spread over several workspaces (launches of one workspace wait for each other)
        Samples spread = null;
        Map<String, Double> spreadCpu = Map.of();
        PgSampler spreadSessions = null;
        try {
            Ctx.log("diagnosis: %d launches at %d/s spread over %d workspaces", perRound, config.launchRate(), SPREAD_WORKSPACES);
            TokenSigner tokens = TokenSigner.ofStack(c.stack().state()).validFor(86_400);
            String[] spreadTokens = new String[SPREAD_WORKSPACES];
            Tasks[] spreadTasks = new Tasks[SPREAD_WORKSPACES];
            for (int w = 0; w < SPREAD_WORKSPACES; w++) {
                spreadTokens[w] = tokens.admin("bench-spread-" + w);
                Http.Reply put = c.http().call(HttpMethod.PUT, c.stack().gatewayPort(), "/api/agent-config", Http.bearer(spreadTokens[w]),
                        Http.json(Map.of("provider", "cursor", "apiKey", c.cursorKey(), "enabled", true)));
                if (put.status() != 200) {
                    throw new IllegalStateException("PUT /api/agent-config answered " + put.kind());
                }
                spreadTasks[w] = Tasks.inNewBrief(c.http(), c.stack().tasksPort(), Http.bearer(spreadTokens[w]));
                spreadTasks[w].ensure(perRound / SPREAD_WORKSPACES + 1);
            }
            String[] spreadTaskIds = new String[perRound];
            for (int i = 0; i < perRound; i++) {
                spreadTaskIds[i] = spreadTasks[i % SPREAD_WORKSPACES].next();
            }
            Map<String, Long> spreadBefore = c.cpu().snapshot();
            spreadSessions = new PgSampler(RUNS_DB).start();
            OpenLoop.Result r = OpenLoop.run("launch spread over workspaces", config.launchRate(), perRound,
                    (i, due) -> c.http().send(HttpMethod.POST, c.stack().runsPort(), "/api/tasks/" + spreadTaskIds[i] + "/runs",
                            Http.bearer(spreadTokens[i % SPREAD_WORKSPACES]), Ctx.LAUNCH_BODY),
                    reply -> reply.status() == 201, drain);
            spreadCpu = c.cpu().since(spreadBefore);
            spreadSessions.close();
            logRound(r);
            spread = r.samples();
        } catch (RuntimeException e) {
            Ctx.log("diagnosis over several workspaces failed: %s", OpenLoop.rootCause(e));
        }
        return new Result(product, floor, productLag, floorLag, context.samples(), agentConfig.samples(), launched,
                productCpu, floorCpu, contextCpu, configCpu, low.samples(), lowFloor.samples(), backlog, spread,
                SPREAD_WORKSPACES, spreadCpu, sessions.averages(), sessions.samples(),
                spreadSessions == null ? Map.of() : spreadSessions.averages(), (int) coldBreaker, (int) breaker);
    }

    /** Lines the services have logged so far about a call refused by an open circuit breaker. */
    private static long breakerLines(Ctx c) {
        long count = 0;
        for (String service : Stack.SERVICES) {
            try (var lines = java.nio.file.Files.lines(c.stack().log(service), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                count += lines.filter(line -> line.contains("CircuitBreakerOpenException")).count();
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                Ctx.log("cannot read the log of %s: %s", service, e.getMessage());
            }
        }
        return count;
    }

    static void logRound(OpenLoop.Result r) {
        Samples.Stats s = r.samples().stats();
        Ctx.log("  %s: %d ok, %d errors %s, p50 %.1f ms, p99 %.1f ms, max %.1f ms (sender lag max %.1f ms)",
                r.samples().name(), s.count(), s.errors(), s.errors() == 0 ? "" : r.samples().errors(), s.p50(), s.p99(),
                s.max(), r.maxLagNanos() / 1e6);
    }
}
