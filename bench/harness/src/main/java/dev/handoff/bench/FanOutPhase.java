package dev.handoff.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.events.Topics;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * 5. Fan-out: {@code clients} SSE streams of one workspace on the notification-service, then one event: a
 * RunStatusChanged written to {@code handoff.run-status-changed} exactly as the run service publishes it (key =
 * run id, headers event-type and event-id). Measured from just before the send until each client has the event;
 * reported per event: the first, the median and the last client. The floor is the same with a single client. Several
 * events, one at a time, each on its own.
 */
final class FanOutPhase {

    /** One event: when the first, median, p99 and last client had it (ms), and how many never did. */
    record Event(int clients, double firstMillis, double p50Millis, double p99Millis, double lastMillis, int missing) {
    }

    record Result(List<Event> single, List<Event> many, int requested, int connected, List<String> problems) {

        double singleMedian() {
            return Samples.median(single.stream().map(Event::lastMillis).toList());
        }

        double lastMedian() {
            return Samples.median(many.stream().map(Event::lastMillis).toList());
        }

        double firstMedian() {
            return Samples.median(many.stream().map(Event::firstMillis).toList());
        }

        int missing() {
            return many.stream().mapToInt(Event::missing).sum() + single.stream().mapToInt(Event::missing).sum();
        }
    }

    private FanOutPhase() {
    }

    static Result run(Ctx c, String workspace, String token) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.stack().kafka());
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.partitionsFor(Topics.RUN_STATUS_CHANGED);
            List<Event> single = streamsAndEvents(c, workspace, token, producer, 1, problems);
            List<Event> many = streamsAndEvents(c, workspace, token, producer, c.config().fanoutClients(), problems);
            int connected = many.isEmpty() ? 0 : many.get(0).clients();
            return new Result(single, many, c.config().fanoutClients(), connected, problems);
        }
    }

    private static List<Event> streamsAndEvents(Ctx c, String workspace, String token, KafkaProducer<String, String> producer,
            int clients, List<String> problems) throws Exception {
        SseClient pool = new SseClient(c.vertx(), URI.create("http://127.0.0.1:" + c.stack().notificationsPort()).toURL(), clients);
        Map<String, String> auth = Map.of("Authorization", "Bearer " + token);
        List<SseStream> streams = new ArrayList<>();
        long[] arrivals = new long[clients];
        AtomicInteger got = new AtomicInteger();
        String[] current = {null};
        try {
            Ctx.log("fan-out: opening %d SSE streams", clients);
            for (int from = 0; from < clients; from += 100) {
                List<CompletableFuture<Void>> batch = new ArrayList<>();
                for (int k = from; k < Math.min(clients, from + 100); k++) {
                    int index = k;
                    SseStream stream = pool.open("/api/events", auth, new SseStream.Listener() {
                        @Override
                        public void onEvent(SseStream.Event event) {
                            String wanted = current[0];
                            if (wanted != null && arrivals[index] == 0 && event.data().contains(wanted)) {
                                arrivals[index] = event.receivedAtNanos();
                                got.incrementAndGet();
                            }
                        }

                        @Override
                        public void onClosed(String why) {
                            problems.add("stream " + index + " closed: " + why);
                        }
                    });
                    streams.add(stream);
                    batch.add(stream.live());
                }
                try {
                    CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                } catch (Exception e) {
                    problems.add("streams " + from + ".." + (from + batch.size() - 1) + " not all live within 120 s: "
                            + OpenLoop.rootCause(e));
                }
            }
            boolean[] live = new boolean[clients];
            int liveCount = 0;
            for (int k = 0; k < clients; k++) {
                CompletableFuture<Void> connected = streams.get(k).live();
                live[k] = connected.isDone() && !connected.isCompletedExceptionally();
                liveCount += live[k] ? 1 : 0;
            }
            int expected = liveCount;
            Ctx.log("fan-out: %d of %d streams live", liveCount, clients);
            List<Event> events = new ArrayList<>();
            for (int e = 1; e <= c.config().fanoutEvents(); e++) {
                java.util.Arrays.fill(arrivals, 0);
                got.set(0);
                UUID eventId = UUID.randomUUID();
                UUID runId = UUID.randomUUID();
                ObjectNode json = Http.JSON.createObjectNode();
                json.put("eventId", eventId.toString()).put("occurredAt", Instant.now().toString()).put("workspaceId", workspace)
                        .put("runId", runId.toString()).put("taskId", UUID.randomUUID().toString()).putNull("previousStatus")
                        .put("status", "PENDING").put("version", 1).put("detail", "bench fan-out event " + e).putNull("error");
                String value = Http.json(json);
                ProducerRecord<String, String> record = new ProducerRecord<>(Topics.RUN_STATUS_CHANGED, runId.toString(), value);
                record.headers().add("event-type", "RunStatusChanged".getBytes(StandardCharsets.UTF_8));
                record.headers().add("event-id", eventId.toString().getBytes(StandardCharsets.UTF_8));
                current[0] = eventId.toString();
                long sent = System.nanoTime();
                producer.send(record).get(30, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (got.get() < expected && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                double[] millis = java.util.Arrays.stream(arrivals).filter(a -> a != 0).mapToDouble(a -> (a - sent) / 1e6).sorted().toArray();
                Event event = new Event(expected, millis.length == 0 ? Double.NaN : millis[0], Samples.percentile(millis, 0.5),
                        Samples.percentile(millis, 0.99), millis.length == 0 ? Double.NaN : millis[millis.length - 1],
                        expected - millis.length);
                events.add(event);
                Ctx.log("fan-out event %d to %d clients: first %.1f ms, median %.1f ms, last %.1f ms, missing %d",
                        e, expected, event.firstMillis(), event.p50Millis(), event.lastMillis(), event.missing());
                current[0] = null;
                Thread.sleep(1_000);
            }
            return events;
        } finally {
            streams.forEach(SseStream::close);
            pool.close();
        }
    }
}
