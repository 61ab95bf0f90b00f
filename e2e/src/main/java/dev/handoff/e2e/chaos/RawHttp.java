package dev.handoff.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP as a hostile or careless client speaks it: any method, any headers, any bytes, no retries, nothing parsed
 * before the caller looks at it.
 */
public final class RawHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    /** One answer: status, content type, the body as text and as JSON (null when it is not JSON). */
    public record Answer(int status, String contentType, String body, JsonNode json, Map<String, String> headers) {

        public boolean isProblem() {
            return contentType != null && contentType.toLowerCase().startsWith("application/problem+json") && json != null
                    && json.isObject();
        }

        public String code() {
            return json == null ? null : json.path("code").asText(null);
        }

        public String detail() {
            return json == null ? null : json.path("detail").asText(null);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase());
        }

        /** Status and the start of the body, for messages. */
        public String brief() {
            String text = body == null ? "" : body.replaceAll("\\s+", " ");
            return status + " " + (contentType == null ? "(no content type)" : contentType) + " "
                    + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
        }
    }

    /** A request; {@code headers} may hold {@code Content-Type}; {@code body} null sends none. */
    public Answer send(String method, String url, Map<String, String> headers, byte[] body) {
        return send(method, url, headers, body, Duration.ofSeconds(60));
    }

    public Answer send(String method, String url, Map<String, String> headers, byte[] body, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            String text = new String(response.body(), StandardCharsets.UTF_8);
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> answerHeaders.put(name.toLowerCase(), String.join(",", values)));
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), text,
                    parse(text), answerHeaders);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A GET of an event stream: when it is answered 200 the stream is closed at once (its body would never end) and
     * the answer's body is empty; any other answer is read whole.
     */
    public Answer stream(String url, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        headers.forEach(request::header);
        try {
            HttpResponse<java.io.InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String text = "";
            try (java.io.InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> answerHeaders.put(name.toLowerCase(), String.join(",", values)));
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), text,
                    parse(text), answerHeaders);
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Answer get(String url, String token) {
        return send("GET", url, auth(token), null);
    }

    public Answer json(String method, String url, String token, Object body) {
        Map<String, String> headers = auth(token);
        headers.put("Content-Type", "application/json");
        try {
            byte[] bytes = body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
            return send(method, url, headers, bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, String> auth(String token) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        return headers;
    }

    public static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
