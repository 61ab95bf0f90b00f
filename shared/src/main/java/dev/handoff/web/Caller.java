package dev.handoff.web;

import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.regex.Pattern;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Who is calling: the workspace every query is scoped by, from the token's {@code workspace} claim. */
@RequestScoped
public class Caller {

    public static final Pattern WORKSPACE = Pattern.compile("[a-z0-9-]{1,64}");
    public static final String ADMIN = "admin";
    public static final String MEMBER = "member";

    @Inject
    JsonWebToken jwt;

    public String workspace() {
        Object claim = jwt.getClaim("workspace");
        String workspace = claim == null ? null : claim.toString().replace("\"", "");
        if (workspace == null || !WORKSPACE.matcher(workspace).matches()) {
            throw new UnauthorizedException("token has no valid workspace claim");
        }
        return workspace;
    }

    public String userId() {
        return jwt.getSubject();
    }

    /** The raw bearer token, forwarded when this service calls another on the caller's behalf. */
    public String bearerToken() {
        return jwt.getRawToken();
    }
}
