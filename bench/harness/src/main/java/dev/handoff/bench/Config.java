package dev.handoff.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The bench's parameters. {@code --quick} shrinks every phase for a smoke test on a busy machine; any single value
 * can be set with {@code --name=value} (e.g. {@code --status-seconds=30}).
 */
record Config(boolean quick, boolean keep, boolean profile, java.util.Set<Integer> phases, Path root, int portOffset, int kafkaPort, int cursorPort, int floorPort,
        int launchRate, int launchRounds, int launchSeconds,
        int statusRate, int statusSeconds, int statusWindows, int hopRounds, int hopSeconds,
        int contentionRounds, int contentionParallel,
        int fanoutClients, int fanoutEvents, int restarts,
        int mirrorPort, int mirrorFiles, int mirrorCommits, int mirrorFirstRuns, int mirrorLaterRuns) {

    static Config parse(String[] args, Path root) {
        boolean quick = false;
        boolean keep = false;
        boolean profile = false;
        java.util.Set<Integer> phases = new java.util.TreeSet<>(java.util.List.of(1, 2, 3, 4, 5, 6));
        Map<String, Integer> set = new HashMap<>();
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.equals("--keep")) {
                keep = true;
            } else if (arg.equals("--profile")) {
                profile = true;
            } else if (arg.startsWith("--phases=")) {
                phases.clear();
                for (String phase : arg.substring(9).split(",")) {
                    phases.add(Integer.parseInt(phase.trim()));
                }
            } else if (arg.startsWith("--") && arg.contains("=")) {
                set.put(arg.substring(2, arg.indexOf('=')), Integer.parseInt(arg.substring(arg.indexOf('=') + 1)));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg + usage());
            }
        }
        Map<String, Integer> v = new HashMap<>(Map.ofEntries(
                Map.entry("port-offset", 20000), Map.entry("kafka-port", 19292), Map.entry("cursor-port", 28090),
                Map.entry("floor-port", 28095),
                Map.entry("launch-rate", 50), Map.entry("launch-rounds", quick ? 2 : 5), Map.entry("launch-seconds", quick ? 5 : 12),
                Map.entry("status-rate", 100), Map.entry("status-seconds", quick ? 10 : 60), Map.entry("status-windows", quick ? 2 : 6),
                Map.entry("hop-rounds", quick ? 2 : 3), Map.entry("hop-seconds", quick ? 5 : 10),
                Map.entry("contention-rounds", quick ? 3 : 20), Map.entry("contention-parallel", 50),
                Map.entry("fanout-clients", quick ? 200 : 1000), Map.entry("fanout-events", quick ? 3 : 5),
                Map.entry("restarts", quick ? 1 : 3),
                Map.entry("mirror-port", 28096), Map.entry("mirror-files", 20000), Map.entry("mirror-commits", 2000),
                Map.entry("mirror-first-runs", quick ? 1 : 3), Map.entry("mirror-later-runs", quick ? 2 : 5)));
        for (var e : set.entrySet()) {
            if (!v.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown setting --" + e.getKey() + usage());
            }
            v.put(e.getKey(), e.getValue());
        }
        return new Config(quick, keep, profile, phases, root, v.get("port-offset"), v.get("kafka-port"), v.get("cursor-port"), v.get("floor-port"),
                v.get("launch-rate"), v.get("launch-rounds"), v.get("launch-seconds"),
                v.get("status-rate"), v.get("status-seconds"), v.get("status-windows"), v.get("hop-rounds"), v.get("hop-seconds"),
                v.get("contention-rounds"), v.get("contention-parallel"),
                v.get("fanout-clients"), v.get("fanout-events"), v.get("restarts"),
                v.get("mirror-port"), v.get("mirror-files"), v.get("mirror-commits"), v.get("mirror-first-runs"),
                v.get("mirror-later-runs"));
    }

    static String usage() {
        return """

                usage: ./handoff bench [--quick] [--keep] [--profile] [--phases=1,2,3,4,5] [--name=value ...]
                  --quick    short phases (a smoke test); the default is the full run (15-20 minutes on a busy 2-core machine)
                  --keep     leave the bench stack running afterwards (stop it with the same HANDOFF_* variables and ./handoff down)
                  --profile  record each service with JFR (default settings) during the launch rounds and the status run,
                             and summarise where their CPU samples were
                  --phases=1,3   only these measurements (1 launch, 2 status, 3 contention, 4 footprint, 5 fan-out,
                                 6 agent start on a big repository)
                  settings:  port-offset kafka-port cursor-port floor-port launch-rate launch-rounds launch-seconds
                             status-rate status-seconds status-windows hop-rounds hop-seconds contention-rounds
                             contention-parallel fanout-clients fanout-events restarts mirror-port mirror-files
                             mirror-commits mirror-first-runs mirror-later-runs""";
    }

    int launchPerRound() {
        return launchRate * launchSeconds;
    }

    int statusUpdates() {
        return statusRate * statusSeconds;
    }

    String mode() {
        return quick ? "quick (smoke test: short phases, not the reference figures)" : "full";
    }
}
