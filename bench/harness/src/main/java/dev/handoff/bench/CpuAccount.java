package dev.handoff.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU time (user + system, from /proc) spent by each process of the bench between two moments: divided by the
 * requests of a round it says what one request costs each process, which the machine's other load does not change
 * much (unlike latency).
 */
final class CpuAccount {

    /** The processes to account for, by name; looked up again at every snapshot (services may have restarted). */
    private final Supplier<Map<String, List<Long>>> processes;

    CpuAccount(Supplier<Map<String, List<Long>>> processes) {
        this.processes = processes;
    }

    Map<String, Long> snapshot() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        processes.get().forEach((name, pids) -> ticks.put(name, Proc.cpuTicks(pids)));
        return ticks;
    }

    /** Milliseconds of CPU per process from {@code before} to now. */
    Map<String, Double> since(Map<String, Long> before) {
        Map<String, Double> used = new LinkedHashMap<>();
        snapshot().forEach((name, ticks) -> used.put(name, Math.max(0, ticks - before.getOrDefault(name, 0L)) * 1000.0 / Proc.CLK_TCK));
        return used;
    }

    static Map<String, Double> add(Map<String, Double> a, Map<String, Double> b) {
        Map<String, Double> sum = new LinkedHashMap<>(a);
        b.forEach((k, v) -> sum.merge(k, v, Double::sum));
        return sum;
    }
}
