package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * 2. Status to browser. Cursor sends webhooks only for FINISHED and ERROR, so each status update is one Cursor run
 * finishing: the runs launched earlier (more are launched first when needed) are all launched at the fake Cursor by
 * the gateway and waiting (Cursor: CREATING; Handoff: PENDING); then, at a fixed rate, the fake Cursor finishes one
 * and POSTs its signed statusChange webhook (FINISHED, with a pull request) to the gateway. Measured per update: from
 * the moment the webhook was due until a browser-like SSE client of the notification-service (one stream for the
 * workspace, opened before) has the run's {@code run.status-changed} with status COMPLETED. On the way the run
 * service records RUNNING first (PENDING -> COMPLETED records RUNNING first) and the pull request: three events per
 * update reach the stream. A passive Kafka consumer notes when the update crossed each topic. The floor is three
 * plain Kafka hops on the same broker at the same rate ({@link KafkaHops}). As a diagnosis, the same is measured
 * first at a low rate (no queueing), beside the floor at that rate.
 */
final class StatusPhase {

    static final int LOW_RATE = 10;
    static final int LOW_SECONDS = 10;

    record Stage(String name, Samples.Stats stats) {
    }

    /** One batch of updates at one rate: the end-to-end samples, the stages, what the stream saw, the CPU used. */
    record Batch(int rate, Samples endToEnd, List<Samples.Stats> windows, List<Stage> stages, int lost, int webhookErrors,
            long maxLagNanos, Map<String, Double> cpuMillis) {

        double medianWindowP50() {
            return Samples.median(windows.stream().map(Samples.Stats::p50).toList());
        }

        double medianWindowP99() {
            return Samples.median(windows.stream().map(Samples.Stats::p99).toList());
        }
    }

    record Result(Batch main, Batch low, String afterLoad, List<Samples> floor, List<Samples> lowFloor, Map<String, Double> floorCpuMillis,
            Map<String, Integer> eventsSeen, List<String> streamProblems, int extraLaunches, Map<String, Integer> extraLaunchErrors,
            double cursorBacklogSeconds, int notLaunchedAtCursor, Map<String, Integer> cursorCalls) {

        Samples.Rounds floorRounds() {
            return Samples.Rounds.of("three hops", floor);
        }

        Samples.Rounds lowFloorRounds() {
            return Samples.Rounds.of("three hops, low rate", lowFloor);
        }

        // the main figures, as the table shows them
        Samples endToEnd() {
            return main.endToEnd();
        }

        int lost() {
            return main.lost();
        }

        int webhookErrors() {
            return main.webhookErrors();
        }

        double medianWindowP50() {
            return main.medianWindowP50();
        }

        double medianWindowP99() {
            return main.medianWindowP99();
        }
    }

    /** The updates of a batch that reached the stream, by run id (filled by the stream's listener). */
    private static final class Tracker {
        final Map<String, long[]> arrivals = new ConcurrentHashMap<>();
        final Map<String, Integer> eventsSeen = new ConcurrentHashMap<>();
        final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger arrived = new AtomicInteger();

