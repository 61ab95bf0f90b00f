package dev.handoff.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The one table (stdout) and bench/RESULTS.md: the figures, the goals, the conditions and how each was measured. */
final class Report {

    // the targets of issue 21, each a ratio to a floor measured in the same run
    static final double LAUNCH_CPU_X = 2;
    static final double LAUNCH_LOW_P99_X = 2;
    static final double STATUS_CPU_X = 3;
    static final double STATUS_LOW_P50_X = 4;
    static final double STATUS_LOW_P99_X = 3;
    static final double CAPACITY_P99_X = 3;
    static final double FOOTPRINT_X = 1.5;
    static final double STACK_READY_S = 15;

    private final Results r;

    Report(Results results) {
        this.r = results;
    }

    // ---- the goals ----

    record Goal(String name, String goal, Boolean holds, String figures) {
        String verdict() {
            return holds == null ? "not measured" : holds ? "holds" : "DOES NOT HOLD";
        }
    }

    static final String LAUNCH_GOAL = "CPU per launch <= 2x the floor's CPU per insert; launch p99 at 10/s <= 2x the floor's p99 at 10/s";
    static final String STATUS_GOAL = "CPU per status update <= 3x the three-hop floor's CPU per record; webhook -> SSE at 10/s: "
            + "p50 <= 4x and p99 <= 3x the three-hop floor's at 10/s";
    static final String CAPACITY_GOAL = "launches at the launch rate and status updates at the status rate, 60 s each: p99 <= 3x the "
            + "floor's at the same rate, 0 errors, 0 lost, no call refused by an open circuit breaker in the first (cold) round";
    static final String CONTENTION_GOAL = "exactly 1 run created in every round, 0 errors";
    static final String FOOTPRINT_GOAL = "each service's RSS after the load <= 1.5x the floor app's and ready <= 1.5x the floor app's; "
            + "the whole stack ready within 15 s of ./handoff up (services built)";

    List<Goal> goals() {
        List<Goal> goals = new ArrayList<>();
        if (r.launch != null) {
            double cpu = launchCpuRatio();
            double p99 = launchLowRatio();
            goals.add(new Goal("1 launch", LAUNCH_GOAL, cpu <= LAUNCH_CPU_X && p99 <= LAUNCH_LOW_P99_X,
                    f("CPU %.1f ms vs %.1f ms = %sx; p99 at %d/s %s ms vs %s ms = %sx", launchCpu(), floorCpu(), x(cpu),
                            LaunchPhase.LOW_RATE, ms(r.launch.lowRate().stats().p99()), ms(r.launch.lowRateFloor().stats().p99()), x(p99))));
        } else {
            goals.add(new Goal("1 launch", LAUNCH_GOAL, null, missing(1)));
        }
        if (r.status != null) {
            double cpu = statusCpuRatio();
            Samples.Stats low = r.status.low().endToEnd().stats();
            Samples.Stats lowFloor = r.status.lowFloorRounds().pooled();
            goals.add(new Goal("2 status update", STATUS_GOAL, cpu <= STATUS_CPU_X && low.p50() / lowFloor.p50() <= STATUS_LOW_P50_X
                    && low.p99() / lowFloor.p99() <= STATUS_LOW_P99_X && r.status.low().lost() == 0,
                    f("CPU %.1f ms vs %.1f ms = %sx; at %d/s p50 %s ms vs %s ms = %sx, p99 %s ms vs %s ms = %sx, %d lost", statusCpu(),
                            hopCpu(), x(cpu), r.status.low().rate(), ms(low.p50()), ms(lowFloor.p50()), x(low.p50() / lowFloor.p50()),
                            ms(low.p99()), ms(lowFloor.p99()), x(low.p99() / lowFloor.p99()), r.status.low().lost())));
        } else {
            goals.add(new Goal("2 status update", STATUS_GOAL, null, missing(2)));
        }
        if (r.launch != null || r.status != null) {
            List<String> figures = new ArrayList<>();
            boolean holds = true;
            if (r.launch != null) {
                Samples.Rounds p = r.launch.productRounds();
                holds &= launchRatio() <= CAPACITY_P99_X && p.errors() == 0 && r.launch.coldRoundBreakerLines() == 0;
                figures.add(f("launch @%d/s p99 %s ms vs %s ms = %sx, %d errors of %d, %d breaker refusals in round 1",
                        r.config.launchRate(), ms(p.medianP99()), ms(r.launch.floorRounds().medianP99()), x(launchRatio()), p.errors(),
                        p.count() + p.errors(), r.launch.coldRoundBreakerLines()));
            } else {
                holds = false;
                figures.add("launch " + missing(1));
            }
            if (r.status != null) {
                holds &= statusRatio() <= CAPACITY_P99_X && r.status.lost() == 0 && r.status.webhookErrors() == 0;
                figures.add(f("status @%d/s p99 %s ms vs %s ms = %sx, %d lost, %d webhooks refused, of %d", r.config.statusRate(),
                        ms(r.status.medianWindowP99()), ms(r.status.floorRounds().medianP99()), x(statusRatio()), r.status.lost(),
                        r.status.webhookErrors(), r.status.endToEnd().size()));
            } else {
                holds = false;
                figures.add("status " + missing(2));
            }
            goals.add(new Goal("3 capacity", CAPACITY_GOAL, holds, String.join("; ", figures)));
        } else {
            goals.add(new Goal("3 capacity", CAPACITY_GOAL, null, missing(1)));
        }
        if (r.contention != null) {
            long clean = r.contention.stream().filter(ContentionPhase.Round::clean).count();
            goals.add(new Goal("contention", CONTENTION_GOAL, clean == r.contention.size() && !r.contention.isEmpty(),
                    f("%d of %d rounds clean; created per round %s; 409s %d; other answers %d",
                            clean, r.contention.size(), createdRange(), conflicts(), otherAnswers())));
        } else {
            goals.add(new Goal("contention", CONTENTION_GOAL, null, missing(3)));
        }
        if (r.restarts != null && r.memory != null && memoryOf("floor-app") != null) {
            List<String> over = new ArrayList<>();
            for (String service : Stack.SERVICES) {
                if (!(readyRatio(service) <= FOOTPRINT_X)) {
                    over.add(f("%s ready %s s = %sx", service, s2(medianReady(service)), x(readyRatio(service))));
                }
                if (!(rssRatio(service) <= FOOTPRINT_X)) {
                    over.add(f("%s RSS %s MiB = %sx", service, mib(memoryOf(service).rssKb()), x(rssRatio(service))));
                }
            }
            double stack = r.stackRestart == null ? Double.NaN : r.stackRestart.seconds();
            if (!(stack <= STACK_READY_S)) {
                over.add(f("the stack ready %s s after ./handoff up", s2(stack)));
            }
            goals.add(new Goal("4 footprint", FOOTPRINT_GOAL, over.isEmpty(),
                    f("floor app ready %s s, RSS %s MiB; stack ready %s s after ./handoff up; ", s2(floorReady()),
                            mib(memoryOf("floor-app").rssKb()), s2(stack))
                            + (over.isEmpty() ? "all four within every limit" : "over: " + String.join("; ", over))));
        } else {
            goals.add(new Goal("4 footprint", FOOTPRINT_GOAL, null, missing(4)));
        }
        if (r.mirror != null) {
            goals.addAll(r.mirror.goals());
        } else {
            goals.add(new Goal("agent start", "first run <= 1.2x git clone, later runs <= 1.5x git worktree add", null, missing(6)));
        }
        return goals;
    }

