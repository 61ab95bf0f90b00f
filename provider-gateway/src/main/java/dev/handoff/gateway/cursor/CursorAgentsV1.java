package dev.handoff.gateway.cursor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.events.EventJson;
import dev.handoff.events.RunRequested;
import dev.handoff.events.Usage;
import dev.handoff.gateway.ProviderRun;
import dev.handoff.gateway.cursor.CursorAgents.Keyed;
import dev.handoff.gateway.cursor.CursorAgents.Next;
import dev.handoff.gateway.cursor.CursorClientV1.AgentUsage;
import dev.handoff.gateway.cursor.CursorClientV1.CreateRequest;
import dev.handoff.gateway.cursor.CursorClientV1.Git;
import dev.handoff.gateway.cursor.CursorClientV1.Model;
import dev.handoff.gateway.cursor.CursorClient.Prompt;
import dev.handoff.gateway.cursor.CursorClientV1.Repo;
import dev.handoff.gateway.cursor.CursorClientV1.Run;
import dev.handoff.gateway.cursor.CursorClientV1.RunUsage;
import dev.handoff.gateway.cursor.CursorRunStreams.Position;
import dev.handoff.gateway.cursor.ServerSentEvents.Event;
import dev.handoff.gateway.prompt.AgentPrompt;
import dev.handoff.gateway.provider.ActivityKind;
import dev.handoff.gateway.provider.RunActivity;
import dev.handoff.gateway.service.AgentConfigService;
import dev.handoff.gateway.service.RunLedger;
import dev.handoff.gateway.service.RunUpdate;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A run's Cursor agent in API v1 ({@code HANDOFF_CURSOR_API=v1}): a Handoff run is one run of a Cursor agent.
 * <ul>
 * <li>Launch: {@code POST /v1/agents} with {@code agentId} {@code bc-<the run's id>}, so that the same run can never
 * create a second agent: Cursor answers 409 {@code agent_id_conflict} to a repeated create (a redelivered request, a
 * crash after the call), and the agent found is adopted with its first run.</li>
 * <li>Follow-up: a new run on the earlier run's agent ({@code POST /v1/agents/{id}/runs}). Cursor runs one prompt of an
 * agent at a time; while the agent is busy with another run (409 {@code agent_busy}, e.g. one started in Cursor's
 * own app) the follow-up waits for it with the usual backoff, and fails with {@code agent-busy} after
 * {@value #BUSY_ATTEMPTS} attempts in a row.</li>
 * <li>Status and activity: each turn reads the run's event stream for {@code handoff.cursor.stream-window} (25 s) at most,
 * resumed with {@code Last-Event-ID} (the last event handled is stored, so another replica or a restarted gateway
 * goes on where this one stopped). The agent's text deltas become one {@code message} entry per message, each tool
 * call one {@code tool} entry; entries are published once each by their event's id, so a replayed range adds
 * nothing. {@code result} ends the run. After 410 {@code stream_expired} the run is polled
 * ({@code GET /v1/agents/{id}/runs/{runId}}) instead.</li>
 * <li>Usage: {@code GET /v1/agents/{id}/usage?runId=} once the run ended, onto the final update.</li>
 * <li>Cancel: {@code POST /v1/agents/{id}/runs/{runId}/cancel} (409 {@code run_not_cancellable}: it ended already).</li>
 * </ul>
 */
@ApplicationScoped
class CursorAgentsV1 implements CursorRuns {

    static final String AGENT_BUSY = "agent-busy";
    static final int BUSY_ATTEMPTS = 12;
    private static final int MAX_TOOL_ARGS = 500;

    private final RunLedger ledger;
    private final AgentConfigService configs;
    private final CursorApiV1 api;
    private final CursorAgents agents;
    private final CursorRunStreams streams;
    private final RunActivity activity;
    private final CursorConfig cursor;

    CursorAgentsV1(RunLedger ledger, AgentConfigService configs, CursorApiV1 api, CursorAgents agents,
            CursorRunStreams streams, RunActivity activity, CursorConfig cursor) {
        this.ledger = ledger;
        this.configs = configs;
        this.api = api;
        this.agents = agents;
        this.streams = streams;
        this.activity = activity;
        this.cursor = cursor;
    }

    /** The agent a run creates: Cursor's {@code bc-<uuid>} form, with the run's id. */
    static String agentId(UUID runId) {
        return "bc-" + runId;
    }

    @Override
    public Uni<Next> launch(ProviderRun run, Keyed keyed) {
        return ledger.requested(run.runId()).chain(requested -> requested.request().followUp() != null
                ? followUp(run, keyed, requested.request())
                : create(run, keyed, requested.request()));
    }

    private Uni<Next> create(ProviderRun run, Keyed keyed, RunRequested request) {
        String agentId = agentId(run.runId());
        String model = keyed.model() == null || keyed.model().isBlank() ? null : keyed.model();
        // v1 names no branch: the agent pushes to a branch of its own (cursor/...), reported when the run ends
        CreateRequest create = new CreateRequest(new Prompt(AgentPrompt.render(request, CursorAgents.targetBranch(request))),
                model == null ? null : new Model(model), null, List.of(new Repo(request.repositoryUrl(), request.branch())),
                false, true, agentId);
        return ledger.markLaunchAttempted(run.runId())
                .chain(() -> api.create(keyed.key(), create))
                .chain(answer -> {
                    if (answer.ok() && answer.body() != null && answer.body().run() != null) {
                        String url = answer.body().agent() == null ? null : answer.body().agent().url();
                        Log.infof("Cursor agent %s created for run %s (Cursor run %s)", agentId, run.runId(), answer.body().run().id());
                        return started(run, keyed, agentId, url, answer.body().run());
                    }
                    if (answer.status() == 409 && "agent_id_conflict".equals(answer.code())) {
                        return adopt(run, keyed, agentId);
                    }
                    return agents.onError(run, answer, "create the agent");
                });
    }

    /** The run's agent exists already (created by an earlier attempt of this run): its first run is this run's. */
    private Uni<Next> adopt(ProviderRun run, Keyed keyed, String agentId) {
        return api.agent(keyed.key(), agentId).chain(answer -> {
            if (answer.ok() && answer.body() != null && answer.body().latestRunId() != null) {
                Log.infof("Cursor agent %s of run %s was created before; adopted, not created again", agentId, run.runId());
                return started(run, keyed, agentId, answer.body().url(),
                        new Run(answer.body().latestRunId(), agentId, null, null, null, null));
            }
            return agents.onError(run, answer, "read the agent this run created before");
        });
    }

    private Uni<Next> followUp(ProviderRun run, Keyed keyed, RunRequested request) {
        String agentId = request.followUp().providerRunId();
        String prompt = AgentPrompt.render(request, CursorAgents.targetBranch(request));
        return streams.find(run.runId()).chain(known -> {
            if (known.isPresent()) {
                return started(run, keyed, agentId, null, new Run(known.get().cursorRunId(), agentId, null, null, null, null));
            }
            return ledger.markLaunchAttempted(run.runId())
                    .chain(() -> api.createRun(keyed.key(), agentId, prompt))
                    .chain(answer -> {
                        if (answer.ok() && answer.body() != null && answer.body().run() != null) {
                            Log.infof("Cursor agent %s follows up for run %s (Cursor run %s)", agentId, run.runId(),
                                    answer.body().run().id());
                            return started(run, keyed, agentId, null, answer.body().run());
                        }
                        if (answer.status() == 409 && "agent_busy".equals(answer.code())) {
                            return busy(run, agentId);
                        }
                        if (answer.status() == 404) {
                            return agents.fail(run, "NOT_FOUND", CursorStatuses.PROVIDER_ERROR,
                                    "Cursor no longer knows the agent " + agentId + ", so the follow-up cannot continue its work");
                        }
                        return agents.onError(run, answer, "send the follow-up to the agent");
                    });
        });
    }

    /** The agent is busy with another run: the follow-up waits for it to end (backing off), for a while. */
    private Uni<Next> busy(ProviderRun run, String agentId) {
        if (run.pollFailures() + 1 >= BUSY_ATTEMPTS) {
            return agents.fail(run, "AGENT_BUSY", AGENT_BUSY, "Cursor's agent " + agentId + " was still busy with another run after "
                    + BUSY_ATTEMPTS + " attempts, so the follow-up was not sent; send it again once that run has ended");
        }
        Log.infof("Cursor agent %s is busy with another run; the follow-up %s waits for it", agentId, run.runId());
        return Uni.createFrom().item(agents.backoff(run, null));
    }

    /** Records the agent and the Cursor run; a run cancelled meanwhile has the Cursor run cancelled at once. */
    private Uni<Next> started(ProviderRun run, Keyed keyed, String agentId, String url, Run cursorRun) {
        return streams.start(run.runId(), agentId, cursorRun.id())
                .chain(() -> ledger.recordAgent(run.runId(), agentId, url, cursorRun.status() == null ? "CREATING" : cursorRun.status()))
                .chain(() -> ledger.find(run.runId()))
                .chain(current -> {
                    ProviderRun now = current.orElse(run);
                    if (now.cancelRequested() || now.status().isFinal()) {
                        return api.cancel(keyed.key(), agentId, cursorRun.id()).onFailure().recoverWithNull()
                                .chain(() -> ledger.apply(run.runId(), RunUpdate.cancelled("CANCELLED")))
                                .replaceWith((Next) null);
                    }
                    return Uni.createFrom().item(new Next(Duration.ZERO, 0));
                });
    }

    @Override
    public Uni<Next> poll(ProviderRun run, Keyed keyed) {
        return streams.find(run.runId()).chain(found -> {
            if (found.isEmpty()) {
                return agents.fail(run, "UNKNOWN", CursorStatuses.PROVIDER_ERROR,
                        "the gateway does not know which run of Cursor's agent " + run.providerRunId() + " is this run");
            }
            return found.get().expired() ? pollRun(run, keyed, found.get()) : readStream(run, keyed, found.get());
        });
    }

    private Uni<Next> readStream(ProviderRun run, Keyed keyed, Position at) {
        return api.stream(keyed.key(), at.agentId(), at.cursorRunId(), at.lastEventId()).chain(stream -> {
            if (stream.status() == 200) {
                return ledger.requested(run.runId())
                        .chain(requested -> follow(new Turn(run, keyed, at, requested.request()), stream.events()));
            }
            if (stream.status() == 410) {
                Log.infof("Cursor's event stream of run %s expired; the run is polled from now on", run.runId());
                return streams.expire(run.runId()).chain(() -> pollRun(run, keyed, at));
            }
            if (stream.status() == 400 && "invalid_last_event_id".equals(stream.code())) {
                // read from the start again: what was published already is recognised by its event's id
                Log.infof("Cursor did not take the stream position of run %s; reading its stream from the start", run.runId());
                return streams.advance(run.runId(), null).replaceWith(new Next(cursor.pollInterval(), 0));
            }
            if (stream.status() == 404) {
                return agents.fail(run, "NOT_FOUND", CursorStatuses.PROVIDER_ERROR,
                        "Cursor no longer knows the run " + at.cursorRunId() + " of agent " + at.agentId());
            }
            return agents.onError(run, stream.answer(), "stream the run's events");
        });
    }

    /** Handles the stream's events one after the other for the stream window at most; answers the next turn. */
    private Uni<Next> follow(Turn turn, Multi<Event> events) {
        return events.select().first(cursor.streamWindow())
                .onItem().transformToUniAndConcatenate(turn::on)
                .collect().last()
                .map(last -> true)
                .onFailure().recoverWithItem(failure -> {
                    Log.infof("Cursor's event stream of run %s was cut (%s); it is resumed on the next turn",
                            turn.run.runId(), failure.getClass().getSimpleName());
                    return false;
                })
                .chain(whole -> turn.save().chain(finished -> {
                    if (finished) {
                        return Uni.createFrom().item((Next) null);
                    }
                    // a stream that says the run ended but closes without its result: the run itself tells the end
                    return turn.ended ? pollRun(turn.run, turn.keyed, turn.at)
                            : Uni.createFrom().item(new Next(whole ? Duration.ZERO : cursor.pollInterval(), 0));
                }));
    }

    /** After 410 {@code stream_expired}: the run's status, read. */
    private Uni<Next> pollRun(ProviderRun run, Keyed keyed, Position at) {
        return api.run(keyed.key(), at.agentId(), at.cursorRunId()).chain(answer -> {
            if (answer.ok() && answer.body() != null) {
                Run now = answer.body();
                return apply(run, keyed, at, now.status(), now.result(), now.git(), now.durationMs())
                        .map(finished -> finished ? null : new Next(cursor.pollInterval(), 0));
            }
            if (answer.status() == 404) {
                return agents.fail(run, "NOT_FOUND", CursorStatuses.PROVIDER_ERROR,
                        "Cursor no longer knows the run " + at.cursorRunId() + " of agent " + at.agentId());
            }
            return agents.onError(run, answer, "read the run's status");
        });
    }

    /** Applies a Cursor run's status (with the run's usage once it ended); answers whether the run is finished. */
    private Uni<Boolean> apply(ProviderRun run, Keyed keyed, Position at, String status, String result, Git git, Long durationMs) {
        Optional<RunUpdate> update = CursorStatuses.ofRun(status, result, git, at.agentId());
        if (update.isEmpty()) {
            return Uni.createFrom().item(false);
        }
        if (!update.get().status().isFinal()) {
            return ledger.apply(run.runId(), update.get()).replaceWith(false);
        }
        return usage(keyed, at, durationMs)
                .chain(usage -> ledger.apply(run.runId(), update.get().withAgentReport(usage, null)))
                .replaceWith(true);
    }

    /** The tokens (and cost, when Cursor reports it) of the Cursor run; only the duration when Cursor cannot tell. */
    private Uni<Usage> usage(Keyed keyed, Position at, Long durationMs) {
        Usage durationOnly = durationMs == null ? null : new Usage(durationMs, null, null, null);
        return api.usage(keyed.key(), at.agentId(), at.cursorRunId())
                .map(answer -> {
                    AgentUsage body = answer.body();
                    if (!answer.ok() || body == null || body.runs() == null) {
                        Log.debugf("Cursor answered HTTP %d to reading the usage of agent %s", answer.status(), at.agentId());
                        return durationOnly;
                    }
                    return body.runs().stream().filter(r -> at.cursorRunId().equals(r.id()) && r.usage() != null).findFirst()
                            .map(r -> new Usage(durationMs, r.usage().inputTokens(), r.usage().outputTokens(), dollars(r)))
                            .orElse(durationOnly);
                })
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("reading the usage of Cursor agent %s: %s", at.agentId(), failure.getClass().getSimpleName());
                    return durationOnly;
                });
    }

    private static Double dollars(RunUsage usage) {
        return usage.cost() == null || usage.cost().chargedCents() == null ? null : usage.cost().chargedCents() / 100.0;
    }

    @Override
    public Uni<Void> cancel(ProviderRun run) {
        Uni<Void> stop = run.providerRunId() == null ? Uni.createFrom().voidItem()
                : streams.find(run.runId()).chain(found -> found.isEmpty() ? Uni.createFrom().voidItem()
                        : configs.apiKey(run.workspaceId()).chain(key -> key.isEmpty() ? Uni.createFrom().voidItem()
                                : api.cancel(key.get(), found.get().agentId(), found.get().cursorRunId())
                                        .invoke(answer -> {
                                            if (!answer.ok() && answer.status() != 409) {
                                                Log.warnf("Cursor answered HTTP %d to cancelling run %s of agent %s",
                                                        answer.status(), found.get().cursorRunId(), found.get().agentId());
                                            }
                                        })
                                        .replaceWithVoid()))
                        .onFailure().recoverWithItem(failure -> {
                            Log.warnf("cancelling the Cursor run of %s: %s", run.runId(), failure.getClass().getSimpleName());
                            return null;
                        });
        return stop.chain(() -> ledger.apply(run.runId(), RunUpdate.cancelled("CANCELLED"))).replaceWithVoid();
    }

    /**
     * One turn's reading of a run's stream. The agent's text deltas gather into one message until something else
     * happens (a tool call, a status, the result); the position advances only past events whose entries are published,
     * so a cut in the middle of a message reads that message again, whole, on the next turn.
     */
    private final class Turn {

        final ProviderRun run;
        final Keyed keyed;
        final Position at;
        final RunRequested request;
        final StringBuilder text = new StringBuilder();
        String textId;
        String handled;
        String saved;
        boolean finished;
        /** Cursor said the run ended (a status event) but no result event was read yet. */
        boolean ended;

        Turn(ProviderRun run, Keyed keyed, Position at, RunRequested request) {
            this.run = run;
            this.keyed = keyed;
            this.at = at;
            this.request = request;
            this.handled = at.lastEventId();
            this.saved = at.lastEventId();
        }

        Uni<Boolean> on(Event event) {
            JsonNode data = json(event.data());
            return switch (event.name()) {
                case "assistant" -> {
                    if (textId == null) {
                        textId = event.id() != null ? event.id() : at.cursorRunId() + ":" + handled;
                    }
                    text.append(data.path("text").asText(""));
                    yield Uni.createFrom().item(true);
                }
                case "tool_call" -> publish(tool(event, data)).invoke(() -> handled(event));
                // a terminal status is told by the result event, with the reply and the pull request
                case "status" -> publish(null)
                        .chain(() -> {
                            String status = data.path("status").asText("");
                            ended = ended || CursorStatuses.ofRun(status, null, null, at.agentId())
                                    .map(update -> update.status().isFinal()).orElse(false);
                            return "RUNNING".equals(status) ? apply(run, keyed, at, status, null, null, null)
                                    : Uni.createFrom().item(false);
                        })
                        .invoke(() -> handled(event));
                case "result" -> publish(null)
                        .chain(() -> apply(run, keyed, at, data.path("status").asText(null), data.path("text").asText(null),
                                git(data.path("git")), data.hasNonNull("durationMs") ? data.get("durationMs").asLong() : null))
                        .invoke(ended -> finished = finished || ended)
                        .invoke(() -> handled(event))
                        .chain(() -> save());
                case "error" -> {
                    Log.infof("Cursor's event stream of run %s reported %s", run.runId(), data.path("code").asText("an error"));
                    yield Uni.createFrom().item(true);
                }
                default -> {
                    // heartbeat, thinking, interaction_update, done: nothing to show; past them once no message is open
                    if (textId == null) {
                        handled(event);
                    }
                    yield Uni.createFrom().item(true);
                }
            };
        }

        /** The open message (if any) and this entry, published once each; the open message is closed. */
        private Uni<Boolean> publish(RunActivity.Message entry) {
            List<RunActivity.Message> entries = new ArrayList<>();
            if (textId != null && !text.toString().isBlank()) {
                entries.add(new RunActivity.Message("assistant:" + textId, text.toString().strip()));
            }
            textId = null;
            text.setLength(0);
            if (entry != null) {
                entries.add(entry);
            }
            return entries.isEmpty() ? Uni.createFrom().item(true)
                    : activity.messagesOnce(request, entries).replaceWith(true);
        }

        private void handled(Event event) {
            if (event.id() != null) {
                handled = event.id();
            }
        }

        /** Stores how far the stream was handled; answers whether the run is finished. */
        Uni<Boolean> save() {
            if (Objects.equals(handled, saved)) {
                return Uni.createFrom().item(finished);
            }
            String position = handled;
            return streams.advance(run.runId(), position).invoke(() -> saved = position).replaceWith(finished);
        }
    }

    /** A tool call as a {@code tool} entry: its name and arguments, once per call (by its id). */
    private static RunActivity.Message tool(Event event, JsonNode data) {
        String callId = data.path("callId").asText(event.id());
        String name = data.path("name").asText("tool");
        JsonNode args = data.get("args");
        String shown = args == null || args.isNull() ? "" : " " + abbreviate(args.isTextual() ? args.asText() : args.toString());
        return new RunActivity.Message("tool:" + callId, name + shown, ActivityKind.TOOL);
    }

    private static Git git(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        return EventJson.fromJson(node.toString(), Git.class);
    }

    private static JsonNode json(String data) {
        try {
            return EventJson.fromJson(data == null || data.isBlank() ? "{}" : data, JsonNode.class);
        } catch (RuntimeException notJson) {
            return EventJson.fromJson("{}", JsonNode.class);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > MAX_TOOL_ARGS ? text.substring(0, MAX_TOOL_ARGS) + "..." : text;
    }
}
