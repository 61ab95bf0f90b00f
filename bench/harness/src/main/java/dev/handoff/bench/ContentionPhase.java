package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * 3. Contention: {@code parallel} launches on one task at the same moment, on a fresh task each round. Each round
 * counts the 201s, the 409 {@code run-already-active} answers, anything else, and the runs the task has afterwards
 * ({@code GET /api/tasks/{id}/runs}), and checks that every 409 names the run that was created.
 */
final class ContentionPhase {

    /** One round: answers by kind, the runs the task has afterwards, and the slowest answer. */
    record Round(int created201, int conflicts409, Map<String, Integer> others, int runsAfter, boolean conflictsNameTheRun,
            double p50Millis, double maxMillis) {

        boolean clean() {
            return created201 == 1 && runsAfter == 1 && others.isEmpty() && conflictsNameTheRun
                    && created201 + conflicts409 > 0;
        }
    }

    private ContentionPhase() {
    }

    static List<Round> run(Ctx c) {
        List<Round> rounds = new ArrayList<>();
        int parallel = c.config().contentionParallel();
        for (int r = 1; r <= c.config().contentionRounds(); r++) {
            String task = c.nextTask();
            List<CompletableFuture<Http.Reply>> answers = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < parallel; i++) {
                answers.add(c.http().send(HttpMethod.POST, c.stack().runsPort(), "/api/tasks/" + task + "/runs", c.auth(),
                        Ctx.LAUNCH_BODY));
            }
            int created = 0;
            int conflicts = 0;
            Map<String, Integer> others = new TreeMap<>();
            String createdId = null;
            List<String> named = new ArrayList<>();
            double[] latencies = new double[parallel];
            for (int i = 0; i < parallel; i++) {
                try {
                    Http.Reply reply = answers.get(i).get(60, TimeUnit.SECONDS);
                    latencies[i] = (reply.arrivedNanos() - start) / 1e6;
                    JsonNode body = reply.json();
                    if (reply.status() == 201) {
                        created++;
                        createdId = body.path("id").asText();
                    } else if (reply.status() == 409 && "run-already-active".equals(body == null ? null : body.path("code").asText())) {
                        conflicts++;
                        named.add(body.path("activeRunId").asText(null));
                    } else {
                        others.merge(reply.kind(), 1, Integer::sum);
                    }
                } catch (Exception e) {
                    latencies[i] = (System.nanoTime() - start) / 1e6;
                    others.merge("I/O: " + OpenLoop.rootCause(e), 1, Integer::sum);
                }
            }
            JsonNode history = c.http().call(HttpMethod.GET, c.stack().runsPort(), "/api/tasks/" + task + "/runs", c.auth(), null).json();
            int runsAfter = history != null && history.isArray() ? history.size() : -1;
            String theRun = createdId;
            boolean namesTheRun = theRun != null && named.stream().allMatch(theRun::equals);
            java.util.Arrays.sort(latencies);
            Round round = new Round(created, conflicts, others, runsAfter, namesTheRun,
                    Samples.percentile(latencies, 0.5), latencies[latencies.length - 1]);
            rounds.add(round);
            Ctx.log("contention round %d/%d: %d x 201, %d x 409, others %s, runs on the task afterwards: %d%s",
                    r, c.config().contentionRounds(), created, conflicts, others, runsAfter,
                    namesTheRun ? "" : " (a 409 named another run!)");
        }
        return rounds;
    }
}
