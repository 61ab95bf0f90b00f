package dev.handoff.notify.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A webhook receiver on loopback that records every request and answers as told: given statuses, or not at all. */
final class FakeReceiver implements AutoCloseable {

    /** One request as received; header names lower case. */
    record Request(Map<String, String> headers, byte[] body, long receivedAtNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Integer> statuses = new ConcurrentLinkedDeque<>();
    private final boolean hang;
    private final CountDownLatch release = new CountDownLatch(1);

    private FakeReceiver(boolean hang, int... statuses) {
        this.hang = hang;
        for (int status : statuses) {
            this.statuses.add(status);
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Answers these statuses in turn, then 200 forever. */
    static FakeReceiver answering(int... statuses) {
        return new FakeReceiver(false, statuses);
    }

    /** Takes the request and never answers (until closed). */
    static FakeReceiver hanging() {
        return new FakeReceiver(true);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/handoff?via=test";
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        headers.put(":method", exchange.getRequestMethod());
        headers.put(":path", exchange.getRequestURI().toString());
        requests.add(new Request(headers, body, System.nanoTime()));
        if (hang) {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Integer status = statuses.poll();
        exchange.sendResponseHeaders(status == null ? 200 : status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