    /** Why a measurement has no figures: not asked for (--phases), or its phase failed. */
    private String missing(int phase) {
        return r.config.phases().contains(phase) ? "phase failed" : "not run (--phases)";
    }

    double launchRatio() {
        return r.launch.productRounds().medianP99() / r.launch.floorRounds().medianP99();
    }

    double statusRatio() {
        return r.status.medianWindowP99() / r.status.floorRounds().medianP99();
    }

    /** ms of CPU (all processes) per launch sent in the launch rounds, and per insert sent in the floor rounds. */
    double launchCpu() {
        Samples.Rounds p = r.launch.productRounds();
        return total(r.launch.productCpuMillis()) / Math.max(1, p.count() + p.errors());
    }

    double floorCpu() {
        Samples.Rounds fl = r.launch.floorRounds();
        return total(r.launch.floorCpuMillis()) / Math.max(1, fl.count() + fl.errors());
    }

    double launchCpuRatio() {
        return launchCpu() / floorCpu();
    }

    double launchLowRatio() {
        return r.launch.lowRate().stats().p99() / r.launch.lowRateFloor().stats().p99();
    }

    /** ms of CPU (all processes) per status update of the full-rate run, and per record of the three-hop floor's rounds. */
    double statusCpu() {
        return total(r.status.main().cpuMillis()) / Math.max(1, r.status.main().endToEnd().size());
    }

    double hopCpu() {
        Samples.Rounds fl = r.status.floorRounds();
        return total(r.status.floorCpuMillis()) / Math.max(1, fl.count() + fl.errors());
    }

    double statusCpuRatio() {
        return statusCpu() / hopCpu();
    }

    double floorReady() {
        return Samples.median(r.floorStarts.stream().map(Startup.Sample::seconds).toList());
    }

    double readyRatio(String service) {
        return medianReady(service) / floorReady();
    }

    double rssRatio(String service) {
        Footprint.Memory m = memoryOf(service);
        Footprint.Memory floor = memoryOf("floor-app");
        return m == null || floor == null ? Double.NaN : (double) m.rssKb() / floor.rssKb();
    }

    // ---- the table ----

