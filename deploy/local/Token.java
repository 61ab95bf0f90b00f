import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The local stack's token issuer, JDK only.
 *   java Token.java keys DIR                        make DIR/privateKey.pem and DIR/publicKey.pem once
 *   java Token.java sign DIR WORKSPACE [--admin] [--sub USER] [--ttl SECONDS]   print an RS256 JWT
 */
public class Token {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("keys")) {
            keys(dir);
        } else if (args[0].equals("sign")) {
            String workspace = args[2];
            if (!Pattern.matches("[a-z0-9-]{1,64}", workspace)) {
                System.err.println("workspace must be 1-64 characters of [a-z0-9-]");
                System.exit(2);
            }
            boolean admin = false;
            String sub = "local-user";
            long ttl = 12 * 3600;
            for (int i = 3; i < args.length; i++) {
                switch (args[i]) {
                    case "--admin" -> admin = true;
                    case "--sub" -> sub = args[++i];
                    case "--ttl" -> ttl = Long.parseLong(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            keys(dir);
            System.out.println(sign(dir, workspace, sub, admin, ttl));
        } else {
            throw new IllegalArgumentException("usage: Token keys DIR | Token sign DIR WORKSPACE [--admin]");
        }
    }

    static void keys(Path dir) throws Exception {
        Path priv = dir.resolve("privateKey.pem");
        if (Files.exists(priv)) {
            return;
        }
        Files.createDirectories(dir);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        Path tmp = dir.resolve("privateKey.pem.tmp");
        Files.writeString(tmp, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("publicKey.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        Files.move(tmp, priv);
    }

    static String sign(Path dir, String workspace, String sub, boolean admin, long ttl) throws Exception {
        String pem = Files.readString(dir.resolve("privateKey.pem"))
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        long now = Instant.now().getEpochSecond();
        String groups = admin ? "[\"member\",\"admin\"]" : "[\"member\"]";
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":\"" + System.getenv().getOrDefault("HANDOFF_JWT_ISSUER", "handoff") + "\",\"sub\":\"" + sub
                + "\",\"upn\":\"" + sub + "\",\"workspace\":\"" + workspace + "\",\"groups\":" + groups
                + ",\"iat\":" + now + ",\"exp\":" + (now + ttl) + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String input = b64(header) + "." + b64(claims);
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
