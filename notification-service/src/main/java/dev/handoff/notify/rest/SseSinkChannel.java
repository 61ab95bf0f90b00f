package dev.handoff.notify.rest;

import dev.handoff.notify.RunEvent;
import dev.handoff.notify.sse.ClientChannel;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A {@link ClientChannel} over the JAX-RS SSE sink of one request. */
final class SseSinkChannel implements ClientChannel {

    private final SseEventSink sink;
    private final Sse sse;

    SseSinkChannel(SseEventSink sink, Sse sse) {
        this.sink = sink;
        this.sse = sse;
    }

    @Override
    public CompletionStage<?> send(RunEvent event) {
        return write(sse.newEventBuilder()
                .id(Long.toString(event.sequence()))
                .name(event.type().sseName())
                .data(event.json())
                .build());
    }

    @Override
    public CompletionStage<?> comment(String text, long retryMillis) {
        OutboundSseEvent.Builder builder = sse.newEventBuilder().comment(" " + text);
        if (retryMillis > 0) {
            builder.reconnectDelay(retryMillis);
        }
        return write(builder.build());
    }

    @Override
    public void close() {
        sink.close();
    }

    private CompletionStage<?> write(OutboundSseEvent event) {
        if (sink.isClosed()) {
            return CompletableFuture.failedFuture(new IllegalStateException("client gone"));
        }
        return sink.send(event);
    }
}
