package dev.handoff.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.testsupport.SseStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * {@code ./handoff demo}: a sample brief and task handed to the local agent on the running local stack, the live
 * status from the event stream, then the pull request and the run's history, and one follow-up ("also add a test")
 * whose new commit appears in the same pull request.
 */
public final class Demo {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    public static void main(String[] args) throws Exception {
        Path root = Stack.rootFromEnvironment();
        Stack stack = new Stack(root, Map.of());
        String workspace = args.length > 0 ? args[0] : "demo";
        HandoffClient api = new HandoffClient(HandoffClient.Ports.withOffset(0), stack.token(workspace, true));
        var ports = api.ports();

        String repositoryUrl = SampleRepo.ensure(stack.state().resolve("repos"), "greeter");
        say("Sample repository: " + repositoryUrl);

        api.put(ports.gateway(), "/api/agent-config", Map.of("provider", "local", "enabled", true)).expect(200);
        say("Workspace '" + workspace + "' uses the local provider (the agent runs on this machine).");

        JsonNode brief = api.post(ports.tasks(), "/api/briefs", Sample.brief()).expect(201).body();
        JsonNode task = api.post(ports.tasks(), "/api/briefs/" + brief.get("id").asText() + "/tasks", Sample.task())
                .expect(201).body();
        String taskId = task.get("id").asText();
        say("Brief:  " + brief.get("title").asText());
        say("Task:   " + task.get("title").asText() + "  (" + task.get("acceptanceCriteria").size()
                + " acceptance criteria, " + task.get("subtasks").size() + " subtasks)");

        try (HandoffClient.EventStream events = api.events("?taskId=" + taskId)) {
            JsonNode run = api.post(ports.runs(), "/api/tasks/" + taskId + "/runs",
                    Map.of("repositoryUrl", repositoryUrl, "branch", "main")).expect(201).body();
            String runId = run.get("id").asText();
            say("");
            say("Launched run " + runId + " -> branch " + run.get("targetBranch").asText());
            say("Live status and activity (from GET /api/events, server-sent events):");
            String status = awaitFinal(api, events, runId);
            run = api.get(ports.runs(), "/api/runs/" + runId).expect(200).body();
            say("");
            if (!"COMPLETED".equals(status)) {
                say("The run ended " + status + ": " + run.get("error"));
                say("Logs: " + stack.state().resolve("logs"));
                System.exit(1);
            }
            printPullRequest(api, run);
            printHistory(run);
            if (!run.path("pullRequest").isNull()) {
                followUp(api, events, run, stack);
            }
        }
        printNext(workspace, taskId);
    }

