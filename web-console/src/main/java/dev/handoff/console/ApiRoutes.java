package dev.handoff.console;

import java.util.Optional;
import java.util.regex.Pattern;

/** Which service answers which {@code /api} path: the contract's split of the API between the four services. */
public final class ApiRoutes {

    public enum Service { TASKS, RUNS, GATEWAY, NOTIFICATIONS }

    private static final Pattern TASK_RUNS = Pattern.compile("/api/tasks/[^/]+/runs/?");
    private static final Pattern TASK = Pattern.compile("/api/tasks/[^/]+(/agent-context)?/?");

    /** The service for a request path (without query), or empty when no service serves it. */
    public static Optional<Service> serviceFor(String path) {
        if (path.contains("/../") || path.endsWith("/..") || path.contains("/./")) {
            return Optional.empty();
        }
        if (under(path, "/api/briefs")) {
            return Optional.of(Service.TASKS);
        }
        if (TASK_RUNS.matcher(path).matches() || under(path, "/api/runs")) {
            return Optional.of(Service.RUNS);
        }
        if (TASK.matcher(path).matches()) {
            return Optional.of(Service.TASKS);
        }
        if (under(path, "/api/agent-config") || under(path, "/api/pull-requests")) {
            return Optional.of(Service.GATEWAY);
        }
        if (under(path, "/api/events") || under(path, "/api/activity") || under(path, "/api/webhooks")) {
            return Optional.of(Service.NOTIFICATIONS);
        }
        return Optional.empty();
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    private ApiRoutes() {
    }
}