    String table() {
        StringBuilder t = new StringBuilder();
        t.append("| target | measurement | samples | errors | Handoff | floor | floor figure | ratio | goal | holds |\n");
        t.append("|---|---|---|---|---|---|---|---|---|---|\n");
        List<Goal> goals = goals();
        if (r.launch != null) {
            Samples.Rounds p = r.launch.productRounds();
            Samples.Rounds fl = r.launch.floorRounds();
            Samples.Stats low = r.launch.lowRate().stats();
            Samples.Stats lowFloor = r.launch.lowRateFloor().stats();
            t.append(row("1", f("CPU per launch (all processes), the rounds @%d/s", r.config.launchRate()), str(p.count() + p.errors()),
                    str(p.errors()), f("%.1f ms", launchCpu()), "bare Quarkus POST, 1 PG insert: CPU per insert (same rounds' rate)",
                    f("%.1f ms", floorCpu()), x(launchCpuRatio()), "<= 2x", verdict(launchCpuRatio() <= LAUNCH_CPU_X)));
            t.append(row("1", f("launch `POST /api/tasks/{id}/runs` @%d/s (no queueing)", LaunchPhase.LOW_RATE), str(low.count()),
                    str(low.errors()), f("p50 %s / p99 %s ms", ms(low.p50()), ms(low.p99())), f("the floor's POST @%d/s", LaunchPhase.LOW_RATE),
                    f("p50 %s / p99 %s ms", ms(lowFloor.p50()), ms(lowFloor.p99())), "p99 " + x(launchLowRatio()), "p99 <= 2x",
                    verdict(launchLowRatio() <= LAUNCH_LOW_P99_X)));
            t.append(row("3", f("capacity: launch @%d/s, distinct tasks, %d rounds x %d s (round 1 cold)", r.config.launchRate(),
                    r.config.launchRounds(), r.config.launchSeconds()), str(p.count() + p.errors()),
                    f("%d; %d breaker refusals in round 1", p.errors(), r.launch.coldRoundBreakerLines()),
                    f("p50 %s / p99 %s ms", ms(p.medianP50()), ms(p.medianP99())), "the floor's POST, same rate, alternate rounds",
                    f("p50 %s / p99 %s ms", ms(fl.medianP50()), ms(fl.medianP99())), "p99 " + x(launchRatio()),
                    "p99 <= 3x, 0 errors, 0 refusals", verdict(launchRatio() <= CAPACITY_P99_X && p.errors() == 0
                            && r.launch.coldRoundBreakerLines() == 0)));
        } else {
            t.append(row("1, 3", "launch", "-", "-", "-", "-", "-", "-", "-", missing(1)));
        }
        if (r.status != null) {
            Samples.Rounds fl = r.status.floorRounds();
            StatusPhase.Batch lowBatch = r.status.low();
            Samples.Stats low = lowBatch.endToEnd().stats();
            Samples.Stats lowFloor = r.status.lowFloorRounds().pooled();
            t.append(row("2", f("CPU per status update (all processes), the run @%d/s", r.config.statusRate()),
                    str(r.status.endToEnd().size()), f("%d lost, %d refused", r.status.lost(), r.status.webhookErrors()),
                    f("%.1f ms", statusCpu()), "3 Kafka produce->consume hops: CPU per record (same rate)", f("%.1f ms", hopCpu()),
                    x(statusCpuRatio()), "<= 3x", verdict(statusCpuRatio() <= STATUS_CPU_X)));
            t.append(row("2", f("status: signed Cursor webhook -> SSE `run.status-changed` @%d/s (no queueing)", lowBatch.rate()),
                    str(lowBatch.endToEnd().size()), f("%d lost, %d refused", lowBatch.lost(), lowBatch.webhookErrors()),
                    f("p50 %s / p99 %s ms", ms(low.p50()), ms(low.p99())), f("3 Kafka hops @%d/s", lowBatch.rate()),
                    f("p50 %s / p99 %s ms", ms(lowFloor.p50()), ms(lowFloor.p99())),
                    f("p50 %s / p99 %s", x(low.p50() / lowFloor.p50()), x(low.p99() / lowFloor.p99())), "p50 <= 4x, p99 <= 3x",
                    verdict(low.p50() / lowFloor.p50() <= STATUS_LOW_P50_X && low.p99() / lowFloor.p99() <= STATUS_LOW_P99_X
                            && lowBatch.lost() == 0)));
            t.append(row("3", f("capacity: status updates @%d/s for %d s (windows of %d s)", r.config.statusRate(), r.config.statusSeconds(),
                    r.config.statusSeconds() / Math.max(1, r.config.statusWindows())), str(r.status.endToEnd().size()),
                    f("%d lost, %d refused", r.status.lost(), r.status.webhookErrors()),
                    f("p50 %s / p99 %s ms", ms(r.status.medianWindowP50()), ms(r.status.medianWindowP99())), "3 Kafka hops, same rate",
                    f("p50 %s / p99 %s ms", ms(fl.medianP50()), ms(fl.medianP99())), "p99 " + x(statusRatio()), "p99 <= 3x, 0 lost",
                    verdict(statusRatio() <= CAPACITY_P99_X && r.status.lost() == 0 && r.status.webhookErrors() == 0)));
        } else {
            t.append(row("2, 3", "status", "-", "-", "-", "-", "-", "-", "-", missing(2)));
        }
        if (r.contention != null) {
            t.append(row("-", f("contention: %d simultaneous launches on one task x %d rounds", r.config.contentionParallel(),
                    r.contention.size()), str(r.contention.size() * r.config.contentionParallel()),
                    f("%d other answers", otherAnswers()), f("created/round: %s; 409s: %d", createdRange(), conflicts()),
                    "-", "-", "-", "exactly 1, 0 errors", goals.get(3).verdict()));
        } else {
            t.append(row("-", "contention", "-", "-", "-", "-", "-", "-", "exactly 1, 0 errors", missing(3)));
        }
        if (r.restarts != null && r.memory != null && memoryOf("floor-app") != null) {
            Footprint.Memory floorMemory = memoryOf("floor-app");
            for (String service : Stack.SERVICES) {
                Footprint.Memory m = memoryOf(service);
                t.append(row("4", f("footprint %s: cold start to ready (median of %d) / RSS after the load", service,
                        r.restarts.get(service).size()), str(r.restarts.get(service).size()), "-",
                        f("ready %s s / RSS %s MiB", s2(medianReady(service)), m == null ? "?" : mib(m.rssKb())),
                        "floor app (same JVM options)", f("ready %s s / RSS %s MiB", s2(floorReady()), mib(floorMemory.rssKb())),
                        f("%s / %s", x(readyRatio(service)), x(rssRatio(service))), "<= 1.5x / <= 1.5x",
                        verdict(readyRatio(service) <= FOOTPRINT_X && rssRatio(service) <= FOOTPRINT_X)));
            }
            double stack = r.stackRestart == null ? Double.NaN : r.stackRestart.seconds();
            t.append(row("4", "the four services stopped, then `./handoff up` until all four are ready (broker and databases kept)", "1",
                    "-", f("%s s", s2(stack)), "-", "-", "-", "<= 15 s", verdict(stack <= STACK_READY_S)));
        } else {
            t.append(row("4", "footprint", "-", "-", "-", "-", "-", "-", "<= 1.5x, <= 15 s", missing(4)));
        }
        if (r.fanOut != null) {
            t.append(row("-", f("fan-out: %d SSE clients, one event, until the last client has it (%d events)", r.fanOut.connected(),
                    r.fanOut.many().size()), str(r.fanOut.many().size() * r.fanOut.connected()), f("%d missing", r.fanOut.missing()),
                    f("first %s / last %s ms", ms(r.fanOut.firstMedian()), ms(r.fanOut.lastMedian())), "the same event to 1 client",
                    f("%s ms", ms(r.fanOut.singleMedian())), x(r.fanOut.lastMedian() / r.fanOut.singleMedian()), "(none set)", "-"));
        } else {
            t.append(row("-", "fan-out", "-", "-", "-", "-", "-", "-", "(none set)", missing(5)));
        }
        return t.toString();
    }

    private static String verdict(boolean holds) {
        return holds ? "holds" : "DOES NOT HOLD";
    }

    // ---- RESULTS.md ----

