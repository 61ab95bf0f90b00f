package dev.handoff.gateway.local.agents;

import dev.handoff.events.Usage;
import dev.handoff.gateway.local.AgentOutput;
import dev.handoff.gateway.provider.ActivityKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * What an agent's output said about its run: its final answer, what it cost and its session id. It listens to an
 * {@link AgentOutput} (passing the activity entries on), keeping the last of each; a session id that is not a plain
 * token is ignored.
 */
public final class AgentTranscript implements AgentOutput.Listener {

    private final BiConsumer<ActivityKind, String> entries;
    private String summary;
    private Usage usage;
    private String session;

    public AgentTranscript(BiConsumer<ActivityKind, String> entries) {
        this.entries = entries;
    }

    /**
     * Reads a whole agent log with a fresh reader of {@code preset}'s output (the lines as the agent printed them);
     * entries are dropped here (publishing them as activity is the output pump's work).
     */
    public static AgentTranscript read(Path log, AgentPreset preset) {
        AgentOutput output = preset.output();
        AgentTranscript transcript = new AgentTranscript((kind, text) -> {
        });
        try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.line(line, transcript);
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable log leaves the run without summary and usage, never fails it
        }
        return transcript;
    }

    @Override
    public void entry(ActivityKind kind, String text) {
        entries.accept(kind, text);
    }

    @Override
    public void result(String summary) {
        this.summary = summary;
    }

    @Override
    public void usage(Usage usage) {
        this.usage = usage;
    }

    @Override
    public void session(String sessionId) {
        if (AgentSessions.valid(sessionId)) {
            this.session = sessionId;
        }
    }

    public String summary() {
        return summary;
    }

    public Usage usage() {
        return usage;
    }

    public String session() {
        return session;
    }
}