        void onEvent(String event, String data, long arrivedNanos) {
            try {
                JsonNode json = Http.JSON.readTree(data);
                String status = json.path("status").asText("");
                eventsSeen.merge(event + (status.isEmpty() ? "" : " " + status), 1, Integer::sum);
                if ("run.status-changed".equals(event) && "COMPLETED".equals(status)) {
                    long[] slot = arrivals.get(json.path("runId").asText());
                    if (slot != null && slot[0] == 0) {
                        slot[0] = arrivedNanos;
                        arrived.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                problems.add("unreadable event: " + e.getMessage());
            }
        }
    }

    /**
     * Finishes runs as Cursor does: the run's agent at the fake Cursor becomes FINISHED with a pull request and a
     * summary, and the signed statusChange webhook goes to the gateway through a pool of its own.
     */
    private static final class Finisher implements AutoCloseable {

        private static final String SUMMARY = "Implemented the task and opened a pull request.";
        private final FakeCursorApi fake;
        private final Http http;

        Finisher(Ctx c) {
            this.fake = c.fake();
            this.http = new Http(c.vertx(), 256);
        }

        /** The webhook the agent of {@code runId} sends when it has finished (prepared ahead of the load). */
        FakeCursorApi.Delivery webhook(String runId) {
            FakeCursorApi.Agent agent = fake.agentOfRun(runId);
            return fake.webhook(agent.id, "FINISHED", pullRequest(agent), SUMMARY);
        }

        /** The agent finishes and its webhook is POSTed; completes with the gateway's answer. */
        CompletableFuture<Http.Reply> finish(String runId, FakeCursorApi.Delivery webhook) {
            FakeCursorApi.Agent agent = fake.agentOfRun(runId);
            fake.setStatus(agent.id, "FINISHED", pullRequest(agent), SUMMARY);
            URI url = URI.create(webhook.url());
            return http.send(HttpMethod.POST, url.getHost(), url.getPort(), url.getRawPath(), webhook.headers(),
                    Buffer.buffer(webhook.body()));
        }

        private static String pullRequest(FakeCursorApi.Agent agent) {
            return agent.repository + "/pull/" + Math.abs(agent.id.hashCode() % 100000);
        }

        @Override
        public void close() {
            http.close();
        }
    }

    private StatusPhase() {
    }

    static Result run(Ctx c, List<String> launchedRuns) throws Exception {
        Config config = c.config();
        int updates = config.statusUpdates();
        int lowCount = LOW_RATE * LOW_SECONDS;
        List<String> runs = new ArrayList<>(launchedRuns);
        // 1. enough waiting runs: launch more (not measured, every answer counted) when the launch phase made too few
        int extra = Math.max(0, updates + lowCount - runs.size());
        Map<String, Integer> extraErrors = new TreeMap<>();
        if (extra > 0) {
            Ctx.log("status: launching %d more Cursor runs to have %d to finish", extra, updates + lowCount);
            runs.addAll(launchMore(c, extra, extraErrors));
        }
        // 2. the gateway launches each at the fake Cursor (this is its backlog from the launches)
        long waitStart = System.nanoTime();
        int notLaunched = awaitLaunchedAtCursor(c, runs);
        double backlog = (System.nanoTime() - waitStart) / 1e9;
        List<String> ready = runs.stream().filter(r -> c.fake().agentOfRun(r) != null).toList();
        Thread.sleep(2_000); // the gateway stores the agent id right after Cursor's answer
        List<String> low = ready.subList(0, Math.min(lowCount, ready.size()));
        List<String> main = ready.subList(low.size(), Math.min(ready.size(), low.size() + updates));
        Ctx.log("status: %d runs launched at the fake Cursor (waited %.1f s for the gateway); %d to finish at %d/s, then %d at %d/s",
                ready.size(), backlog, low.size(), LOW_RATE, main.size(), config.statusRate());
        // 3. the browser: one stream of the workspace; and the probe on the topics
        Tracker tracker = new Tracker();
        SseClient streams = new SseClient(c.vertx(), URI.create("http://127.0.0.1:" + c.stack().notificationsPort()).toURL(), 1);
        SseStream stream = streams.open("/api/events", Map.of("Authorization", "Bearer " + c.token()), new SseStream.Listener() {
            @Override
            public void onEvent(SseStream.Event event) {
                tracker.onEvent(event.event(), event.data(), event.receivedAtNanos());
            }

            @Override
            public void onClosed(String why) {
                tracker.problems.add("the SSE stream closed: " + why);
            }
        });
        try (StageTimes probe = new StageTimes(c.stack().kafka()).start(); Finisher finisher = new Finisher(c)) {
            stream.live().get(60, TimeUnit.SECONDS);
            Batch lowBatch = batch(c, "status to browser, low rate", low, LOW_RATE, 1, tracker, probe, finisher);
            c.profiler().start("status", c.servicePids());
            Batch mainBatch = batch(c, "status to browser", main, config.statusRate(), Math.max(1, config.statusWindows()), tracker, probe,
                    finisher);
            c.profiler().stop("status", c.servicePids());
            String afterLoad = afterTheLoad(c, tracker, probe, finisher);
            stream.close();
            streams.close();
            // the floor: three plain Kafka hops, same broker, same rates
            List<Samples> floor = new ArrayList<>();
            List<Samples> lowFloor = new ArrayList<>();
            Map<String, Double> floorCpu = new java.util.LinkedHashMap<>();
            try (KafkaHops hops = new KafkaHops(c.stack().kafka()).start()) {
                Ctx.log("floor: three Kafka hops at %d/s, %d records", LOW_RATE, lowCount);
                lowFloor.add(hops.round("three hops low rate", LOW_RATE, lowCount, Duration.ofSeconds(30)));
                int perRound = config.statusRate() * config.hopSeconds();
                for (int r = 1; r <= config.hopRounds(); r++) {
                    Ctx.log("floor: three Kafka hops, round %d/%d, %d records at %d/s", r, config.hopRounds(), perRound, config.statusRate());
                    Map<String, Long> before = c.cpu().snapshot();
                    Samples s = hops.round("three hops round " + r, config.statusRate(), perRound, Duration.ofSeconds(30));
                    floorCpu = CpuAccount.add(floorCpu, c.cpu().since(before));
                    Samples.Stats st = s.stats();
                    Ctx.log("  %d ok, %d errors, p50 %.1f ms, p99 %.1f ms", st.count(), st.errors(), st.p50(), st.p99());
                    floor.add(s);
                }
            }
            return new Result(mainBatch, lowBatch, afterLoad, floor, lowFloor, floorCpu, new TreeMap<>(tracker.eventsSeen), tracker.problems,
                    extra, extraErrors, backlog, notLaunched, c.fake().calls());
        }
    }

    /**
     * Once the load has passed: does the pipeline still work? One more run is launched and finished; answers how long
     * its COMPLETED took to reach the stream, or that it did not within a minute.
     */
    private static String afterTheLoad(Ctx c, Tracker tracker, StageTimes probe, Finisher finisher) throws InterruptedException {
        Http.Reply launched = c.http().call(HttpMethod.POST, c.stack().runsPort(), "/api/tasks/" + c.nextTask() + "/runs", c.auth(),
                Ctx.LAUNCH_BODY);
        if (launched.status() != 201) {
            return "a launch after the load answered " + launched.kind();
        }
        String runId = launched.json().path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (c.fake().agentOfRun(runId) == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (c.fake().agentOfRun(runId) == null) {
            String unsent = Proc.run(java.nio.file.Path.of("/"), "env", "PGPASSWORD=handoff", "psql", "-h", "127.0.0.1", "-U", "handoff",
                    "-d", LaunchPhase.RUNS_DB, "-w", "-Atc", "select count(*) from outbox where sent_at is null");
            String result = "a run launched after the load (201) did NOT reach the fake Cursor within 60 s; its PENDING event "
                    + (probe.seen(StageTimes.CREATED, runId) == null ? "was not" : "was") + " published on handoff.run-status-changed, "
                    + "and the run service's outbox holds " + (unsent.isBlank() ? "?" : unsent) + " unsent events"
                    + (probe.seen(StageTimes.CREATED, runId) == null
                            ? ": the run service's outbox relay had stopped publishing" : ": the gateway did not launch it");
            Ctx.log("status: %s", result);
            return result;
        }
        Thread.sleep(500);
        long[] slot = new long[1];
        tracker.arrivals.put(runId, slot);
        FakeCursorApi.Delivery webhook = finisher.webhook(runId);
        long sent = System.nanoTime();
        Http.Reply answer;
        try {
            answer = finisher.finish(runId, webhook).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "the webhook after the load failed: " + OpenLoop.rootCause(e);
        }
        if (answer.status() != 200) {
            return "the webhook after the load answered " + answer.kind();
        }
        while (slot[0] == 0 && System.nanoTime() < sent + Duration.ofSeconds(60).toNanos()) {
            Thread.sleep(20);
        }
        String result = slot[0] == 0
                ? "one more update after the load did NOT reach the stream within 60 s: the pipeline was stuck"
                : Report.f("one more update after the load reached the stream in %.0f ms: the pipeline still works", (slot[0] - sent) / 1e6);
        Ctx.log("status: %s", result);
        return result;
    }

    /** Finishes the given runs at {@code rate}, open loop, and follows each update until the stream has it. */
    private static Batch batch(Ctx c, String name, List<String> runs, int rate, int windows, Tracker tracker, StageTimes probe,
            Finisher finisher)
            throws InterruptedException {
        int n = runs.size();
        FakeCursorApi.Delivery[] webhooks = new FakeCursorApi.Delivery[n];
        String[] runIds = runs.toArray(String[]::new);
        long[][] arrivals = new long[n][];
        for (int i = 0; i < n; i++) {
            webhooks[i] = finisher.webhook(runIds[i]);
            arrivals[i] = new long[1];
            tracker.arrivals.put(runIds[i], arrivals[i]);
        }
        long[] due = new long[n];
        int arrivedBefore = tracker.arrived.get();
        Ctx.log("%s: %d updates at %d/s", name, n, rate);
        Map<String, Long> cpuBefore = c.cpu().snapshot();
        OpenLoop.Result answered = OpenLoop.run("webhook answered (" + name + ")", rate, n, (i, dueNanos) -> {
            due[i] = dueNanos;
            return finisher.finish(runIds[i], webhooks[i]);
        }, reply -> reply.status() == 200, Duration.ofSeconds(60));
        LaunchPhase.logRound(answered);
        // wait for the stream: until everything accepted arrived, or nothing new for a while
        int expected = answered.samples().ok();
        Duration stall = Duration.ofSeconds(c.config().quick() ? 20 : 30);
        long lastProgress = System.nanoTime();
        int last = -1;
        long hardStop = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (tracker.arrived.get() - arrivedBefore < expected && System.nanoTime() < hardStop) {
            int now = tracker.arrived.get();
            if (now != last) {
                last = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > stall.toNanos()) {
                break;
            }
            Thread.sleep(100);
        }
        Map<String, Double> cpu = c.cpu().since(cpuBefore);
        Ctx.log("%s: %d of %d accepted updates reached the SSE client", name, tracker.arrived.get() - arrivedBefore, expected);
        // every update is either on the stream, or failed at the webhook, or lost
        Samples endToEnd = new Samples(name, n);
        int webhookErrors = 0;
        for (int i = 0; i < n; i++) {
            if (!answered.samples().has(i)) {
                endToEnd.fail(i, "webhook not accepted");
                webhookErrors++;
            } else if (arrivals[i][0] != 0) {
                endToEnd.record(i, arrivals[i][0] - due[i]);
            }
        }
        int lost = endToEnd.missing(System.nanoTime() >= hardStop
                ? "lost or late: accepted by the gateway, not on the SSE stream within 5 minutes after the last was sent"
                : "lost: accepted by the gateway, never on the SSE stream (nothing arrived for " + stall.toSeconds() + " s)");
        List<Stage> stages = new ArrayList<>();
        stages.add(new Stage("the gateway answered the webhook (200)", answered.samples().stats()));
        String[] names = {
            "COMPLETED on handoff.provider-run-updated (published by the gateway's outbox relay)",
            "RUNNING on handoff.run-status-changed (the run service's relay, 1st event of the run)",
            "the pull request on handoff.pull-request-opened (2nd event)",
            "COMPLETED on handoff.run-status-changed (3rd event)"};
        for (int k = 0; k < names.length; k++) {
            String point = StageTimes.POINTS.get(k);
            stages.add(new Stage(names[k], stageStats(n, due, i -> probe.seen(point, runIds[i]))));
        }
        stages.add(new Stage("run.status-changed COMPLETED on the SSE stream", endToEnd.stats()));
        List<Samples.Stats> cut = new ArrayList<>();
        for (int k = 0; k < windows; k++) {
            cut.add(endToEnd.stats(k * n / windows, (k + 1) * n / windows));
        }
        Samples.Stats all = endToEnd.stats();
        Ctx.log("  %s: %d on the stream, %d lost, p50 %.1f ms, p99 %.1f ms", name, all.count(), lost, all.p50(), all.p99());
        return new Batch(rate, endToEnd, cut, stages, lost, webhookErrors, answered.maxLagNanos(), cpu);
    }

    private static Samples.Stats stageStats(int n, long[] due, IntFunction<Long> seen) {
        Samples s = new Samples("stage", n);
        for (int i = 0; i < n; i++) {
            Long at = seen.apply(i);
            if (at != null && due[i] != 0) {
                s.record(i, at - due[i]);
            }
        }
        s.missing("not seen");
        return s.stats();
    }

    /**
     * Launches runs on fresh tasks, 8 at a time, until {@code count} were created or 3 x count were tried (not
     * measured; every answer that is not 201 counted). After a 503 or 429 it pauses a second: the run service sheds
     * load while its circuit breakers are open.
     */
    private static List<String> launchMore(Ctx c, int count, Map<String, Integer> errors) throws InterruptedException {
        List<String> runs = java.util.Collections.synchronizedList(new ArrayList<>());
        Semaphore inFlight = new Semaphore(8);
        AtomicInteger pause = new AtomicInteger();
        for (int tried = 0; runs.size() < count && tried < 3 * count; tried++) {
            inFlight.acquire();
            if (pause.getAndSet(0) > 0) {
                Thread.sleep(1_000);
            }
            if (runs.size() >= count) {
                inFlight.release();
                break;
            }
            c.http().send(HttpMethod.POST, c.stack().runsPort(), "/api/tasks/" + c.nextTask() + "/runs", c.auth(), Ctx.LAUNCH_BODY)
                    .whenComplete((reply, failure) -> {
                        if (reply != null && reply.status() == 201) {
                            runs.add(reply.json().path("id").asText());
                        } else {
                            if (reply != null && (reply.status() == 503 || reply.status() == 429)) {
                                pause.incrementAndGet();
                            }
                            synchronized (errors) {
                                errors.merge(reply != null ? reply.kind() : "I/O: " + OpenLoop.rootCause(failure), 1, Integer::sum);
                            }
                        }
                        inFlight.release();
                    });
        }
        inFlight.acquire(8);
        inFlight.release(8);
        return new ArrayList<>(runs);
    }

    /** Waits until the fake Cursor has every run, or until the gateway made no progress for 60 s; answers how many it lacks. */
    static int awaitLaunchedAtCursor(Ctx c, List<String> runs) throws InterruptedException {
        long lastProgress = System.nanoTime();
        int last = -1;
        long lastLog = System.nanoTime();
        while (true) {
            int missing = (int) runs.stream().filter(r -> c.fake().agentOfRun(r) == null).count();
            if (missing == 0) {
                return 0;
            }
            if (missing != last) {
                last = missing;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > Duration.ofSeconds(60).toNanos()) {
                Ctx.log("the gateway launched nothing for 60 s; %d runs never reached the fake Cursor", missing);
                return missing;
            }
            if (System.nanoTime() - lastLog > Duration.ofSeconds(10).toNanos()) {
                Ctx.log("waiting for the gateway to launch %d more runs at the fake Cursor", missing);
                lastLog = System.nanoTime();
            }
            Thread.sleep(500);
        }
    }
}
