package dev.handoff.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The bearer-token parser every service authenticates with: smallrye-jwt's own, whose verified tokens are remembered
 * until they stop being acceptable, so a token is checked once per service and not on every request.
 *
 * <p>A launch carries the caller's token through three services (the run service, then task-service and the gateway,
 * which receive it forwarded), and a browser sends the same token with every request; verifying the RS256 signature
 * and parsing the claims each time was the one Handoff-specific cost in the CPU profiles of issue 21. A token is
 * remembered by its exact text (signature included), only after smallrye-jwt accepted it (failures are never
 * remembered), and only until the earlier of its {@code exp} and {@code iat} + {@code mp.jwt.verify.token.age}: past
 * that it is verified again, and refused as before. At most {@link #MAX_TOKENS} tokens are kept (least recently used
 * go first), none for longer than {@link #MAX_KEPT}.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokens implements JWTParser {

    static final int MAX_TOKENS = 2048;
    static final Duration MAX_KEPT = Duration.ofMinutes(10);

    private final JWTParser delegate;
    private final Clock clock;
    private final long maxAgeSeconds;
    private final Cache<String, Verified> verified = Caffeine.newBuilder()
            .maximumSize(MAX_TOKENS)
            .expireAfterWrite(MAX_KEPT)
            .build();

    record Verified(JsonWebToken token, long validUntilSeconds) {
    }

    @Inject
    VerifiedTokens(DefaultJWTParser smallryeJwt, @ConfigProperty(name = "mp.jwt.verify.token.age", defaultValue = "0") long maxAgeSeconds) {
        this((JWTParser) smallryeJwt, Clock.systemUTC(), maxAgeSeconds);
    }

    VerifiedTokens(JWTParser delegate, Clock clock, long maxAgeSeconds) {
        this.delegate = delegate;
        this.clock = clock;
        this.maxAgeSeconds = maxAgeSeconds;
    }

    @Override
    public JsonWebToken parse(String bearerToken) throws ParseException {
        long now = clock.instant().getEpochSecond();
        Verified known = verified.getIfPresent(bearerToken);
        if (known != null) {
            if (now < known.validUntilSeconds()) {
                return known.token();
            }
            verified.invalidate(bearerToken);
        }
        JsonWebToken token = delegate.parse(bearerToken);
        long until = validUntil(token);
        if (now < until) {
            verified.put(bearerToken, new Verified(token, until));
        }
        return token;
    }

    /** The first second the token is no longer acceptable without verifying it again; 0: never remember it. */
    private long validUntil(JsonWebToken token) {
        long until = seconds(token.getClaim("exp"));
        if (until <= 0) {
            return 0;
        }
        if (maxAgeSeconds > 0) {
            long issuedAt = seconds(token.getClaim("iat"));
            if (issuedAt <= 0) {
                return 0;
            }
            until = Math.min(until, issuedAt + maxAgeSeconds);
        }
        return until;
    }

    private static long seconds(Object claim) {
        if (claim instanceof Number number) {
            return number.longValue();
        }
        if (claim instanceof jakarta.json.JsonNumber number) {
            return number.longValue();
        }
        return 0;
    }

    /** How many verified tokens are remembered now (tests). */
    long size() {
        verified.cleanUp();
        return verified.estimatedSize();
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return delegate.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return delegate.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return delegate.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return delegate.parseOnly(token);
    }
}
