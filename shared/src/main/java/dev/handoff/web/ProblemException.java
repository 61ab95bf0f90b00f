package dev.handoff.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Thrown by use cases to answer with a problem document; mapped once, in {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String code;
    private final String title;
    private final Map<String, Object> extensions;
    private final Map<String, String> headers;

    public ProblemException(int status, String code, String title, String detail) {
        this(status, code, title, detail, Map.of(), Map.of());
    }

    public ProblemException(int status, String code, String title, String detail, Map<String, Object> extensions,
            Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.extensions = new LinkedHashMap<>(extensions);
        this.headers = Map.copyOf(headers);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not-found", "Not found", what + " does not exist");
    }

    public static ProblemException validation(String field, String message) {
        return new ProblemException(400, "validation-failed", "Invalid request", field + ": " + message,
                Map.of("violations", List.of(new Violation(field, message))), Map.of());
    }

    /** 400 {@code validation-failed} with one violation per field. */
    public static ProblemException invalid(List<Violation> violations) {
        String detail = String.join("; ", violations.stream().map(v -> v.field() + ": " + v.message()).toList());
        return new ProblemException(400, "validation-failed", "Invalid request", detail,
                Map.of("violations", List.copyOf(violations)), Map.of());
    }

    /** Throws {@link #invalid} when there is any violation. */
    public static void throwIfAny(List<Violation> violations) {
        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
    }

    public static ProblemException conflict(String code, String detail, Map<String, Object> extensions) {
        return new ProblemException(409, code, "Conflict", detail, extensions, Map.of());
    }

    public static ProblemException unprocessable(String code, String detail) {
        return new ProblemException(422, code, "Unprocessable request", detail);
    }

    public Problem problem() {
        return new Problem(status, code, title, getMessage(), extensions);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** One invalid field of a request. */
    public record Violation(String field, String message) {
    }
}