    String markdown() {
        StringBuilder m = new StringBuilder();
        m.append("# Benchmark results\n\n");
        m.append(f("Measured by `./handoff bench%s` (bench/run.sh); this file is written by the harness. Mode: **%s**.%n%n",
                r.command, r.config.mode()));
        if (r.config.profile()) {
            m.append("**A profiled run**: the services ran with `-XX:NativeMemoryTracking=summary` and JFR recorded them during the "
                    + "launch rounds and the status run, which costs them some CPU and memory. Its figures explain where the time "
                    + "and memory go; the reference figures are in RESULTS.md (a run without these).\n\n");
        }
        m.append("## When, where, on what\n\n");
        m.append(f("- Date: %s to %s (UTC)%n", r.started, r.finished));
        m.append(f("- Machine: %d CPUs (`nproc`), %s, memory %s, %s%n", Runtime.getRuntime().availableProcessors(), Proc.cpuModel(),
                Proc.meminfoTotal(), System.getProperty("os.name") + " " + System.getProperty("os.version")));
        m.append(f("- Java: %s %s; services and floor app run with `%s`%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), r.javaOpts));
        m.append(f("- Commit: `%s`%n", r.commit));
        m.append(f("- Load average (1, 5, 15 min) at the start: %s; at the end: %s%n", r.loadStart, r.loadEnd));
        m.append("- Everything runs on this one machine: the four services, the Kafka broker, PostgreSQL, the floor app, "
                + "the fake Cursor and the load generator share its CPUs, and so did whatever else was running (see below).\n\n");
        m.append("**Conditions per phase.** CPU shares are of the whole machine (all CPUs) during the phase: *bench* = the four "
                + "services, the broker, the floor app and the harness; *PostgreSQL* = every postgres process (the server is shared "
                + "with anyone else's tests); *others* = everything else that ran meanwhile.\n\n");
        m.append("| phase | seconds | load at start | load at end | machine busy | bench | PostgreSQL | others | PG connections in use at start / end |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Conditions.Phase p : r.phases) {
            m.append(f("| %s | %.0f | %s | %s | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %s / %s |%n", p.name(), p.seconds(), p.loadStart(), p.loadEnd(),
                    p.busyPct(), p.benchPct(), p.postgresPct(), p.othersPct(), p.pgConnectionsStart(), p.pgConnectionsEnd()));
        }
        m.append("\n**What the services logged at WARN / ERROR, per phase** (count, message with ids and numbers blanked; the most frequent 10):\n\n");
        boolean any = false;
        for (Conditions.Phase p : r.phases) {
            if (!p.logged().isEmpty()) {
                any = true;
                int total = p.logged().values().stream().mapToInt(Integer::intValue).sum();
                m.append(f("- %s: %d lines%n", p.name(), total));
                LogScan.top(p.logged(), 10).forEach((k, v) -> m.append(f("  - %d x `%s`%n", v, k.replace("`", "'"))));
            }
        }
        if (!any) {
            m.append("- nothing\n");
        }
        if (!r.failures.isEmpty()) {
            m.append("\n**Phases that failed:**\n\n");
            r.failures.forEach(fail -> m.append("- ").append(fail).append('\n'));
        }
        m.append("\n## The table\n\n");
        m.append("The targets of issue 21, each as a ratio to a floor measured in the same run. Latencies at the capacity rates are "
                + "the median over rounds (or windows) of each round's p50 / p99; at 10/s, the figures of the one batch; the pooled "
                + "figures over every sample and every round are in the details. CPU is ms of CPU time (user + system, from /proc) "
                + "of every process of the bench (the services, broker, PostgreSQL backends of the bench's databases, floor app, "
                + "harness) per request sent. *ratio* = Handoff / floor.\n\n");
        m.append(table());
        m.append("\n## Goals\n\n");
        for (Goal g : goals()) {
            m.append(f("- **%s** (%s): **%s**. %s%n", g.name(), g.goal(), g.verdict(), g.figures()));
        }
        launchDetails(m);
        statusDetails(m);
        contentionDetails(m);
        footprintDetails(m);
        fanOutDetails(m);
        if (r.mirror != null) {
            m.append(r.mirror.markdown());
        }
        profiles(m);
        m.append("\n").append(METHOD);
        return m.toString();
    }

    private void launchDetails(StringBuilder m) {
        if (r.launch == null) {
            return;
        }
        LaunchPhase.Result l = r.launch;
        m.append("\n## 1. Launch\n\n");
        m.append("| round | launches ok | errors | p50 ms | p99 ms | max ms | sender lag max ms | floor ok | floor errors | floor p50 | floor p99 | floor max |\n");
        m.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        Samples.Rounds p = l.productRounds();
        Samples.Rounds fl = l.floorRounds();
        for (int i = 0; i < p.rounds().size(); i++) {
            Samples.Stats a = p.rounds().get(i);
            Samples.Stats b = fl.rounds().get(i);
            m.append(f("| %d | %d | %d | %s | %s | %s | %s | %d | %d | %s | %s | %s |%n", i + 1, a.count(), a.errors(), ms(a.p50()),
                    ms(a.p99()), ms(a.max()), ms(l.productLagNanos().get(i) / 1e6), b.count(), b.errors(), ms(b.p50()),
                    ms(b.p99()), ms(b.max())));
        }
        m.append(f("| all (pooled) | %d | %d | %s | %s | %s | | %d | %d | %s | %s | %s |%n", p.pooled().count(), p.pooled().errors(),
                ms(p.pooled().p50()), ms(p.pooled().p99()), ms(p.pooled().max()), fl.pooled().count(), fl.pooled().errors(),
                ms(fl.pooled().p50()), ms(fl.pooled().p99()), ms(fl.pooled().max())));
        m.append("\nRound 1 is the first load the freshly started services see (cold JIT); it is reported, not dropped.\n");
        errors(m, "Launch errors", l.product());
        errors(m, "Floor errors", l.floor());
        cpuTable(m, "**CPU per request** (ms of CPU time per request sent, user + system, from /proc, summed over the rounds; "
                + "work a launch causes later, like the gateway launching the agent at Cursor, counts where it happens, so "
                + "some of it spills into the next floor round):", l.productCpuMillis(), p.count() + p.errors(), "launch round",
                l.floorCpuMillis(), fl.count() + fl.errors(), "floor round");
        double launchCpu = launchCpu();
        double floorCpu = floorCpu();
        m.append(f("%nCalls refused by an open circuit breaker (lines the services logged): %d in the first, cold, round; %d over "
                + "all rounds.%n", l.coldRoundBreakerLines(), l.breakerLines()));
        m.append(f("%nAt %.1f ms of CPU per launch (all processes, the load generator included), %d launches/s need %.2f CPUs; "
                + "this machine has %d, and during the launch rounds others used %s of it. The floor needs %.1f ms per insert.%n",
                launchCpu, r.config.launchRate(), launchCpu * r.config.launchRate() / 1000, Runtime.getRuntime().availableProcessors(),
                phaseOthers("1 launch"), floorCpu));
        m.append("\n**Diagnosis: where a launch's time goes (same run).** A launch reads the task's agent context from "
                + "task-service and the workspace's agent configuration from the gateway (both over HTTP with the caller's token, "
                + "concurrently, each with a 1.5 s timeout, a retry and a circuit breaker), then, in one transaction, takes the "
                + "workspace's launch lock (`pg_advisory_xact_lock`), counts the workspace's active runs, claims the task, inserts "
                + "the run and two outbox rows. Below: the two reads alone at the launch rate, and a launch without queueing (a low "
                + "rate, after the gateway had caught up with the launches above, which took it "
                + f("%.1f s", l.backlogSeconds()) + ") beside the floor at that rate.\n\n");
        m.append("| request | rate /s | ok | errors | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|\n");
        diagnosisRow(m, "`GET /api/tasks/{id}/agent-context` (task-service) alone", r.config.launchRate(), l.agentContext());
        diagnosisRow(m, "`GET /api/agent-config` (provider-gateway) alone", r.config.launchRate(), l.agentConfig());
        diagnosisRow(m, "launch `POST /api/tasks/{id}/runs`, low rate", LaunchPhase.LOW_RATE, l.lowRate());
        diagnosisRow(m, "floor `POST /floor`, low rate", LaunchPhase.LOW_RATE, l.lowRateFloor());
        if (l.spread() != null) {
            diagnosisRow(m, f("launch at the launch rate, spread over %d workspaces (round robin)", l.spreadWorkspaces()),
                    r.config.launchRate(), l.spread());
        }
        double lowRatio = l.lowRate().stats().p99() / l.lowRateFloor().stats().p99();
        m.append(f("%nAt %d/s the launch's p99 is %sx the floor's.%n", LaunchPhase.LOW_RATE, x(lowRatio)));
        if (l.spread() != null) {
            Samples.Stats st = l.spread().stats();
            m.append(f("%nThe same offered load in one workspace (the rounds above: median p50 %s ms, p99 %s ms) and spread over %d "
                    + "workspaces (p50 %s ms, p99 %s ms, %d errors, %.1f ms of CPU per launch): launches of one workspace take the "
                    + "workspace's advisory lock for the rest of their transaction, one after the other; the difference shows what "
                    + "that costs at this rate.%n",
                    ms(p.medianP50()), ms(p.medianP99()), l.spreadWorkspaces(), ms(st.p50()), ms(st.p99()), st.errors(),
                    total(l.spreadCpuMillis()) / Math.max(1, l.spread().size())));
        }
        if (!l.runsDbSessions().isEmpty()) {
            m.append(f("%n**What the run service's database sessions were doing** (`pg_stat_activity` of `%s` every 200 ms, %d samples "
                    + "during the launch rounds; average number of sessions in each state). "
                    + "*idle in transaction, Client:ClientRead* = an open transaction waits for the service's next statement; "
                    + "*active, Lock:advisory* = waits for another launch's workspace lock; *idle* = a pooled connection not in use.%n%n",
                    LaunchPhase.RUNS_DB, l.runsDbSamples()));
            m.append("| state, wait event | one workspace (launch rounds) | ten workspaces (the spread round) |\n|---|---|---|\n");
            java.util.Set<String> states = new java.util.LinkedHashSet<>(l.runsDbSessions().keySet());
            states.addAll(l.spreadDbSessions().keySet());
            for (String state : states) {
                m.append(f("| %s | %s | %s |%n", state, l.runsDbSessions().containsKey(state) ? f("%.1f", l.runsDbSessions().get(state)) : "",
                        l.spreadDbSessions().containsKey(state) ? f("%.1f", l.spreadDbSessions().get(state)) : ""));
            }
        }
        cpuTable(m, "CPU per request of the two reads alone:", l.agentContextCpuMillis(), l.agentContext().size(), "agent-context",
                l.agentConfigCpuMillis(), l.agentConfig().size(), "agent-config");
    }

    private static double total(Map<String, Double> cpu) {
        return cpu.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** "64% (1.28 CPUs)": the share of the machine that processes outside the bench used during a phase. */
    private String phaseOthers(String phase) {
        return r.phases.stream().filter(p -> p.name().equals(phase)).findFirst()
                .map(p -> f("%.0f%% (%.2f CPUs)", p.othersPct(), p.othersPct() / 100 * Runtime.getRuntime().availableProcessors()))
                .orElse("?");
    }

    private static void diagnosisRow(StringBuilder m, String what, int rate, Samples s) {
        Samples.Stats st = s.stats();
        m.append(f("| %s | %d | %d | %d | %s | %s | %s |%n", what, rate, st.count(), st.errors(), ms(st.p50()), ms(st.p99()), ms(st.max())));
    }

    /** CPU milliseconds per request, by process, for rounds of {@code requests} requests. */
    private static void cpuTable(StringBuilder m, String title, Map<String, Double> a, int aRequests, String aName,
            Map<String, Double> b, int bRequests, String bName) {
        m.append(f("%n%s%n%n| process | %s |%s%n|---|---|%s%n", title, aName, b == null ? "" : " " + bName + " |", b == null ? "" : "---|"));
        double aTotal = 0;
        double bTotal = 0;
        for (String process : a.keySet()) {
            double av = a.get(process) / Math.max(1, aRequests);
            double bv = b == null ? 0 : b.getOrDefault(process, 0.0) / Math.max(1, bRequests);
            aTotal += av;
            bTotal += bv;
            m.append(f("| %s | %.2f |%s%n", process, av, b == null ? "" : f(" %.2f |", bv)));
        }
        m.append(f("| **all** | **%.2f** |%s%n", aTotal, b == null ? "" : f(" **%.2f** |", bTotal)));
    }

    private void statusDetails(StringBuilder m) {
        if (r.status == null) {
            return;
        }
        StatusPhase.Result s = r.status;
        StatusPhase.Batch b = s.main();
        m.append("\n## 2. Status to browser\n\n");
        m.append(f("%d updates were sent (one Cursor run finishing each), open loop at %d/s (sender lag max %s ms). Before that the "
                + "gateway had to launch the runs at the fake Cursor: the harness waited %.1f s for it to finish that backlog; "
                + "%d runs never reached the fake Cursor (not used). Runs launched for this phase beyond those of phase 1: %d%s.%n%n",
                b.endToEnd().size(), b.rate(), ms(b.maxLagNanos() / 1e6), s.cursorBacklogSeconds(), s.notLaunchedAtCursor(),
                s.extraLaunches(), s.extraLaunchErrors().isEmpty() ? "" : " (answers other than 201 meanwhile: " + s.extraLaunchErrors() + ")"));
        m.append("| window (in sending order) | updates on the stream | errors / lost | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < b.windows().size(); i++) {
            Samples.Stats w = b.windows().get(i);
            m.append(f("| %d | %d | %d | %s | %s | %s |%n", i + 1, w.count(), w.errors(), ms(w.p50()), ms(w.p99()), ms(w.max())));
        }
        Samples.Stats all = b.endToEnd().stats();
        m.append(f("| all (pooled) | %d | %d | %s | %s | %s |%n", all.count(), all.errors(), ms(all.p50()), ms(all.p99()), ms(all.max())));
        errors(m, "Status errors", List.of(b.endToEnd()));
        m.append(f("%nAfter the load: %s.%n", s.afterLoad()));
        m.append("\n**Floor**: three Kafka hops at the same rate.\n\n| round | records | errors | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|\n");
        Samples.Rounds fl = s.floorRounds();
        for (int i = 0; i < fl.rounds().size(); i++) {
            Samples.Stats w = fl.rounds().get(i);
            m.append(f("| %d | %d | %d | %s | %s | %s |%n", i + 1, w.count(), w.errors(), ms(w.p50()), ms(w.p99()), ms(w.max())));
        }
        m.append(f("| all (pooled) | %d | %d | %s | %s | %s |%n", fl.pooled().count(), fl.pooled().errors(), ms(fl.pooled().p50()),
                ms(fl.pooled().p99()), ms(fl.pooled().max())));
        m.append("\n**Diagnosis: where the time goes.** Each stage measured from the moment the webhook was due (cumulative). "
                + "The Kafka stages are when the harness's own consumer (a group of its own) received the record, so they include "
                + "one consumer fetch. First at the full rate, then the same path without queueing (a low rate, measured before the "
                + "full-rate run) beside the floor at that rate.\n\n");
        stages(m, b);
        StatusPhase.Batch low = s.low();
        m.append(f("%nAt %d/s (%d updates, %d lost, %d refused):%n%n", low.rate(), low.endToEnd().size(), low.lost(), low.webhookErrors()));
        stages(m, low);
        Samples.Stats lowFloor = s.lowFloorRounds().pooled();
        m.append(f("%nThe three-hop floor at %d/s: p50 %s ms, p99 %s ms (%d records, %d errors). At that rate the path's p99 is %sx the floor's.%n",
                low.rate(), ms(lowFloor.p50()), ms(lowFloor.p99()), lowFloor.count(), lowFloor.errors(),
                x(low.endToEnd().stats().p99() / lowFloor.p99())));
        cpuTable(m, "**CPU per update** (ms of CPU time per webhook sent, from the first webhook until the stream had them all) "
                + "beside the three-hop floor's CPU per record:", b.cpuMillis(), b.endToEnd().size(), "status update (full rate)",
                s.floorCpuMillis(), fl.count() + fl.errors(), "three Kafka hops");
        double updateCpu = statusCpu();
        m.append(f("%nAt %.1f ms of CPU per update (all processes, the load generator and fake Cursor included), %d updates/s need "
                + "%.2f CPUs; this machine has %d, and during the phase others used %s of it. When that is more than the machine "
                + "has, the queue grows for the whole run (see the windows) and the p99 measures the queue. Three Kafka hops "
                + "cost %.1f ms of CPU per record.%n", updateCpu, b.rate(), updateCpu * b.rate() / 1000,
                Runtime.getRuntime().availableProcessors(), phaseOthers("2 status to browser (+ three-hop floor)"),
                hopCpu()));
        m.append(f("%nEvents the SSE client received during the phase: %s.%n", s.eventsSeen()));
        if (!s.streamProblems().isEmpty()) {
            m.append(f("%nStream problems: %s%n", s.streamProblems()));
        }
        m.append(f("%nCalls the gateway made to the fake Cursor (whole bench): %s.%n", s.cursorCalls()));
    }

    private static void stages(StringBuilder m, StatusPhase.Batch b) {
        m.append("| stage (cumulative from the webhook's due time) | seen | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n");
        for (StatusPhase.Stage stage : b.stages()) {
            m.append(f("| %s | %d | %s | %s | %s |%n", stage.name(), stage.stats().count(), ms(stage.stats().p50()), ms(stage.stats().p99()),
                    ms(stage.stats().max())));
        }
    }

    private void contentionDetails(StringBuilder m) {
        if (r.contention == null) {
            return;
        }
        m.append("\n## 3. Contention\n\n| round | 201 | 409 run-already-active | other answers | runs on the task afterwards | every 409 names the created run | p50 ms | slowest ms |\n");
        m.append("|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < r.contention.size(); i++) {
            ContentionPhase.Round c = r.contention.get(i);
            m.append(f("| %d | %d | %d | %s | %d | %s | %s | %s |%n", i + 1, c.created201(), c.conflicts409(),
                    c.others().isEmpty() ? "0" : c.others().toString(), c.runsAfter(), c.conflictsNameTheRun() ? "yes" : "NO",
                    ms(c.p50Millis()), ms(c.maxMillis())));
        }
    }

    private void footprintDetails(StringBuilder m) {
        m.append("\n## 4. Footprint\n\n");
        if (r.memory != null) {
            m.append("Memory after the load (before the restarts): `VmRSS` and its peak `VmHWM` from /proc/<pid>/status; heap "
                    + "committed/used and metaspace committed from `jcmd <pid> GC.heap_info`.\n\n");
            m.append("| process | RSS MiB | peak RSS MiB | heap committed MiB | heap used MiB | metaspace committed MiB |\n|---|---|---|---|---|---|\n");
            for (Footprint.Memory mem : r.memory) {
                m.append(f("| %s | %s | %s | %s | %s | %s |%n", mem.process(), mib(mem.rssKb()), mib(mem.hwmKb()), mib(mem.heapCommittedKb()),
                        mib(mem.heapUsedKb()), mib(mem.metaspaceCommittedKb())));
            }
        }
        if (r.memory != null && r.memory.stream().anyMatch(mem -> !mem.nativeCommittedKb().isEmpty())) {
            m.append("\nNative memory tracking (`jcmd <pid> VM.native_memory summary`), committed MiB by category:\n\n");
            List<String> categories = new ArrayList<>();
            r.memory.forEach(mem -> mem.nativeCommittedKb().keySet().forEach(k -> {
                if (!categories.contains(k)) {
                    categories.add(k);
                }
            }));
            m.append("| process | ").append(String.join(" | ", categories)).append(" |\n|---|");
            categories.forEach(k -> m.append("---|"));
            m.append('\n');
            for (Footprint.Memory mem : r.memory) {
                if (!mem.nativeCommittedKb().isEmpty()) {
                    m.append("| ").append(mem.process()).append(" | ");
                    m.append(categories.stream().map(k -> mem.nativeCommittedKb().containsKey(k) ? mib(mem.nativeCommittedKb().get(k)) : "")
                            .collect(Collectors.joining(" | "))).append(" |\n");
                }
            }
        }
        if (r.restarts != null) {
            m.append("\nCold starts, one service at a time (stopped, then started alone by `./handoff up` while the others run; "
                    + "a new JVM each time, the OS file cache warm): seconds from the process's start (/proc) to the first 200 of "
                    + "`/q/health/ready`; in brackets what Quarkus logged as `started in`.\n\n");
            m.append("| service | samples (s) | median s |\n|---|---|---|\n");
            for (var e : r.restarts.entrySet()) {
                m.append(f("| %s | %s | %s |%n", e.getKey(), e.getValue().stream().map(s -> s2(s.seconds()) + " (" + s3(s.quarkusSeconds()) + ")")
                        .collect(Collectors.joining(", ")), s2(medianReady(e.getKey()))));
            }
            m.append(f("| floor-app | %s | %s |%n", r.floorStarts.stream().map(s -> s2(s.seconds()) + " (" + s3(s.quarkusSeconds()) + ")")
                    .collect(Collectors.joining(", ")), s2(Samples.median(r.floorStarts.stream().map(Startup.Sample::seconds).toList()))));
        }
        if (r.stackRestart != null) {
            m.append(f("%nThe whole stack (the goal's figure): the four services stopped, then one `./handoff up` (broker running, "
                    + "databases kept, services built), from the command's start until the last service was ready: %s s; each from "
                    + "its process's start: ", s2(r.stackRestart.seconds())));
            m.append(r.stackRestart.services().stream().map(s -> f("%s %s s (%s)", s.service(), s2(s.seconds()), s3(s.quarkusSeconds())))
                    .collect(Collectors.joining(", "))).append(".\n");
        }
        if (r.firstStart != null) {
            m.append(f("%nFor comparison, the first start of the stack (`./handoff up` starts the broker and all four at once, on fresh "
                    + "databases with their migrations; not the figure of the goal): %s s until all four were ready; ",
                    s2(r.firstStart.seconds())));
            m.append(r.firstStart.services().stream().map(s -> f("%s %s s (%s)", s.service(), s2(s.seconds()), s3(s.quarkusSeconds())))
                    .collect(Collectors.joining(", "))).append(".\n");
        }
    }

    private void fanOutDetails(StringBuilder m) {
        if (r.fanOut == null) {
            return;
        }
        m.append(f("%n## 5. Fan-out%n%n%d of %d streams were live. Time from just before the event was sent to Kafka until each client had it.%n%n",
                r.fanOut.connected(), r.fanOut.requested()));
        m.append("| event | clients | first ms | median ms | p99 ms | last ms | missing |\n|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (FanOutPhase.Event e : r.fanOut.single()) {
            m.append(f("| floor %d | %d | %s | %s | %s | %s | %d |%n", i++, e.clients(), ms(e.firstMillis()), ms(e.p50Millis()),
                    ms(e.p99Millis()), ms(e.lastMillis()), e.missing()));
        }
        i = 1;
        for (FanOutPhase.Event e : r.fanOut.many()) {
            m.append(f("| %d | %d | %s | %s | %s | %s | %d |%n", i++, e.clients(), ms(e.firstMillis()), ms(e.p50Millis()),
                    ms(e.p99Millis()), ms(e.lastMillis()), e.missing()));
        }
        if (!r.fanOut.problems().isEmpty()) {
            m.append(f("%nProblems: %s%n", r.fanOut.problems().size() > 20 ? r.fanOut.problems().subList(0, 20) + " ..." : r.fanOut.problems()));
        }
    }

    private void profiles(StringBuilder m) {
        if (r.profiles.isEmpty()) {
            return;
        }
        m.append("\n## Profiles (`--profile`)\n\nJFR recordings (settings `default`: a CPU sample of each running Java thread every "
                + "20 ms) of each service, from before the first launch round to after the last (the floor rounds in between "
                + "included), and during the full-rate status run. *Inclusive*: share of the samples with that area anywhere on "
                + "the stack (a sample counts for several areas); *self*: the innermost area on the stack (sums to 100%). "
                + "JWT verification includes the RSA arithmetic (`BigInteger`) it runs.\n");
        for (Profiler.Profile p : r.profiles) {
            m.append(f("%n**%s, %s** (%d samples)%s%n%n", p.service(), p.phase(), p.samples(), p.error() == null ? "" : " " + p.error()));
            m.append("| area | inclusive | self |\n|---|---|---|\n");
            p.inclusive().forEach((area, share) -> m.append(f("| %s | %.0f%% | %s |%n", area, share,
                    p.self().containsKey(area) ? f("%.0f%%", p.self().get(area)) : "")));
            p.self().forEach((area, share) -> {
                if (!p.inclusive().containsKey(area)) {
                    m.append(f("| %s | | %.0f%% |%n", area, share));
                }
            });
            m.append("\nHandoff methods most often on the stack: ");
            m.append(p.handoffMethods().entrySet().stream().map(e -> f("`%s` %.0f%%", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", "))).append('\n');
        }
    }

    private static void errors(StringBuilder m, String what, List<Samples> samples) {
        Map<String, Integer> all = new java.util.TreeMap<>();
        samples.forEach(s -> s.errors().forEach((k, v) -> all.merge(k, v, Integer::sum)));
        if (!all.isEmpty()) {
            m.append(f("%n%s by kind: %s%n", what, all));
        }
    }

    // ---- helpers ----

    double medianReady(String service) {
        return Samples.median(r.restarts.get(service).stream().map(Startup.Sample::seconds).toList());
    }

    Footprint.Memory memoryOf(String process) {
        return r.memory == null ? null : r.memory.stream().filter(mem -> mem.process().equals(process)).findFirst().orElse(null);
    }

    private String createdRange() {
        int min = r.contention.stream().mapToInt(ContentionPhase.Round::runsAfter).min().orElse(-1);
        int max = r.contention.stream().mapToInt(ContentionPhase.Round::runsAfter).max().orElse(-1);
        int min201 = r.contention.stream().mapToInt(ContentionPhase.Round::created201).min().orElse(-1);
        int max201 = r.contention.stream().mapToInt(ContentionPhase.Round::created201).max().orElse(-1);
        return (min == max ? String.valueOf(min) : min + ".." + max) + " (201s: " + (min201 == max201 ? String.valueOf(min201) : min201 + ".." + max201) + ")";
    }

    private int conflicts() {
        return r.contention.stream().mapToInt(ContentionPhase.Round::conflicts409).sum();
    }

    private int otherAnswers() {
        return r.contention.stream().mapToInt(c -> c.others().values().stream().mapToInt(Integer::intValue).sum()).sum();
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "-" : v >= 100 ? f("%.0f", v) : f("%.1f", v);
    }

    static String x(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : f("%.1f", v);
    }

    static String s2(double v) {
        return Double.isNaN(v) ? "-" : f("%.2f", v);
    }

    static String s3(double v) {
        return Double.isNaN(v) ? "-" : f("%.3f s", v);
    }

    static String mib(long kb) {
        return kb < 0 ? "-" : f("%.0f", kb / 1024.0);
    }

    static String str(int v) {
        return String.valueOf(v);
    }

    static final String METHOD = """
            ## How it is measured

            - **One command**: `./handoff bench` (bench/run.sh) builds what is missing (the services with `./mvnw package`,
              the bench project with `./mvnw -f bench/pom.xml package`), then runs the harness (bench/harness), which starts an
              isolated stack with `./handoff up` (state `.handoff/bench`, ports 28081-28084, Kafka 19292, databases `*_bench`
              made fresh), runs the phases below, prints the table and writes this file. Raw samples (one line per request or
              update, with its latency or its error) go to `bench/results-<date>/` (not committed).
            - **Open loop, no coordinated omission**: request *i* is due at start + i / rate whatever happened before; latency
              is from that due moment to the answer, so a stalled server or a lagging sender shows in the figures. Every
              request or update is counted: as a latency, or as an error of a named kind (HTTP status with its problem `code`,
              I/O failure, no answer within the drain time, lost). Nothing is dropped, including the first, cold, round.
            - **Medians of several runs**: launch and its floor alternate round by round; the status phase is one continuous run,
              cut into equal windows; the three-hop floor runs in rounds after it; cold starts are repeated; fan-out sends several
              events. The table shows the median over rounds / windows / repetitions of p50 and p99 (nearest rank); pooled
              figures are in the details.
            - **1. Launch**: `POST /api/tasks/{id}/runs` with `{"repositoryUrl":"https://github.com/handoff-bench/sample","branch":"main"}`
              and a member's bearer token, each request on a task that never had a run (imported up front with the Task Master
              import). The workspace is configured for Cursor (the fake below) and the bench stack runs with
              `HANDOFF_MAX_ACTIVE_RUNS=1000000` so the cap never answers 429 (and `HANDOFF_SSE_MAX_PER_WORKSPACE=100000`, so that
              phase 5's clients, all of one workspace, are not refused). Floor: `POST /floor` of bench/floor-app, a
              bare Quarkus REST endpoint that inserts one row with the reactive PostgreSQL client (no auth, no validation,
              no downstream call), its own process with the services' JVM options, its own database on the same server.
            - **2. Status to browser**: a fake Cursor (test-support FakeCursorApi, the published Cloud Agents API v0: Basic auth,
              `GET /v0/me`, `POST /v0/agents` taking `webhook.url` and `webhook.secret`, `GET /v0/agents[/{id}]`,
              `POST /v0/agents/{id}/stop`) is the Cursor the gateway talks to (`HANDOFF_CURSOR_BASE_URL`). Cursor sends webhooks
              only for FINISHED and ERROR, so one status update = one run finishing: the fake marks the agent FINISHED (with
              a pull request) and POSTs `statusChange` to `/webhooks/cursor/{runId}` with
              `X-Webhook-Signature: sha256=<HMAC-SHA256 of the raw body with that run's webhook.secret>`. Polling is set to
              30 minutes (`HANDOFF_CURSOR_POLL_INTERVAL=30m`) so that every update comes in by its webhook; the runs are
              still PENDING (Cursor: CREATING) when they finish, so the run service records RUNNING then COMPLETED and the pull
              request. Measured until one SSE client (`GET /api/events`, the whole workspace, opened before) has the run's
              `run.status-changed` with status COMPLETED. Lost = accepted (200) but never on the stream. Floor: three
              kafka-clients produce->consume hops in a chain on the same broker, same rate, default client settings.
            - **3. Contention**: N launches sent at once on a fresh task; counted by answer; the task's runs listed afterwards.
            - **4. Footprint**: see its section; each service's RSS after the load and its cold start against the floor app's,
              and the whole stack restarted by one `./handoff up`.
            - **5. Fan-out**: N SSE streams of one workspace, all live (`: connected`), then one RunStatusChanged written to
              `handoff.run-status-changed` as the run service would (key, headers); time until each client has it. The floor is
              one client.
            - The load generator, the fake Cursor, the SSE clients and the Kafka probes run in the harness JVM on the same
              machine: they take CPU from the services too (their share is inside "bench" in the conditions table).
            """;
}
