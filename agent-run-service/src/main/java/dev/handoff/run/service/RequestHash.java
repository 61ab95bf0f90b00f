package dev.handoff.run.service;

import dev.handoff.events.EventJson;
import dev.handoff.run.Run;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/** Fingerprint of a launch request (task + body), stored with its Idempotency-Key to recognise a reused key. */
final class RequestHash {

    private record Input(UUID taskId, String repositoryUrl, String branch, String targetBranch, String instructions,
            String provider) {
    }

    static String of(UUID taskId, Run.Settings settings) {
        String canonical = EventJson.toJson(new Input(taskId, settings.repositoryUrl(), settings.branch(),
                settings.targetBranch(), settings.instructions(), settings.provider()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private RequestHash() {
    }
}
