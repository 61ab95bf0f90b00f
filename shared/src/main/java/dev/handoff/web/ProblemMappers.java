package dev.handoff.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.handoff.resilience.Outage;
import dev.handoff.resilience.Unavailable;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of every service leaves as {@code application/problem+json}; nothing unexpected becomes a 500 body with internals. */
public class ProblemMappers {

    /** What a 503 {@code service-unavailable} asks the client to wait. */
    static final String RETRY_AFTER_SECONDS = "5";

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.PROBLEM_JSON).entity(e.problem());
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e) {
        List<ProblemException.Violation> violations = e.getConstraintViolations().stream()
                .map(v -> new ProblemException.Violation(fieldOf(v), v.getMessage()))
                .sorted(Comparator.comparing(ProblemException.Violation::field))
                .toList();
        String detail = violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; "));
        return new Problem(400, "validation-failed", "Invalid request", detail, Map.of("violations", violations))
                .toResponse();
    }

    /**
     * Quarkus REST has its own mapper for {@link MismatchedInputException} (wrong types, unknown fields) whose plain JSON
     * body lacks {@code code}; the more specific type wins, so this one is declared for it too.
     */
    @ServerExceptionMapper(priority = 1)
    public Response mismatchedInput(MismatchedInputException e) {
        return unreadableJson(e);
    }

    @ServerExceptionMapper(priority = 1)
    public Response unreadableJson(JsonProcessingException e) {
        String field = e instanceof JsonMappingException m ? pathOf(m) : "body";
        String message;
        if (Failures.causedBy(e, StreamReadException.class)) {
            // broken JSON is reported against the body, whichever field the parser was in
            field = "body";
            message = "malformed JSON" + (e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } else if (e instanceof UnrecognizedPropertyException) {
            message = "unknown field";
        } else if (e instanceof InvalidFormatException f && StrictJson.NUL_MESSAGE.equals(f.getOriginalMessage())) {
            message = StrictJson.NUL_MESSAGE;
        } else if (e instanceof InvalidFormatException f) {
            message = "value " + abbreviate(String.valueOf(f.getValue())) + " is not a valid "
                    + f.getTargetType().getSimpleName();
        } else if (e instanceof JsonMappingException) {
            message = "wrong type or shape";
        } else {
            message = "malformed JSON";
        }
        return new Problem(400, "validation-failed", "Invalid request", field + ": " + message,
                Map.of("violations", List.of(new ProblemException.Violation(field, message)))).toResponse();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return unauthenticated();
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return unauthenticated();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return new Problem(403, "forbidden", "Forbidden", "your role does not allow this", null).toResponse();
    }

    @ServerExceptionMapper(priority = 1)
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            // Quarkus REST wraps a body it cannot parse in a plain 400
            return unreadableJson(json);
        }
        if (status >= 500) {
            Log.errorf(e, "request failed");
            return new Problem(status, "internal-error", "Internal error", "the request could not be completed", null)
                    .toResponse();
        }
        String code = switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            default -> "validation-failed";
        };
        String title = e.getResponse().getStatusInfo().getReasonPhrase();
        return new Problem(status, code, title, title, null).toResponse();
    }

    @ServerExceptionMapper(priority = Integer.MAX_VALUE)
    public Response unexpected(Throwable e) {
        Throwable cause = Failures.unwrap(e);
        if (cause != e && cause instanceof ProblemException p) {
            return problem(p);
        }
        if (Outage.is(e)) {
            return unavailable(e);
        }
        Log.errorf(e, "unexpected failure");
        return new Problem(500, "internal-error", "Internal error", "the request could not be completed", null)
                .toResponse();
    }

    /**
     * The database, the broker or the secret store does not answer right now: nothing was changed, and the client may
     * try again shortly. Logged without a stack trace (an outage is not a bug) and without the failure's details.
     */
    private static Response unavailable(Throwable e) {
        Throwable cause = Failures.unwrap(e);
        String dependency = cause instanceof Unavailable u ? u.dependency() : "a service this one depends on";
        Log.warnf("answering 503: %s is not answering (%s)", dependency, cause.getClass().getSimpleName());
        return Response.status(503).type(Problem.PROBLEM_JSON).header("Retry-After", RETRY_AFTER_SECONDS)
                .entity(new Problem(503, "service-unavailable", "Service unavailable",
                        dependency + " is not answering; nothing was changed, try again in a few seconds", null))
                .build();
    }

    private static Response unauthenticated() {
        return Response.status(401).type(Problem.PROBLEM_JSON).header("WWW-Authenticate", "Bearer")
                .entity(new Problem(401, "unauthorized", "Unauthorized", "a valid bearer token is required", null))
                .build();
    }

    private static String fieldOf(ConstraintViolation<?> violation) {
        // "create.request.title" -> "title": drop the method and parameter nodes
        List<String> names = StreamSupport.stream(violation.getPropertyPath().spliterator(), false)
                .filter(node -> node.getKind() == jakarta.validation.ElementKind.PROPERTY
                        || node.getKind() == jakarta.validation.ElementKind.CONTAINER_ELEMENT)
                .map(node -> node.getIndex() != null ? node.getName() + "[" + node.getIndex() + "]" : node.getName())
                .filter(name -> name != null && !name.startsWith("<"))
                .toList();
        if (names.isEmpty()) {
            String path = violation.getPropertyPath().toString();
            Path.Node last = null;
            for (Path.Node node : violation.getPropertyPath()) {
                last = node;
            }
            return last == null || last.getName() == null ? path : last.getName();
        }
        return String.join(".", names);
    }

    private static String pathOf(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        return path.isEmpty() ? "body" : path;
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "..." : value;
    }
}
