package dev.handoff.notify.webhook;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Makes the webhook deliveries, apart from everything else: it claims due rows from PostgreSQL (so with any number of
 * replicas each attempt is made by one of them, and nothing is lost when a process dies), sends each with its own
 * timeout on a non-blocking HTTP client, and records the outcome. At most {@code concurrency} attempts are in flight
 * on a replica and at most {@code per-webhook-concurrency} for one webhook, so a hanging receiver holds a few slots
 * for at most the timeout and never the consumers, the SSE streams or the other receivers.
 */
@ApplicationScoped
public class DeliveryWorker {

    public static final String EVENT_HEADER = "X-Handoff-Event";
    public static final String DELIVERY_HEADER = "X-Handoff-Delivery";
    private static final int MAX_ERROR_LENGTH = 500;

    private final Vertx vertx;
    private final WebhookStore store;
    private final SecretCipher cipher;
    private final AddressGuard guard;
    private final WebhookConfig config;
    private final WebhookMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<UUID, AtomicInteger> inFlightByWebhook = new ConcurrentHashMap<>();
    private final AtomicBoolean polling = new AtomicBoolean();
    /** Another poll was asked for while one ran: run one more when it ends. */
    private final AtomicBoolean pollAgain = new AtomicBoolean();
    private volatile boolean stopped;
    private HttpClient client;
    private long timer = -1;

