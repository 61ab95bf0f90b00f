package dev.handoff.notify.webhook;

import static io.restassured.RestAssured.given;

import dev.handoff.testsupport.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The webhook API as a client uses it, the signature as a receiver checks it, and /q/metrics as Prometheus reads it. */
final class WebhookApi {

    static Response create(String workspace, Map<String, Object> body) {
        return given().header("Authorization", Tokens.bearer(Tokens.admin(workspace)))
                .contentType(ContentType.JSON).body(body)
                .when().post("/api/webhooks");
    }

    /** A list read page by page along its {@code Link: rel="next"} header: each page's values of {@code field}. */
    static List<List<Object>> pages(String workspace, String first, String field) {
        List<List<Object>> pages = new java.util.ArrayList<>();
        String next = first;
        while (next != null) {
            Response page = given().header("Authorization", Tokens.bearer(Tokens.admin(workspace))).urlEncodingEnabled(false)
                    .when().get(next);
            if (page.statusCode() != 200 || pages.size() > 1000) {
                throw new AssertionError("GET " + next + ": " + page.statusCode() + " " + page.asString());
            }
            pages.add(page.jsonPath().getList(field));
            String link = page.header("Link");
            next = link == null ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
        }
        return pages;
    }

    /** Registers a webhook and returns {id, secret, ...} of the 201 answer. */
    static Map<String, Object> register(String workspace, String url, String format, List<String> events) {
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("url", url);
        if (format != null) {
            body.put("format", format);
        }
        if (events != null) {
            body.put("events", events);
        }
        return create(workspace, body).then().statusCode(201).extract().jsonPath().getMap("");
    }

    static Response deliveries(String workspace, Object webhookId) {
        return given().header("Authorization", Tokens.bearer(Tokens.admin(workspace)))
                .when().get("/api/webhooks/" + webhookId + "/deliveries");
    }

    /** What a receiver does: recompute the HMAC of "<t>.<raw body>" with the secret; the header's t, or fails. */
    static long verifySignature(String header, byte[] body, String secret) throws Exception {
        Matcher m = Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})").matcher(header == null ? "" : header);
        if (!m.matches()) {
            throw new AssertionError("malformed signature header: " + header);
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((m.group(1) + ".").getBytes(StandardCharsets.UTF_8));
        String expected = HexFormat.of().formatHex(mac.doFinal(body));
        if (!java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                m.group(2).getBytes(StandardCharsets.US_ASCII))) {
            throw new AssertionError("signature does not verify");
        }
        return Long.parseLong(m.group(1));
    }

    /** A sample's value in the Prometheus text of /q/metrics; 0 when absent. */
    static double metric(String name, String labelMatch) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name) && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
                    && (labelMatch == null || line.contains(labelMatch))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private WebhookApi() {
    }
}
