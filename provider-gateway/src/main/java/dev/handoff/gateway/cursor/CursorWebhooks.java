package dev.handoff.gateway.cursor;

import dev.handoff.events.EventJson;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.cursor.CursorClient.Agent;
import dev.handoff.gateway.secrets.SecretNames;
import dev.handoff.gateway.secrets.SecretStore;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Cursor's {@code statusChange} webhooks (sent for FINISHED and ERROR): each is checked against the run's own secret,
 * mapped like a poll ({@link CursorStatuses}) and applied once per distinct body, to the newest run of the agent (a
 * follow-up on the same agent is told by the launch's webhook). A run's secret is kept a day after the run (and any
 * follow-up on its agent) finished, for late redeliveries, then destroyed.
 */
@ApplicationScoped
public class CursorWebhooks {

    private final RunLedger ledger;
    private final SecretStore secrets;

    public CursorWebhooks(RunLedger ledger, SecretStore secrets) {
        this.ledger = ledger;
        this.secrets = secrets;
    }

    /** Answers false (nothing changed) when the run is unknown, not Cursor's, or the signature is missing or wrong. */
    public Uni<Boolean> receive(UUID runId, byte[] body, String signature) {
        return ledger.find(runId).chain(found -> {
            if (found.isEmpty() || !CursorProvider.NAME.equals(found.get().provider())) {
                return Uni.createFrom().item(false);
            }
            ProviderRun run = found.get();
            return secrets.get(SecretNames.webhookSecret(run.workspaceId(), runId)).chain(secret -> {
                if (secret.isEmpty() || !WebhookSignature.verify(secret.get(), body, signature)) {
                    return Uni.createFrom().item(false);
                }
                Agent agent;
                try {
                    agent = EventJson.fromJson(body, Agent.class);
                } catch (RuntimeException e) {
                    Log.warnf("Cursor webhook for run %s is signed but not readable; ignored", runId);
                    return Uni.createFrom().item(true);
                }
                if (agent == null || run.providerRunId() != null && !run.providerRunId().equals(agent.id())) {
                    Log.warnf("Cursor webhook for run %s names another agent; ignored", runId);
                    return Uni.createFrom().item(true);
                }
                Optional<RunUpdate> update = CursorStatuses.update(agent, run.providerRunId());
                if (update.isEmpty()) {
                    return Uni.createFrom().item(true); // only FINISHED and ERROR are sent; anything else is left to polling
                }
                // Cursor keeps the launch's webhook for the agent's follow-ups: the news is about its newest run
                String agentId = run.providerRunId() != null ? run.providerRunId() : agent.id();
                Uni<UUID> target = agentId == null ? Uni.createFrom().item(runId)
                        : ledger.newestOfAgent(CursorProvider.NAME, run.workspaceId(), agentId)
                                .map(newest -> newest.map(ProviderRun::runId).orElse(runId));
                return target.chain(targetRunId -> ledger.applyWebhookOnce(runId, targetRunId, sha256(body), update.get()))
                        .replaceWith(true);
            });
        });
    }

    /** Webhook secrets are kept a day after their run finished (for late redeliveries), then destroyed. */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> destroyOldSecrets() {
        return destroySecretsOlderThan(Duration.ofDays(1)).replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("destroying old webhook secrets: %s", failure.toString());
                    return null;
                });
    }

    /** Destroys the webhook secrets of runs finished longer ago than {@code age}; answers how many. */
    Uni<Integer> destroySecretsOlderThan(Duration age) {
        return ledger.withStaleWebhookSecrets(age, 500)
                .chain(runs -> Multi.createFrom().iterable(runs)
                        .onItem().transformToUniAndConcatenate(run -> secrets.destroy(SecretNames.webhookSecret(run.workspaceId(), run.runId()))
                                .chain(() -> ledger.noteWebhookSecret(run.runId(), false)))
                        .collect().asList()
                        .map(List::size));
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