    public DeliveryWorker(Vertx vertx, WebhookStore store, SecretCipher cipher, AddressGuard guard, WebhookConfig config,
            WebhookMetrics metrics) {
        this.vertx = vertx;
        this.store = store;
        this.cipher = cipher;
        this.guard = guard;
        this.config = config;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent startup) {
        int timeoutMs = (int) config.timeout().toMillis();
        client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs)
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
                .setKeepAlive(true)
                .setMaxPoolSize(Math.max(1, config.perWebhookConcurrency()))
                .setVerifyHost(true));
        timer = vertx.setPeriodic(config.pollInterval().toMillis(), t -> poll());
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        // attempts in flight are recorded if they finish in time; otherwise their lease runs out and anyone retries
        if (client != null) {
            client.close();
        }
    }

    /** Claims what this replica has room for and starts those attempts. */
    void poll() {
        if (stopped) {
            return;
        }
        if (!polling.compareAndSet(false, true)) {
            pollAgain.set(true);
            return;
        }
        pollAgain.set(false);
        int room = config.concurrency() - inFlight.get();
        if (room <= 0) {
            polling.set(false);
            return;
        }
        Set<UUID> busy = inFlightByWebhook.entrySet().stream()
                .filter(e -> e.getValue().get() >= config.perWebhookConcurrency())
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        store.claim(room, busy, config.lease()).subscribe().with(claimed -> {
            startAll(claimed);
            polling.set(false);
            if (pollAgain.getAndSet(false) || claimed.size() == room) {
                poll();
            }
        }, failure -> {
            polling.set(false);
            Log.debugf("could not claim webhook deliveries: %s", failure.getMessage());
        });
    }

    private void startAll(List<WebhookStore.Claimed> claimed) {
        for (WebhookStore.Claimed delivery : claimed) {
            AtomicInteger forWebhook = inFlightByWebhook.computeIfAbsent(delivery.webhookId(), id -> new AtomicInteger());
            if (forWebhook.get() >= config.perWebhookConcurrency() || inFlight.get() >= config.concurrency()) {
                store.release(delivery.id()).subscribe().with(v -> { }, e -> { });
                continue;
            }
            forWebhook.incrementAndGet();
            inFlight.incrementAndGet();
            attempt(delivery).subscribe().with(v -> done(delivery), e -> {
                Log.warnf("webhook delivery %s: %s", delivery.id(), e.getMessage());
                done(delivery);
            });
        }
    }

    private void done(WebhookStore.Claimed delivery) {
        inFlight.decrementAndGet();
        inFlightByWebhook.computeIfPresent(delivery.webhookId(), (id, n) -> n.decrementAndGet() <= 0 ? null : n);
        // the run's next event may be waiting for this one
        poll();
    }

    /** One attempt, start to recorded outcome. */
    Uni<Void> attempt(WebhookStore.Claimed delivery) {
        return prepare(delivery)
                .chain(request -> Uni.createFrom().completionStage(() -> send(request).toCompletionStage()))
                .onItemOrFailure().transformToUni((statusCode, failure) -> {
                    if (failure == null && statusCode >= 200 && statusCode < 300) {
                        return store.delivered(delivery.id(), statusCode).invoke(metrics::delivered);
                    }
                    Integer code = failure == null ? statusCode : null;
                    String error = failure == null ? "HTTP " + statusCode : describe(failure);
                    return store.failed(delivery.id(), code, error, pauseAfter(delivery.attemptsBefore() + 1),
                                    config.retry().giveUpAfter())
                            .invoke(status -> status.ifPresent(s -> {
                                metrics.attemptFailed(s);
                                Log.debugf("webhook delivery %s attempt %d: %s (%s)", delivery.id(),
                                        delivery.attemptsBefore() + 1, error, s);
                            }))
                            .replaceWithVoid();
                });
    }

    /** Everything an attempt sends, or the reason it cannot be made (a refused address included). */
    private record Outgoing(WebhookStore.Claimed delivery, URI uri, InetAddress address, byte[] body, String secret) {
    }

    private Uni<Outgoing> prepare(WebhookStore.Claimed delivery) {
        Uni<String> title = delivery.format() == WebhookFormat.SLACK
                ? store.knownTaskTitle(delivery.workspaceId(), delivery.taskId())
                : Uni.createFrom().nullItem();
        return title.chain(known -> Uni.createFrom().completionStage(() -> vertx.<Outgoing>executeBlocking(() -> {
            URI uri = URI.create(delivery.url());
            // again at every attempt, and the attempt connects to exactly this address (DNS rebinding)
            InetAddress address = guard.vet(WebhookService.host(uri));
            String secret = cipher.open(delivery.webhookId().toString(), delivery.secret(), delivery.secretKeyId());
            byte[] body = delivery.format() == WebhookFormat.SLACK
                    ? DeliveryBody.slack(delivery.event(), delivery.payload(), delivery.taskId(), known)
                    : DeliveryBody.handoff(delivery.event(), delivery.payload());
            return new Outgoing(delivery, uri, address, body, secret);
        }, false).toCompletionStage()));
    }

    /** POSTs the body to the vetted address; the status code, or a failure (timeout after {@code timeout}). */
    private Future<Integer> send(Outgoing out) {
        URI uri = out.uri();
        boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        long unixSeconds = System.currentTimeMillis() / 1000;
        long timeoutMs = config.timeout().toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(WebhookService.host(uri))
                .setPort(port)
                .setSsl(ssl)
                .setURI(path)
                .setServer(SocketAddress.inetSocketAddress(port, out.address().getHostAddress()))
                .setFollowRedirects(false)
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "Handoff-Webhooks/1")
                .putHeader(EVENT_HEADER, out.delivery().event())
                .putHeader(DELIVERY_HEADER, out.delivery().id().toString())
                .putHeader(Signature.HEADER, Signature.header(out.secret(), unixSeconds, out.body()));
        Promise<Integer> result = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long deadline = vertx.setTimer(timeoutMs, t -> {
            if (result.tryFail(new TimeoutException("no answer within " + config.timeout().toSeconds() + " s"))) {
                HttpClientRequest request = sent.get();
                if (request != null) {
                    request.reset(); // frees the connection of a receiver that hangs
                }
            }
        });
        client.request(options)
                .compose(request -> {
                    sent.set(request);
                    if (result.future().isComplete()) {
                        request.reset();
                    }
                    return request.send(Buffer.buffer(out.body()));
                })
                .onComplete(response -> {
                    vertx.cancelTimer(deadline);
                    if (response.succeeded()) {
                        // the answer's body is not needed; read it away so that the connection can be reused
                        response.result().handler(chunk -> { }).exceptionHandler(e -> { });
                        result.tryComplete(response.result().statusCode());
                    } else {
                        result.tryFail(response.cause());
                    }
                });
        return result.future();
    }

    /** Doubling from the initial pause up to the maximum, with up to 10 % jitter so that retries do not bunch up. */
    Duration pauseAfter(int attempt) {
        long initial = config.retry().initialPause().toMillis();
        long max = config.retry().maxPause().toMillis();
        long pause = attempt >= 40 ? max : Math.min(max, initial << Math.max(0, attempt - 1));
        long jitter = pause / 10 > 0 ? ThreadLocalRandom.current().nextLong(pause / 10) : 0;
        return Duration.ofMillis(Math.min(max, pause + jitter));
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String message = cause instanceof AddressGuard.Refused ? cause.getMessage()
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return message.length() > MAX_ERROR_LENGTH ? message.substring(0, MAX_ERROR_LENGTH) : message;
    }
}
