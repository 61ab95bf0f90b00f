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

    /** A follow-up's body: the run it continues and its instructions (never equal to a launch's). */
    private record FollowUpInput(String kind, UUID runId, String instructions) {
    }

    static String of(UUID taskId, Run.Settings settings) {
        return sha256(EventJson.toJson(new Input(taskId, settings.repositoryUrl(), settings.branch(),
                settings.targetBranch(), settings.instructions(), settings.provider())));
    }

    static String ofFollowUp(UUID runId, String instructions) {
        return sha256(EventJson.toJson(new FollowUpInput("follow-up", runId, instructions)));
    }

    private static String sha256(String canonical) {
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
