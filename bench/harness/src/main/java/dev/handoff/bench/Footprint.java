package dev.handoff.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 4. Footprint: each process's resident memory after the load (VmRSS, and its peak VmHWM, from /proc/&lt;pid&gt;/status,
 * with the JVM's own heap and metaspace figures from {@code jcmd GC.heap_info} to show what the RSS is made of), then
 * each service's cold start to ready: stopped, and started alone by {@code ./handoff up} while the others run, one
 * service at a time, several times.
 */
final class Footprint {

    /** Memory of one process after the load. */
    record Memory(String process, long pid, long rssKb, long hwmKb, long heapCommittedKb, long heapUsedKb, long metaspaceCommittedKb,
            Map<String, Long> nativeCommittedKb) {
    }

    private static final Pattern NMT = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    private static final Pattern GENERATION = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used (\\d+)K, committed (\\d+)K");

    /** The readiness pollers block: they get threads of their own (the common pool has one thread on two cores). */
    private static final java.util.concurrent.ExecutorService POLLERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "ready-poller");
        thread.setDaemon(true);
        return thread;
    });

    private Footprint() {
    }

    static Memory memory(String process, long pid) {
        long heapTotal = 0;
        long heapUsed = 0;
        long metaspace = -1;
        String info = Proc.run(java.nio.file.Path.of("/"), "jcmd", String.valueOf(pid), "GC.heap_info");
        for (String line : info.split("\n")) {
            Matcher m = METASPACE.matcher(line);
            if (m.find()) {
                metaspace = Long.parseLong(m.group(2));
                continue;
            }
            Matcher g = GENERATION.matcher(line);
            if (g.find() && !line.contains("space")) {
                heapTotal += Long.parseLong(g.group(1));
                heapUsed += Long.parseLong(g.group(2));
            }
        }
        Map<String, Long> nmt = new LinkedHashMap<>();
        for (String line : Proc.run(java.nio.file.Path.of("/"), "jcmd", String.valueOf(pid), "VM.native_memory", "summary").split("\n")) {
            Matcher n = NMT.matcher(line.trim());
            if (n.find()) {
                nmt.put(n.group(1).trim(), Long.parseLong(n.group(2)));
            }
        }
        return new Memory(process, pid, Proc.statusKb(pid, "VmRSS"), Proc.statusKb(pid, "VmHWM"),
                info.isEmpty() ? -1 : heapTotal, info.isEmpty() ? -1 : heapUsed, metaspace, nmt);
    }

    /** Restarts each service {@code times} times, alone, and measures its cold start to ready. */
    static Map<String, List<Startup.Sample>> restarts(Stack stack, int times) {
        Map<String, List<Startup.Sample>> samples = new LinkedHashMap<>();
        for (String service : Stack.SERVICES) {
            List<Startup.Sample> list = new ArrayList<>();
            for (int t = 1; t <= times; t++) {
                keepLog(stack, service, t == 1 ? "load" : "start-" + (t - 1));
                stack.stop(service);
                CompletableFuture<Double> ready = CompletableFuture.supplyAsync(
                        () -> Startup.awaitReady(stack.port(service), () -> stack.pid(service), Duration.ofSeconds(180)), POLLERS);
                stack.up(false);
                Startup.Sample sample = Startup.sample(service, stack.pid(service), ready.join(), stack.log(service));
                list.add(sample);
                Ctx.log("footprint: %s cold start %d/%d: ready %.2f s after the process started (Quarkus: started in %.3f s)",
                        service, t, times, sample.seconds(), sample.quarkusSeconds());
            }
            samples.put(service, list);
        }
        return samples;
    }

    /** Keeps a service's log before a restart overwrites it (logs/<service>.<label>.log). */
    private static void keepLog(Stack stack, String service, String label) {
        try {
            java.nio.file.Path log = stack.log(service);
            java.nio.file.Files.copy(log, log.resolveSibling(service + "." + label + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            Ctx.log("cannot keep the log of %s: %s", service, e.getMessage());
        }
    }

    /** A start of the whole stack: each service's start to ready, and seconds from {@code ./handoff up} until the last was ready. */
    record StackStart(List<Startup.Sample> services, double seconds) {
    }

    /** Starts the stack: all four at once (how ./handoff up starts them), each measured the same way, and the whole. */
    static StackStart stackStart(Stack stack, boolean fresh) {
        Map<String, CompletableFuture<Double>> ready = new LinkedHashMap<>();
        for (String service : Stack.SERVICES) {
            ready.put(service, CompletableFuture.supplyAsync(
                    () -> Startup.awaitReady(stack.port(service), () -> stack.pid(service), Duration.ofSeconds(600)), POLLERS));
        }
        double up = Proc.uptime();
        stack.up(fresh);
        List<Startup.Sample> samples = new ArrayList<>();
        double last = up;
        for (String service : Stack.SERVICES) {
            double at = ready.get(service).join();
            last = Math.max(last, at);
            samples.add(Startup.sample(service, stack.pid(service), at, stack.log(service)));
        }
        return new StackStart(samples, last - up);
    }

    /** The four services stopped, then started again by one {@code ./handoff up} (broker and databases kept, services built). */
    static StackStart stackRestart(Stack stack) {
        for (String service : Stack.SERVICES) {
            keepLog(stack, service, "before-stack-restart");
            stack.stop(service);
        }
        return stackStart(stack, false);
    }
}
