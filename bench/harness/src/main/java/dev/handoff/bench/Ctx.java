package dev.handoff.bench;

import dev.handoff.testsupport.FakeCursorApi;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;

/** What every phase works with: the stack, the clients, the fake Cursor, the workspace's token and its fresh tasks. */
record Ctx(Config config, Stack stack, Vertx vertx, Http http, FakeCursorApi fake, String cursorKey, FloorApp floor, String workspace,
        String token, Tasks tasks, CpuAccount cpu, Profiler profiler, Path raw) {

    static final String REPOSITORY = "https://github.com/handoff-bench/sample";
    static final String LAUNCH_BODY = Http.json(Map.of("repositoryUrl", REPOSITORY, "branch", "main"));

    Map<String, String> auth() {
        return Http.bearer(token);
    }

    /** The four services' pids, by name. */
    Map<String, Long> servicePids() {
        Map<String, Long> pids = new java.util.LinkedHashMap<>();
        for (String service : Stack.SERVICES) {
            pids.put(service, stack.pid(service));
        }
        return pids;
    }

    String nextTask() {
        return tasks.next();
    }

    static void log(String format, Object... args) {
        System.err.printf("[bench %s] %s%n", java.time.LocalTime.now().withNano(0), String.format(format, args));
    }
}
