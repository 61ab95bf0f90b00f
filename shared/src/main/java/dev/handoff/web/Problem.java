package dev.handoff.web;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** An RFC 9457 problem document with the contract's stable {@code code} and any extension members. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType PROBLEM_JSON = MediaType.valueOf(MEDIA_TYPE);

    public final String type;
    public final String title;
    public final int status;
    public final String detail;
    public final String code;
    private final Map<String, Object> extensions;

    public Problem(int status, String code, String title, String detail, Map<String, Object> extensions) {
        this.type = "https://handoff.dev/problems/" + code;
        this.title = title;
        this.status = status;
        this.detail = detail;
        this.code = code;
        this.extensions = extensions == null ? Map.of() : new LinkedHashMap<>(extensions);
    }

    @JsonAnyGetter
    public Map<String, Object> extensions() {
        return extensions;
    }

    public Response toResponse() {
        return Response.status(status).type(PROBLEM_JSON).entity(this).build();
    }
}