    private static String awaitFinal(HandoffClient api, HandoffClient.EventStream events, String runId)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        boolean pullRequestSeen = false;
        while (System.nanoTime() < deadline) {
            SseStream.Event event = events.next(Duration.ofSeconds(2));
            if (event == null) {
                JsonNode run = api.get(api.ports().runs(), "/api/runs/" + runId).body();
                String status = run == null ? null : run.path("status").asText();
                if (status != null && List.of("COMPLETED", "FAILED", "CANCELLED").contains(status)) {
                    say("  (the event stream was quiet; the run says " + status + ")");
                    return status;
                }
                continue;
            }
            JsonNode data = event.json();
            if ("run.status-changed".equals(event.event()) && runId.equals(data.path("runId").asText())) {
                String status = data.path("status").asText();
                String detail = data.path("detail").isNull() ? "" : "  " + data.path("detail").asText("");
                say("  " + LocalTime.now().format(CLOCK) + "  #" + event.id() + "  " + pad(status) + detail);
                if (List.of("COMPLETED", "FAILED", "CANCELLED").contains(status)) {
                    if ("COMPLETED".equals(status) && !pullRequestSeen) {
                        // the pull request event travels on its own topic: give it a moment to arrive
                        SseStream.Event late = events.next(Duration.ofSeconds(3));
                        if (late != null && "run.pull-request-opened".equals(late.event())) {
                            printPullRequestEvent(late);
                        }
                    }
                    return status;
                }
            } else if ("run.pull-request-opened".equals(event.event())) {
                pullRequestSeen = true;
                printPullRequestEvent(event);
            } else if ("run.activity".equals(event.event()) && runId.equals(data.path("runId").asText())) {
                printActivity(data);
            }
        }
        throw new IllegalStateException("the run did not finish within 3 minutes");
    }

    /** What the agent and the gateway did, as the run's activity arrives: each entry with its time and kind. */
    private static void printActivity(JsonNode activity) {
        for (JsonNode entry : activity.path("entries")) {
            String at = entry.path("at").asText("");
            String time;
            try {
                time = java.time.Instant.parse(at).atZone(java.time.ZoneId.systemDefault()).toLocalTime().format(CLOCK);
            } catch (java.time.format.DateTimeParseException e) {
                time = LocalTime.now().format(CLOCK);
            }
            String text = entry.path("text").asText("");
            if (text.length() > 160) {
                text = text.substring(0, 157) + "...";
            }
            say("  " + time + "      " + pad("[" + entry.path("kind").asText() + "]") + text);
        }
    }

    private static void printPullRequestEvent(SseStream.Event event) {
        say("  " + LocalTime.now().format(CLOCK) + "  #" + event.id() + "  pull request opened: "
                + event.json().path("url").asText());
    }

    private static void printPullRequest(HandoffClient api, JsonNode run) {
        JsonNode pullRequest = run.path("pullRequest");
        if (pullRequest.isMissingNode() || pullRequest.isNull()) {
            say("The agent changed nothing, so there is no pull request. Summary: " + run.path("summary").asText());
            return;
        }
        String url = pullRequest.path("url").asText();
        say("Pull request: " + url);
        String path = url.replaceFirst("^https?://[^/]+", "");
        JsonNode pr = api.get(api.ports().gateway(), path).expect(200).body();
        say("  branch:  " + pr.path("head").asText() + " -> " + pr.path("base").asText());
        say("  title:   " + pr.path("title").asText());
        say("  commits: " + pr.path("commits"));
        say("  diff stat:");
        pr.path("diffStat").asText().lines().forEach(line -> say("    " + line));
        say("  diff:");
        List<String> diff = pr.path("diff").asText().lines().toList();
        diff.stream().limit(60).forEach(line -> say("    " + line));
        if (diff.size() > 60) {
            say("    ... (" + (diff.size() - 60) + " more lines: curl -H \"Authorization: Bearer $TOKEN\" " + url + ")");
        }
    }

    /** The instructions of the demo's follow-up; the demo agent answers a follow-up asking for a test with one. */
    static final String FOLLOW_UP = "Also add a test.";

    /** One follow-up on the same branch and pull request: its new commit appears in that pull request. */
    private static void followUp(HandoffClient api, HandoffClient.EventStream events, JsonNode run, Stack stack)
            throws InterruptedException {
        String runId = run.get("id").asText();
        say("");
        say("Follow-up: \"" + FOLLOW_UP + "\"  (POST /api/runs/" + runId + "/followups)");
        JsonNode next = api.post(api.ports().runs(), "/api/runs/" + runId + "/followups", Map.of("instructions", FOLLOW_UP))
                .expect(201).body();
        String nextId = next.get("id").asText();
        say("Launched follow-up run " + nextId + " on the same branch " + next.get("targetBranch").asText());
        say("Live status:");
        String status = awaitFinal(api, events, nextId);
        next = api.get(api.ports().runs(), "/api/runs/" + nextId).expect(200).body();
        if (!"COMPLETED".equals(status)) {
            say("The follow-up ended " + status + ": " + next.get("error"));
            say("Logs: " + stack.state().resolve("logs"));
            System.exit(1);
        }
        String url = next.path("pullRequest").path("url").asText();
        JsonNode pr = api.get(api.ports().gateway(), url.replaceFirst("^https?://[^/]+", "")).expect(200).body();
        say("");
        say("The same pull request (" + url + ") now holds " + pr.path("commits").size() + " commits:");
        for (JsonNode commit : pr.path("commits")) {
            say("  " + commit.path("sha").asText().substring(0, 8) + "  " + commit.path("message").asText());
        }
        say("  diff stat:");
        pr.path("diffStat").asText().lines().forEach(line -> say("    " + line));
        say("Follow-up summary: " + next.path("summary").asText());
    }

    private static void printHistory(JsonNode run) {
        say("");
        say("Run history:");
        for (JsonNode entry : run.path("history")) {
            say("  " + entry.path("at").asText() + "  " + pad(entry.path("status").asText()) + "  "
                    + entry.path("detail").asText(""));
        }
        if (!run.path("summary").isNull()) {
            say("Summary: " + run.path("summary").asText());
        }
    }

    private static void printNext(String workspace, String taskId) {
        say("""

                What to try next:
                  TOKEN=$(./handoff token %s --admin)
                  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8081/api/tasks/%s | jq .
                  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8082/api/tasks/%s/runs | jq .
                  curl -N -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8084/api/events      # live events
                  Every service describes its API at /q/openapi (e.g. http://127.0.0.1:8082/q/openapi).
                  A real agent: ./handoff down; HANDOFF_LOCAL_AGENT_COMMAND='claude -p --permission-mode acceptEdits' ./handoff up
                  A real repository: HANDOFF_LOCAL_REPO_ROOTS=/path/to/your/repos (file://) or
                    HANDOFF_LOCAL_ALLOWED_HOSTS=github.com (remote) when you run ./handoff up.
                  Cursor: PUT /api/agent-config {"provider":"cursor","apiKey":"...","enabled":true} (see README).
                  ./handoff down stops everything.""".formatted(workspace, taskId, taskId));
    }

    private static String pad(String status) {
        return String.format("%-9s", status);
    }

    private static void say(String line) {
        System.out.println(line);
    }

    private Demo() {
    }
}
