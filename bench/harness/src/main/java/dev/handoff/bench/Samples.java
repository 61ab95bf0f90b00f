package dev.handoff.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latencies of one measurement round, indexed by request (or update) number so that windows and stages can be
 * cut from it, and every error by kind. A slot that never got an answer stays empty and is counted as an error by
 * whoever closes the round ({@link #missing(String)}): nothing is dropped silently.
 */
final class Samples {

    private static final long EMPTY = Long.MIN_VALUE;

    private final String name;
    private final long[] nanos;
    private final boolean[] failed;
    private final Map<String, Integer> errors = new TreeMap<>();

    Samples(String name, int size) {
        this.name = name;
        this.nanos = new long[size];
        this.failed = new boolean[size];
        Arrays.fill(nanos, EMPTY);
    }

    String name() {
        return name;
    }

    int size() {
        return nanos.length;
    }

    synchronized void record(int index, long latencyNanos) {
        if (!failed[index] && nanos[index] == EMPTY) {
            nanos[index] = latencyNanos;
        }
    }

    synchronized void fail(int index, String kind) {
        if (!failed[index] && nanos[index] == EMPTY) {
            failed[index] = true;
            errors.merge(kind, 1, Integer::sum);
        }
    }

    synchronized boolean has(int index) {
        return nanos[index] != EMPTY;
    }

    synchronized long get(int index) {
        return nanos[index];
    }

    /** Every slot with neither a latency nor an error becomes an error of this kind; answers how many. */
    synchronized int missing(String kind) {
        int count = 0;
        for (int i = 0; i < nanos.length; i++) {
            if (nanos[i] == EMPTY && !failed[i]) {
                failed[i] = true;
                count++;
            }
        }
        if (count > 0) {
            errors.merge(kind, count, Integer::sum);
        }
        return count;
    }

    synchronized int ok() {
        int count = 0;
        for (long n : nanos) {
            if (n != EMPTY) {
                count++;
            }
        }
        return count;
    }

    synchronized int errorCount() {
        return errors.values().stream().mapToInt(Integer::intValue).sum();
    }

    synchronized Map<String, Integer> errors() {
        return new LinkedHashMap<>(errors);
    }

    /** The latencies of slots [from, to) that have one, in ms, sorted. */
    synchronized double[] sortedMillis(int from, int to) {
        List<Double> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (nanos[i] != EMPTY) {
                values.add(nanos[i] / 1e6);
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    Stats stats() {
        return Stats.of(sortedMillis(0, nanos.length), errorCount());
    }

    Stats stats(int from, int to) {
        int errorsInRange = 0;
        synchronized (this) {
            for (int i = from; i < to; i++) {
                if (failed[i]) {
                    errorsInRange++;
                }
            }
        }
        return Stats.of(sortedMillis(from, to), errorsInRange);
    }

    /** p50, p99, max (ms) of a set of samples with how many there were and how many failed. */
    record Stats(int count, int errors, double p50, double p99, double max) {

        static Stats of(double[] sortedMillis, int errors) {
            return new Stats(sortedMillis.length, errors, percentile(sortedMillis, 0.50), percentile(sortedMillis, 0.99),
                    sortedMillis.length == 0 ? Double.NaN : sortedMillis[sortedMillis.length - 1]);
        }
    }

    /** Nearest rank: the smallest value with at least q of the samples at or below it. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Several rounds of one measurement: the median of their p50s and p99s, and the pooled figures. */
    record Rounds(String name, List<Stats> rounds, Stats pooled) {

        double medianP50() {
            return median(rounds.stream().map(Stats::p50).toList());
        }

        double medianP99() {
            return median(rounds.stream().map(Stats::p99).toList());
        }

        int count() {
            return rounds.stream().mapToInt(Stats::count).sum();
        }

        int errors() {
            return rounds.stream().mapToInt(Stats::errors).sum();
        }

        static Rounds of(String name, List<Samples> samples) {
            List<Stats> stats = samples.stream().map(Samples::stats).toList();
            int errors = stats.stream().mapToInt(Stats::errors).sum();
            double[] all = samples.stream().flatMapToDouble(s -> Arrays.stream(s.sortedMillis(0, s.size()))).sorted().toArray();
            return new Rounds(name, stats, Stats.of(all, errors));
        }
    }
}
