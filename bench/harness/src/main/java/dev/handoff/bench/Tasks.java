package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tasks that never had a run, for launches: imported into one brief with the Task Master import (500 a request),
 * up front, and topped up whenever a phase needs more than was foreseen (never while a round is being timed: the
 * rounds draw their tasks before they start).
 */
final class Tasks {

    private static final int BATCH = 500;

    private final Http http;
    private final int port;
    private final Map<String, String> auth;
    private final String briefId;
    private final ConcurrentLinkedDeque<String> fresh = new ConcurrentLinkedDeque<>();
    private final AtomicInteger number = new AtomicInteger();

    private Tasks(Http http, int port, Map<String, String> auth, String briefId) {
        this.http = http;
        this.port = port;
        this.auth = auth;
        this.briefId = briefId;
    }

    /** A brief for the bench's tasks. */
    static Tasks inNewBrief(Http http, int port, Map<String, String> auth) {
        Http.Reply brief = http.call(HttpMethod.POST, port, "/api/briefs", auth, Http.json(Map.of(
                "title", "Benchmark brief", "content", "# Benchmark brief\n\nA product brief whose tasks the benchmark hands to agents.\n\n"
                        + "## Goals\n\n- Fast launches\n- Live status\n")));
        if (brief.status() != 201) {
            throw new IllegalStateException("POST /api/briefs answered " + brief.status() + ": " + brief.body());
        }
        return new Tasks(http, port, auth, brief.json().path("id").asText());
    }

    int imported() {
        return number.get();
    }

    /** Imports until at least {@code count} fresh tasks are waiting. */
    synchronized void ensure(int count) {
        while (fresh.size() < count) {
            importBatch(Math.min(BATCH, count - fresh.size()));
        }
    }

    String next() {
        String task = fresh.poll();
        if (task == null) {
            ensure(BATCH);
            task = fresh.poll();
        }
        return task;
    }

    private void importBatch(int size) {
        ObjectNode file = Http.JSON.createObjectNode();
        ArrayNode list = file.putArray("tasks");
        for (int k = 0; k < size; k++) {
            int n = number.incrementAndGet();
            ObjectNode task = list.addObject();
            task.put("id", n).put("title", "Validate the input of endpoint " + n)
                    .put("description", "Reject malformed requests to endpoint " + n + " with a 400 problem.")
                    .put("details", "Check types, lengths and required fields; answer application/problem+json.")
                    .put("testStrategy", "- A malformed body answers 400\n- A valid body still answers 201")
                    .put("priority", "medium").put("status", "pending");
            task.putArray("dependencies");
            ArrayNode subtasks = task.putArray("subtasks");
            subtasks.addObject().put("id", 1).put("title", "Write the failing tests").put("description", "Cover each field.");
            subtasks.addObject().put("id", 2).put("title", "Add the validation").put("description", "Use the shared mappers.");
        }
        Http.Reply imported = http.call(HttpMethod.POST, port, "/api/briefs/" + briefId + "/tasks/import", auth, Http.json(file));
        if (imported.status() != 201) {
            throw new IllegalStateException("the task import answered " + imported.status() + ": " + imported.body());
        }
        for (JsonNode task : imported.json().path("tasks")) {
            fresh.add(task.path("id").asText());
        }
    }
}
