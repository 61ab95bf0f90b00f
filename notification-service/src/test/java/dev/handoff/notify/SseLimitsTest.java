package dev.handoff.notify;

import static dev.handoff.notify.support.TestEvents.workspace;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.notify.sse.SseConnections;
import dev.handoff.testsupport.SseClient;
import dev.handoff.testsupport.SseStream;
import dev.handoff.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HANDOFF_SSE_MAX_PER_WORKSPACE (default 50) open streams per workspace; a stream ends when its token expires. */
@QuarkusTest
class SseLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Vertx vertx;

    @Inject
    SseConnections connections;

    @TestHTTPResource("/")
    URL base;

    private SseClient client;

    @BeforeEach
    void client() {
        client = new SseClient(vertx, base, 100);
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void fiftyOneStreamsOfOneWorkspaceGetExactlyOne429AndAnotherWorkspaceStillGetsItsStream() throws Exception {
        String ws = workspace();
        String token = Tokens.bearer(Tokens.member(ws));
        List<SseStream> streams = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            streams.add(client.open("/api/events", Map.of("Authorization", token)));
        }
        CompletableFuture.allOf(streams.stream().map(SseStream::status).toArray(CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
        List<SseStream> refused = streams.stream().filter(s -> s.statusCode() == 429).toList();
        assertEquals(1, refused.size(), "exactly one 429 of 51");
        assertEquals(50, streams.stream().filter(s -> s.statusCode() == 200).count());
        SseStream tooMany = refused.get(0);
        assertTrue(Integer.parseInt(tooMany.retryAfter()) > 0, "Retry-After: " + tooMany.retryAfter());
        await().atMost(WAIT).until(tooMany::hasEnded);
        assertTrue(tooMany.contentType().startsWith("application/problem+json"), tooMany.contentType());
        assertTrue(tooMany.body().contains("\"code\":\"concurrency-limit\""), tooMany.body());
        await().atMost(WAIT).until(() -> streams.stream().filter(s -> s.statusCode() == 200).allMatch(SseStream::isLive));
        assertEquals(50, connections.size(ws));

        // another workspace is not held up by this one
        SseStream other = client.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(workspace()))));
        assertEquals(200, other.statusCode());
        await().atMost(WAIT).until(other::isLive);

        // a stream that ends gives its slot back: the workspace can open one again
        streams.stream().filter(s -> s.statusCode() == 200).findFirst().orElseThrow().close();
        await().atMost(WAIT).until(() -> connections.size(ws) == 49);
        SseStream again = client.open("/api/events", Map.of("Authorization", token));
        assertEquals(200, again.statusCode());
        await().atMost(WAIT).until(again::isLive);
        streams.forEach(SseStream::close);
    }

    @Test
    void aStreamIsClosedWhenItsTokenExpiresAndResumesWithAFreshOne() throws Exception {
        String ws = workspace();
        // exp is in whole seconds: the token expires 3 to 4 s from now
        Instant expiresAt = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        SseStream stream = client.open("/api/events", Map.of("Authorization",
                Tokens.bearer(token(ws, expiresAt))));
        assertEquals(200, stream.statusCode());
        await().atMost(WAIT).until(stream::isLive);
        assertFalse(stream.hasEnded(), "open while the token is valid");

        await().atMost(Duration.ofSeconds(20)).until(stream::hasEnded);
        Instant ended = Instant.now();
        assertFalse(ended.isBefore(expiresAt), "ended at " + ended + ", before the token expired at " + expiresAt);
        assertTrue(ended.isBefore(expiresAt.plusSeconds(5)), "ended at " + ended + ", long after " + expiresAt);
        await().atMost(WAIT).until(() -> connections.size(ws) == 0);

        // the client comes back with a fresh token and its Last-Event-ID
        SseStream resumed = client.open("/api/events", Map.of("Authorization", Tokens.bearer(Tokens.member(ws)),
                "Last-Event-ID", "0"));
        assertEquals(200, resumed.statusCode());
        await().atMost(WAIT).until(resumed::isLive);
        resumed.close();
    }

    /** A member token of {@code workspace} that expires at {@code expiresAt}, signed with the test key. */
    private static String token(String workspace, Instant expiresAt) throws Exception {
        try (InputStream in = SseLimitsTest.class.getClassLoader().getResourceAsStream("handoff-test-keys/privateKey.pem")) {
            return Jwt.issuer(Tokens.ISSUER).subject("user-" + workspace).upn("user-" + workspace)
                    .groups(Set.of("member")).claim("workspace", workspace).expiresAt(expiresAt)
                    .sign(KeyUtils.decodePrivateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII)));
        }
    }
}
