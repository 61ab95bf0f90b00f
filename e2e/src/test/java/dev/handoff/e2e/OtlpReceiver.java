package dev.handoff.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * A collector that only listens: OTLP/HTTP with protobuf bodies ({@code POST /v1/traces}, the protocol
 * {@code http/protobuf} of the OTLP specification), decoding of each span only what the tests read (trace and span
 * ids, parent, name, kind, string attributes, the resource's {@code service.name}). Answers each export with an
 * empty {@code ExportTraceServiceResponse}.
 */
final class OtlpReceiver implements AutoCloseable {

    /** One received span; ids in lower-case hex, {@code parentSpanId} empty for a root span. */
    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, int kind,
            Map<String, String> attributes) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    static OtlpReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                InputStream in = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                byte[] body = in.readAllBytes();
                try {
                    receiver.exportRequest(body);
                } catch (RuntimeException e) {
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "otlp-receiver");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return receiver;
    }

    /** The base URL, as {@code OTEL_EXPORTER_OTLP_ENDPOINT} takes it (the exporter appends {@code /v1/traces}). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---- protobuf: ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; } ----

    private void exportRequest(byte[] body) {
        Reader request = new Reader(body);
        while (request.more()) {
            int tag = request.tag();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                resourceSpans(request.message());
            } else {
                request.skip(tag);
            }
        }
    }

    /** ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; } */
    private void resourceSpans(Reader in) {
        String service = "";
        List<Reader> scopes = new java.util.ArrayList<>();
        while (in.more()) {
            int tag = in.tag();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                // Resource { repeated KeyValue attributes = 1; }
                Reader resource = in.message();
                Map<String, String> attributes = new HashMap<>();
                while (resource.more()) {
                    int t = resource.tag();
                    if (t >>> 3 == 1 && (t & 7) == 2) {
                        keyValue(resource.message(), attributes);
                    } else {
                        resource.skip(t);
                    }
                }
                service = attributes.getOrDefault("service.name", "");
            } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
                scopes.add(in.message());
            } else {
                in.skip(tag);
            }
        }
        for (Reader scope : scopes) {
            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            while (scope.more()) {
                int tag = scope.tag();
                if (tag >>> 3 == 2 && (tag & 7) == 2) {
                    spans.add(span(service, scope.message()));
                } else {
                    scope.skip(tag);
                }
            }
        }
    }

    /** Span { trace_id = 1; span_id = 2; trace_state = 3; parent_span_id = 4; name = 5; kind = 6; attributes = 9; } */
    private static ReceivedSpan span(String service, Reader in) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        Map<String, String> attributes = new HashMap<>();
        while (in.more()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> traceId = HexFormat.of().formatHex(in.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(in.bytes());
                case 4 -> parent = HexFormat.of().formatHex(in.bytes());
                case 5 -> name = new String(in.bytes(), StandardCharsets.UTF_8);
                case 6 -> kind = (int) in.varint();
                case 9 -> keyValue(in.message(), attributes);
                default -> in.skip(tag);
            }
        }
        return new ReceivedSpan(service, traceId, spanId, parent, name, kind, attributes);
    }

    /** KeyValue { string key = 1; AnyValue value = 2; }, AnyValue { string string_value = 1; int_value = 3; ... } */
    private static void keyValue(Reader in, Map<String, String> into) {
        String key = null;
        String value = null;
        while (in.more()) {
            int tag = in.tag();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                key = new String(in.bytes(), StandardCharsets.UTF_8);
            } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
                Reader any = in.message();
                while (any.more()) {
                    int t = any.tag();
                    if (t >>> 3 == 1 && (t & 7) == 2) {
                        value = new String(any.bytes(), StandardCharsets.UTF_8);
                    } else if (t >>> 3 == 3 && (t & 7) == 0) {
                        value = Long.toString(any.varint());
                    } else {
                        any.skip(t);
                    }
                }
            } else {
                in.skip(tag);
            }
        }
        if (key != null && value != null) {
            into.put(key, value);
        }
    }

    /** The protobuf wire format, just enough of it. */
    private static final class Reader {

        private final byte[] data;
        private int position;
        private final int end;

        Reader(byte[] data) {
            this(data, 0, data.length);
        }

        private Reader(byte[] data, int start, int end) {
            this.data = data;
            this.position = start;
            this.end = end;
        }

        boolean more() {
            return position < end;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = data[position++];
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        byte[] bytes() {
            int length = (int) varint();
            if (length < 0 || position + length > end) {
                throw new IllegalArgumentException("length beyond the message");
            }
            byte[] bytes = java.util.Arrays.copyOfRange(data, position, position + length);
            position += length;
            return bytes;
        }

        Reader message() {
            int length = (int) varint();
            if (length < 0 || position + length > end) {
                throw new IllegalArgumentException("length beyond the message");
            }
            Reader nested = new Reader(data, position, position + length);
            position += length;
            return nested;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> position += 8;
                case 2 -> {
                    // not "position += varint()": that adds to the position from before the length was read
                    int length = (int) varint();
                    position += length;
                }
                case 5 -> position += 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
            }
        }
    }
}
