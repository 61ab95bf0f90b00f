package dev.handoff.bench;

import dev.handoff.testsupport.FakeCursorApi;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The benchmark harness: starts an isolated stack, measures launch, status-to-browser, contention, footprint and
 * fan-out, each beside its floor, prints one table and writes bench/RESULTS.md. See bench/README.md.
 */
public final class Bench {

    static final String JAVA_OPTS = "-XX:+UseSerialGC -Xmx160m -XX:TieredStopAtLevel=1 -Xss512k";
    private static final String WORKSPACE = "bench";
    private static final String FANOUT_WORKSPACE = "bench-fanout";

    private final Config config;
    private final Results results = new Results();
    private final List<Long> benchPids = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Bench(Config config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getenv().getOrDefault("HANDOFF_ROOT", ".")).toAbsolutePath().normalize();
        Config config;
        try {
            config = Config.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        int exit = new Bench(config).run(String.join(" ", args));
        System.exit(exit);
    }

    private int run(String args) throws Exception {
        Path root = config.root();
        results.config = config;
        results.command = args.isBlank() ? "" : " " + args;
        results.started = now();
        results.loadStart = Proc.loadavg();
        results.commit = commit(root);
        String javaOpts = System.getenv().getOrDefault("HANDOFF_JAVA_OPTS", JAVA_OPTS)
                + (config.profile() ? " -XX:NativeMemoryTracking=summary" : "");
        results.javaOpts = javaOpts;
        Path state = root.resolve(".handoff/bench");
        Path raw = root.resolve("bench/results-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
        Files.createDirectories(raw);
        Ctx.log("mode %s; commit %s; load average %s; raw samples in %s", config.mode(), results.commit, results.loadStart, raw);

        requireFree(config.portOffset() + 8081, config.portOffset() + 8082, config.portOffset() + 8083, config.portOffset() + 8084,
                config.kafkaPort(), config.kafkaPort() + 1, config.cursorPort(), config.floorPort(), config.mirrorPort());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        String cursorKey = "key_bench_" + UUID.randomUUID().toString().replace("-", "");
        FakeCursorApi fake = FakeCursorApi.start(vertx, config.cursorPort(), cursorKey);
        fake.recordRequests(false); // thousands of runs polled: the fake keeps counts only
        Stack stack = new Stack(root, state, config.portOffset(), config.kafkaPort(), Map.of(
                "HANDOFF_CURSOR_BASE_URL", fake.baseUrl(),
                "HANDOFF_PUBLIC_URL", "http://127.0.0.1:" + (8083 + config.portOffset()),
                "HANDOFF_MAX_ACTIVE_RUNS", "1000000",
                // phase 5's clients are all of one workspace: the per-workspace cap (50) would refuse all but 49
                "HANDOFF_SSE_MAX_PER_WORKSPACE", "100000",
                "HANDOFF_CURSOR_POLL_INTERVAL", "30m",
                // the local agent of phase 6 prints one line (the other phases use the fake Cursor)
                "HANDOFF_LOCAL_AGENT_COMMAND", "echo '" + MirrorPhase.AGENT_LINE + "'",
                "HANDOFF_LOCAL_ALLOWED_HOSTS", "127.0.0.1",
                "GIT_SSL_CAINFO", MirrorPhase.certificate(root).toString(),
                "HANDOFF_LOCAL_AGENT_ENV", "GIT_SSL_CAINFO",
                "HANDOFF_JAVA_OPTS", javaOpts));
        Conditions conditions = new Conditions(() -> currentBenchPids(stack));
        results.phases = conditions.phases();
        FloorApp floor = new FloorApp(root, state, config.floorPort(), javaOpts);
        Http http = new Http(vertx, 512);
        Profiler profiler = new Profiler(config.profile(), raw);
        results.profiles = profiler.profiles();
        try {
            try {
                stack.down();
            } catch (RuntimeException e) {
                Ctx.log("(no earlier bench stack to stop)");
            }
            deleteRecursively(state);
            Files.createDirectories(state.resolve("logs"));

            try (var phase = conditions.start("stack start (all four at once)")) {
                Ctx.log("starting the bench stack (./handoff up, fresh databases) ...");
                results.firstStart = Footprint.stackStart(stack, true);
                Ctx.log("  the stack was ready %.2f s after ./handoff up", results.firstStart.seconds());
                results.firstStart.services().forEach(s -> Ctx.log("  %s ready %.2f s after its process started (Quarkus: %.3f s)",
                        s.service(), s.seconds(), s.quarkusSeconds()));
            }
            try (var phase = conditions.start("floor app starts")) {
                FloorApp.freshDatabase(root);
                for (int i = 1; i <= config.restarts(); i++) {
                    Startup.Sample sample = floor.start();
                    results.floorStarts.add(sample);
                    Ctx.log("floor app cold start %d/%d: ready %.2f s after its process started (Quarkus: %.3f s)", i,
                            config.restarts(), sample.seconds(), sample.quarkusSeconds());
                    if (i < config.restarts()) {
                        floor.stop();
                    }
                }
                benchPids.add(floor.pid());
            }

            Map<String, Path> logs = LogScan.of(stack, Stack.SERVICES);
            logs.put("floor-app", state.resolve("logs/floor-app.log"));
            conditions.watchLogs(new LogScan(logs));
            String token = stack.token(WORKSPACE, true);
            String fanoutToken = stack.token(FANOUT_WORKSPACE, false);
            Tasks tasks;
            try (var phase = conditions.start("set-up (agent configuration, task import)")) {
                tasks = setUp(http, stack, token, cursorKey);
            }
            CpuAccount cpu = new CpuAccount(() -> {
                Map<String, List<Long>> processes = new java.util.LinkedHashMap<>();
                for (String service : Stack.SERVICES) {
                    processes.put(service, List.of(stack.pid(service)));
                }
                processes.put("kafka broker", List.of(stack.kafkaPid()));
                processes.put("PostgreSQL (backends of the bench's databases)", Proc.pidsNamed("postgres").stream()
                        .filter(pid -> Proc.cmdline(pid).contains("_bench")).toList());
                processes.put("floor-app", List.of(floor.pid()));
                processes.put("harness (load, fake Cursor, clients)", List.of(ProcessHandle.current().pid()));
                return processes;
            });
            Ctx ctx = new Ctx(config, stack, vertx, http, fake, cursorKey, floor, WORKSPACE, token, tasks, cpu, profiler, raw);

            if (config.phases().contains(1)) {
                try (var phase = conditions.start("1 launch")) {
                    results.launch = LaunchPhase.run(ctx);
                    writeRaw(raw, results.launch.product());
                    writeRaw(raw, results.launch.floor());
                    writeRaw(raw, List.of(results.launch.agentContext(), results.launch.agentConfig(), results.launch.lowRate(),
                            results.launch.lowRateFloor()));
                    if (results.launch.spread() != null) {
                        writeRaw(raw, List.of(results.launch.spread()));
                    }
                } catch (Exception e) {
                    failed("1 launch", e);
                }
            }
            if (config.phases().contains(3)) {
                try (var phase = conditions.start("3 contention")) {
                    results.contention = ContentionPhase.run(ctx);
                } catch (Exception e) {
                    failed("3 contention", e);
                }
            }
            if (config.phases().contains(2)) {
                try (var phase = conditions.start("2 status to browser (+ three-hop floor)")) {
                    results.status = StatusPhase.run(ctx, results.launch == null ? List.of() : results.launch.launchedRuns());
                    writeRaw(raw, List.of(results.status.endToEnd(), results.status.low().endToEnd()));
                    writeRaw(raw, results.status.lowFloor());
                    writeRaw(raw, results.status.floor());
                } catch (Exception e) {
                    failed("2 status to browser", e);
                }
            }
            if (config.phases().contains(5)) {
                try (var phase = conditions.start("5 fan-out")) {
                    results.fanOut = FanOutPhase.run(ctx, FANOUT_WORKSPACE, fanoutToken);
                } catch (Exception e) {
                    failed("5 fan-out", e);
                }
            }
            if (config.phases().contains(4)) {
                try (var phase = conditions.start("4 footprint (memory, then cold restarts)")) {
                    List<Footprint.Memory> memory = new ArrayList<>();
                    for (String service : Stack.SERVICES) {
                        memory.add(Footprint.memory(service, stack.pid(service)));
                    }
                    memory.add(Footprint.memory("kafka broker", stack.kafkaPid()));
                    memory.add(Footprint.memory("floor-app", floor.pid()));
                    memory.add(Footprint.memory("harness (load generator)", ProcessHandle.current().pid()));
                    results.memory = memory;
                    memory.forEach(m -> Ctx.log("footprint: %s RSS %d MiB (peak %d MiB)", m.process(), m.rssKb() / 1024, m.hwmKb() / 1024));
                    results.restarts = Footprint.restarts(stack, config.restarts());
                    results.stackRestart = Footprint.stackRestart(stack);
                    Ctx.log("footprint: the four services stopped and started by one ./handoff up: ready after %.2f s",
                            results.stackRestart.seconds());
                } catch (Exception e) {
                    failed("4 footprint", e);
                }
            }
            if (config.phases().contains(6)) {
                try (var phase = conditions.start("6 agent start on a big repository")) {
                    results.mirror = MirrorPhase.run(ctx);
                } catch (Exception e) {
                    failed("6 agent start on a big repository", e);
                }
            }
        } catch (Exception e) {
            failed("the bench", e);
        } finally {
            http.close();
            floor.close();
            if (!config.keep()) {
                try {
                    Ctx.log("stopping the bench stack ...");
                    stack.down();
                } catch (RuntimeException e) {
                    Ctx.log("stopping the bench stack failed: %s", e.getMessage());
                }
            }
            fake.close();
            vertx.close();
        }
        results.finished = now();
        results.loadEnd = Proc.loadavg();
        Report report = new Report(results);
        String markdown = report.markdown();
        // a profiled run (JFR, native memory tracking) is not a reference run: it goes next to RESULTS.md, not over it
        String resultsFile = config.profile() ? "bench/RESULTS-profile.md" : "bench/RESULTS.md";
        Files.writeString(root.resolve(resultsFile), markdown);
        Files.writeString(raw.resolve("RESULTS.md"), markdown);
        System.out.println();
        System.out.println(Report.f("Handoff benchmarks, %s, %s, commit %s, %d CPUs, load average %s -> %s",
                results.started, config.quick() ? "QUICK" : "full", results.commit, Runtime.getRuntime().availableProcessors(),
                results.loadStart, results.loadEnd));
        System.out.println();
        System.out.print(report.table());
        System.out.println();
        report.goals().forEach(g -> System.out.println(Report.f("%-18s %-14s %s", g.name(), g.verdict(), g.figures())));
        if (!results.failures.isEmpty()) {
            System.out.println();
            results.failures.forEach(fail -> System.out.println("FAILED: " + fail));
        }
        System.out.println();
        System.out.println("Written: " + resultsFile + " (with the conditions and details); raw samples: " + root.relativize(raw));
        return results.failures.isEmpty() ? 0 : 1;
    }

    /** The workspace uses Cursor (the fake); one brief with as many fresh tasks as the phases take (topped up later if need be). */
    private Tasks setUp(Http http, Stack stack, String token, String cursorKey) {
        Http.Reply config = http.call(HttpMethod.PUT, stack.gatewayPort(), "/api/agent-config", Http.bearer(token),
                Http.json(Map.of("provider", "cursor", "apiKey", cursorKey, "enabled", true)));
        if (config.status() != 200) {
            throw new IllegalStateException("PUT /api/agent-config answered " + config.status() + ": " + config.body());
        }
        Tasks tasks = Tasks.inNewBrief(http, stack.tasksPort(), Http.bearer(token));
        int launches = this.config.launchRounds() * this.config.launchPerRound();
        int needed = launches + Math.max(0, this.config.statusUpdates() - launches) + this.config.contentionRounds();
        Ctx.log("importing %d tasks ...", needed);
        tasks.ensure(needed);
        Ctx.log("%d tasks imported", tasks.imported());
        return tasks;
    }

    private List<Long> currentBenchPids(Stack stack) {
        List<Long> pids = new ArrayList<>(benchPids);
        for (String service : Stack.SERVICES) {
            long pid = stack.pid(service);
            if (pid > 0) {
                pids.add(pid);
            }
        }
        long kafka = stack.kafkaPid();
        if (kafka > 0) {
            pids.add(kafka);
        }
        pids.add(ProcessHandle.current().pid());
        return pids;
    }

    private void failed(String phase, Exception e) {
        String message = phase + ": " + OpenLoop.rootCause(e);
        results.failures.add(message);
        Ctx.log("FAILED %s", message);
        e.printStackTrace();
    }

    private static void writeRaw(Path dir, List<Samples> samples) {
        for (Samples s : samples) {
            Path file = dir.resolve(s.name().replaceAll("[^a-zA-Z0-9]+", "-") + ".csv");
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
                out.println("index,latency_ms,outcome");
                for (int i = 0; i < s.size(); i++) {
                    out.println(i + "," + (s.has(i) ? String.format(java.util.Locale.ROOT, "%.3f", s.get(i) / 1e6) + ",ok" : ",error"));
                }
                out.println("# errors by kind: " + s.errors());
            } catch (IOException e) {
                Ctx.log("cannot write %s: %s", file, e.getMessage());
            }
        }
    }

    private static void requireFree(int... ports) {
        for (int port : ports) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            } catch (IOException e) {
                throw new IllegalStateException("port " + port + " is in use; the bench needs it free (an earlier bench stack? "
                        + "stop it with HANDOFF_STATE=.handoff/bench HANDOFF_PORT_OFFSET=" + (ports[0] - 8081)
                        + " HANDOFF_KAFKA_PORT=... ./handoff down)");
            }
        }
    }

    private static String commit(Path root) {
        String sha = Proc.run(root, "git", "rev-parse", "HEAD");
        if (sha.isEmpty()) {
            return "unknown (not a git checkout)";
        }
        String dirty = Proc.run(root, "git", "status", "--porcelain", "--untracked-files=no");
        return sha + (dirty.isEmpty() ? "" : " (with uncommitted changes)");
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
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
