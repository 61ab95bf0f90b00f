package dev.handoff.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Everything one bench run found, filled phase by phase; a phase that failed leaves its part null and says why. */
final class Results {

    String started;
    String finished;
    String commit;
    String command;
    Config config;
    String javaOpts;
    String loadStart;
    String loadEnd;
    List<Conditions.Phase> phases = List.of();
    List<String> failures = new ArrayList<>();

    Footprint.StackStart firstStart;
    Footprint.StackStart stackRestart;
    List<Startup.Sample> floorStarts = new ArrayList<>();
    LaunchPhase.Result launch;
    List<ContentionPhase.Round> contention;
    StatusPhase.Result status;
    FanOutPhase.Result fanOut;
    MirrorPhase.Result mirror;
    List<Footprint.Memory> memory;
    Map<String, List<Startup.Sample>> restarts;
    List<Profiler.Profile> profiles = List.of();
}
