package dev.handoff.gateway.activity;

import dev.handoff.events.RunRequested;
import dev.handoff.gateway.GatewayConfig;
import dev.handoff.gateway.messaging.OutboxRelay;
import dev.handoff.gateway.provider.ActivityKind;
import dev.handoff.gateway.provider.RunActivity;
import dev.handoff.gateway.secrets.SecretNames;
import dev.handoff.gateway.secrets.SecretStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Publishes runs' activity on {@code handoff.run-activity} through the gateway's transactional outbox (see
 * {@link RunActivity} for what it guarantees). Each run's secrets are read from the secret store when its activity
 * is opened: the workspace's agent key and git token, the run's webhook secret, the operator's GitHub token, and the
 * credentials written in the run's repository URL.
 */
@ApplicationScoped
public class ActivityPublisher implements RunActivity {

    private final Pool pool;
    private final ActivityRepository repository;
    private final OutboxRelay relay;
    private final SecretStore secrets;
    private final GatewayConfig gateway;
    private final ActivityConfig config;
    /**
     * Only hands out batches and timers: every write is a non-blocking database call, so one thread serves all runs.
     * A daemon, never shut down: runs still closing their activity while the gateway stops need it to the end.
     */
    private final ScheduledExecutorService timer;

    public ActivityPublisher(Pool pool, ActivityRepository repository, OutboxRelay relay, SecretStore secrets,
            GatewayConfig gateway, ActivityConfig config) {
        this.pool = pool;
        this.repository = repository;
        this.relay = relay;
        this.secrets = secrets;
        this.gateway = gateway;
        this.config = config;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "run-activity");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.timer = executor;
    }

    @Override
    public Uni<Run> open(RunRequested request) {
        RunRef run = RunRef.of(request);
        return redactorFor(request)
                .chain(redactor -> pool.withConnection(db -> repository.position(db, run.runId(), false))
                        .map(position -> (Run) new RunLog(run, redactor, this::write, timer, config.maxEntries(), position)));
    }

    @Override
    public Uni<Integer> messagesOnce(RunRequested request, List<Message> messages) {
        // the last text given for an id wins; messages without an id cannot be told apart from the next poll's: skipped
        Map<String, Message> byId = new LinkedHashMap<>();
        for (Message message : messages) {
            if (message.id() != null && !message.id().isBlank() && message.text() != null && !message.text().isBlank()) {
                byId.put(message.id(), message);
            }
        }
        if (byId.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        RunRef run = RunRef.of(request);
        List<String> ids = List.copyOf(byId.keySet());
        return redactorFor(request).chain(redactor -> pool.withTransaction(db -> repository.position(db, run.runId(), true)
                        .chain(position -> repository.publishedMessages(db, run.runId(), ids).chain(known -> {
                            List<String> fresh = ids.stream().filter(id -> !known.contains(id)).toList();
                            if (fresh.isEmpty()) {
                                return Uni.createFrom().item(0);
                            }
                            List<Entry> entries = new ArrayList<>();
                            long agentEntries = position.agentEntries();
                            boolean truncated = position.truncated();
                            Instant now = Instant.now();
                            for (String id : fresh) {
                                if (truncated) {
                                    break;
                                }
                                if (agentEntries >= config.maxEntries()) {
                                    truncated = true;
                                    entries.add(new Entry(now, ActivityKind.TRUNCATED, "The agent's messages reached "
                                            + config.maxEntries() + " entries (HANDOFF_ACTIVITY_MAX_ENTRIES); later ones are not shown."));
                                    break;
                                }
                                agentEntries++;
                                entries.add(new Entry(now, byId.get(id).kind(), redactor.clean(byId.get(id).text(), 0)));
                            }
                            long totalAgentEntries = agentEntries;
                            boolean totalTruncated = truncated;
                            // every fresh message counts as published, also those dropped after the truncation
                            return repository.append(db, run, entries, totalAgentEntries, totalTruncated)
                                    .chain(() -> repository.rememberMessages(db, run.runId(), fresh))
                                    .replaceWith(entries.size());
                        }))))
                .invoke(published -> {
                    if (published > 0) {
                        relay.kick();
                    }
                });
    }

    /** One batch of a run, in its own transaction; the relay is kicked as soon as it is committed. */
    private Uni<Void> write(RunRef run, List<Entry> batch, long agentEntries, boolean truncated) {
        return pool.withTransaction(db -> repository.append(db, run, batch, agentEntries, truncated))
                .invoke(relay::kick);
    }

    /** The run's secrets, read now: a key changed during the run is redacted from its next opening on. */
    private Uni<Redactor> redactorFor(RunRequested request) {
        String workspace = request.workspaceId();
        List<Uni<Optional<String>>> stored = List.of(
                secrets.get(SecretNames.agentKey(workspace)),
                secrets.get(SecretNames.gitToken(workspace)),
                secrets.get(SecretNames.webhookSecret(workspace, request.runId())));
        return Uni.join().all(stored).andFailFast().map(values -> {
            List<String> known = new ArrayList<>();
            values.forEach(value -> value.ifPresent(known::add));
            gateway.github().token().ifPresent(known::add);
            known.addAll(Redactor.credentialsOf(request.repositoryUrl()));
            return Redactor.of(known);
        });
    }
}
