package dev.handoff.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one signer of test tokens: RS256 JWTs shaped as the contract says ({@code iss}, {@code sub}, {@code upn},
 * {@code workspace}, {@code groups}, {@code iat}, {@code exp}, {@code jti}), with the JDK's own crypto so that it
 * runs anywhere (service tests, the end-to-end tests, {@code ./handoff chaos}, the bench) without a JWT library.
 * {@link #testKey()} signs with the key pair of the service tests ({@code handoff-test-keys/}), {@link #ofStack(Path)}
 * with a local stack's key ({@code <state>/jwt/privateKey.pem}, made by {@code ./handoff up}, the key that
 * {@code ./handoff token} uses). Also makes the broken tokens a hostile client sends ({@link #unsigned}).
 */
public final class TokenSigner {

    public static final String ISSUER = "handoff";
    /** The classpath location of the service tests' public key (what {@code mp.jwt.verify.publickey.location} names). */
    public static final String TEST_PUBLIC_KEY = "handoff-test-keys/publicKey.pem";
    private static final String TEST_PRIVATE_KEY = "handoff-test-keys/privateKey.pem";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEADER = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
    private static volatile TokenSigner testKey;

    private final PrivateKey key;
    private final long ttlSeconds;

    private TokenSigner(PrivateKey key, long ttlSeconds) {
        this.key = key;
        this.ttlSeconds = ttlSeconds;
    }

    /** Signs with the service tests' key pair (on the classpath, beside this class). */
    public static TokenSigner testKey() {
        TokenSigner signer = testKey;
        if (signer == null) {
            try (InputStream in = TokenSigner.class.getClassLoader().getResourceAsStream(TEST_PRIVATE_KEY)) {
                if (in == null) {
                    throw new IllegalStateException("test signing key missing: " + TEST_PRIVATE_KEY);
                }
                signer = new TokenSigner(decode(new String(in.readAllBytes(), StandardCharsets.US_ASCII)), 3600);
                warmTheServicesVerifier();
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("test signing key unreadable", e);
            }
            testKey = signer;
        }
        return signer;
    }

    /**
     * In a Quarkus test the service runs in this JVM, and its first token check initialises jose4j's algorithm
     * registry (every security provider loaded, every algorithm registered) on the event loop, seconds on a busy
     * machine, with the requests that wait behind it timing out. A JWT library that signed here did that on the test's
     * thread; this signer uses the JDK, so it does the same explicitly when jose4j is there (never in e2e or the bench).
     */
    private static void warmTheServicesVerifier() {
        java.security.Security.getProviders();
        try {
            Class.forName("org.jose4j.jwa.AlgorithmFactoryFactory", true, TokenSigner.class.getClassLoader())
                    .getMethod("getInstance").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            // no JWT library on this classpath: nothing to warm
        }
    }

    /** Signs with a local stack's key: {@code <stateDir>/jwt/privateKey.pem}. */
    public static TokenSigner ofStack(Path stateDir) {
        try {
            return new TokenSigner(decode(Files.readString(stateDir.resolve("jwt/privateKey.pem"))), 3600);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the stack's signing key under " + stateDir, e);
        }
    }

    /** The same key, tokens valid for {@code seconds} from now. */
    public TokenSigner validFor(long seconds) {
        return new TokenSigner(key, seconds);
    }

    public String member(String workspace) {
        return token("user-" + workspace, workspace, List.of("member"));
    }

    public String admin(String workspace) {
        return token("admin-" + workspace, workspace, List.of("member", "admin"));
    }

    /** A valid token; {@code workspace} null leaves the claim out. */
    public String token(String subject, String workspace, Collection<String> groups) {
        return sign(claims(workspace, subject, groups, ttlSeconds));
    }

    /** The usual claims, valid for an hour; callers may change or remove any before {@link #sign}. */
    public static Map<String, Object> claims(String workspace, String subject, Collection<String> groups) {
        return claims(workspace, subject, groups, 3600);
    }

    private static Map<String, Object> claims(String workspace, String subject, Collection<String> groups, long ttl) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("upn", subject);
        if (workspace != null) {
            claims.put("workspace", workspace);
        }
        claims.put("groups", List.copyOf(groups));
        claims.put("iat", now);
        claims.put("exp", now + ttl);
        claims.put("jti", UUID.randomUUID().toString());
        return claims;
    }

    /** Signs exactly these claims (RS256). */
    public String sign(Map<String, Object> claims) {
        String input = HEADER + "." + b64(json(claims));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same claims with an {@code alg: none} header and no signature. */
    public static String unsigned(Map<String, Object> claims) {
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(json(claims)) + ".";
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    private static PrivateKey decode(String pem) throws GeneralSecurityException {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static String json(Map<String, Object> claims) {
        try {
            return JSON.writeValueAsString(claims);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("claims cannot be written as JSON", e);
        }
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
