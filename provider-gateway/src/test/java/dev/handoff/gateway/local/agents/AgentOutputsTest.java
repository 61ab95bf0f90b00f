package dev.handoff.gateway.local.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.handoff.events.Usage;
import dev.handoff.gateway.local.AgentOutput;
import dev.handoff.gateway.provider.ActivityKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each preset's reader on the examples of its CLI's documentation (test resources {@code agent-output/*.jsonl}, sources
 * in {@code agent-cli/SOURCES.md}): the agent's words become {@code message} entries, its tool calls {@code tool}
 * entries with their arguments, the rest {@code log}; the final answer, usage and session id are reported.
 */
class AgentOutputsTest {

    /** What a reader said, in order. */
    static final class Heard implements AgentOutput.Listener {
        final List<String> entries = new ArrayList<>();
        String result;
        Usage usage;
        String session;

        @Override
        public void entry(ActivityKind kind, String text) {
            entries.add(kind.name().toLowerCase() + ": " + text);
        }

        @Override
        public void result(String summary) {
            result = summary;
        }

        @Override
        public void usage(Usage usage) {
            this.usage = usage;
        }

        @Override
        public void session(String sessionId) {
            session = sessionId;
        }

        List<String> of(String kind) {
            return entries.stream().filter(e -> e.startsWith(kind + ": ")).map(e -> e.substring(kind.length() + 2)).toList();
        }
    }

    private static Heard read(AgentPreset preset, String... extraLines) throws IOException {
        AgentOutput output = preset.output();
        Heard heard = new Heard();
        try (InputStream in = AgentOutputsTest.class.getResourceAsStream("/agent-output/" + preset.id() + ".jsonl")) {
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().forEach(line -> output.line(line, heard));
        }
        for (String line : extraLines) {
            output.line(line, heard);
        }
        return heard;
    }

    @Test
    void claudeCodesStreamJson() throws IOException {
        Heard heard = read(AgentPreset.CLAUDE_CODE);
        assertEquals(List.of("I'll check the files first.", "The directory holds one file, README.md."), heard.of("message"));
        assertEquals(List.of("Bash {\"command\":\"ls -la\",\"description\":\"List files\"}"), heard.of("tool"));
        assertEquals("The directory holds one file, README.md.", heard.result);
        assertEquals(new Usage(5210L, 8L + 3120 + 11025, 142L, 0.0213), heard.usage);
        assertEquals("8e2f6a4c-1b7d-4c3e-9f0a-2d5b6c7e8f90", heard.session);
        assertTrue(heard.of("log").stream().anyMatch(l -> l.startsWith("tool result: total 8")), heard.entries::toString);
    }

    @Test
    void codexExecJson() throws IOException {
        Heard heard = read(AgentPreset.CODEX);
        assertEquals(List.of("Yep — there’s a `README.md` in the repository root."), heard.of("message"));
        assertEquals(List.of("shell bash -lc ls"), heard.of("tool"));
        assertEquals("Yep — there’s a `README.md` in the repository root.", heard.result);
        assertEquals(new Usage(null, 24763L, 122L, null), heard.usage);
        assertEquals("0199a213-81c0-7800-8aa1-bbab2a035a53", heard.session);
        assertTrue(heard.of("log").contains("reasoning: **Searching for README files**"), heard.entries::toString);
    }

    @Test
    void geminisStreamJson() throws IOException {
        Heard heard = read(AgentPreset.GEMINI);
        assertEquals(List.of("Here are the files..."), heard.of("message"));
        assertEquals(List.of("Bash {\"command\":\"ls -la\"}"), heard.of("tool"));
        assertEquals("Here are the files...", heard.result);
        assertEquals(new Usage(3000L, 50L, 200L, null), heard.usage);
        assertEquals("abc123", heard.session);
    }

    @Test
    void geminisDeltaChunksMakeOneMessage() {
        AgentOutput output = AgentPreset.GEMINI.output();
        Heard heard = new Heard();
        output.line("{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"Hello \",\"delta\":true}", heard);
        output.line("{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"world\",\"delta\":true}", heard);
        output.line("{\"type\":\"result\",\"status\":\"success\",\"stats\":{\"input_tokens\":1,\"output_tokens\":2}}", heard);
        assertEquals(List.of("Hello world"), heard.of("message"));
        assertEquals("Hello world", heard.result);
    }

    @Test
    void cursorAgentsStreamJson() throws IOException {
        Heard heard = read(AgentPreset.CURSOR_AGENT);
        assertEquals(List.of("I'll read the README.md file", "Based on the README, I'll create a summary"), heard.of("message"));
        assertEquals(List.of("read {\"path\":\"README.md\"}",
                "write {\"path\":\"summary.txt\",\"fileText\":\"This project provides a unified analytics engine...\","
                        + "\"toolCallId\":\"toolu_vrtx_01Q3VHVnWFSKygaRPT7WDxrv\"}"), heard.of("tool"));
        assertEquals("I'll read the README.md file\nBased on the README, I'll create a summary", heard.result);
        assertEquals(new Usage(5234L, null, null, null), heard.usage);
        assertEquals("c6b62c6f-7ead-4fd6-9922-e952131177ff", heard.session);
    }

    @Test
    void openCodesRunJson() throws IOException {
        Heard heard = read(AgentPreset.OPENCODE);
        assertEquals(List.of("The README describes a sample project."), heard.of("message"));
        assertEquals(List.of("read {\"filePath\":\"/project/README.md\"}"), heard.of("tool"));
        assertEquals("The README describes a sample project.", heard.result);
        assertEquals(new Usage(4000L, 2L + 12345 + 321 + 5 + 12400, 81L, 0.0042 + 0.0011), heard.usage);
        assertEquals("ses_44f9562d4ffe", heard.session);
    }

    @Test
    void unknownAndMalformedLinesAreKeptAsLogsAndNeverFail() throws IOException {
        for (AgentPreset preset : List.of(AgentPreset.CLAUDE_CODE, AgentPreset.CODEX, AgentPreset.GEMINI,
                AgentPreset.CURSOR_AGENT, AgentPreset.OPENCODE)) {
            Heard heard = read(preset, "npm WARN deprecated something", "{\"type\":\"from.the.future\",\"x\":1}",
                    "{not json", "[1,2]", "{\"no_type\":true}", "", "{\"type\":\"tool_call\",\"subtype\":\"started\",\"tool_call\":{}}");
            List<String> logs = heard.of("log");
            assertTrue(logs.contains("npm WARN deprecated something"), preset + ": " + logs);
            assertTrue(logs.contains("{\"type\":\"from.the.future\",\"x\":1}"), preset + ": " + logs);
            assertTrue(logs.contains("{not json"), preset + ": " + logs);
            assertTrue(logs.contains("[1,2]"), preset + ": " + logs);
            assertTrue(logs.contains("{\"no_type\":true}"), preset + ": " + logs);
            assertTrue(heard.result != null && heard.session != null, preset + " still reads the rest");
        }
    }

    @Test
    void demoAndCustomArePlainLogs() {
        Heard heard = new Heard();
        AgentPreset.DEMO.output().line("{\"type\":\"result\",\"result\":\"x\"}", heard);
        AgentPreset.CUSTOM.output().line("hello", heard);
        assertEquals(List.of("log: {\"type\":\"result\",\"result\":\"x\"}", "log: hello"), heard.entries);
        assertNull(heard.result);
    }

    @Test
    void eachPresetRunsItsCliHeadlessWithModelAndResumeQuoted() {
        assertEquals("claude -p " + AgentPreset.PROMPT + " --output-format stream-json --verbose --permission-mode acceptEdits"
                + " --allowedTools 'Bash,Read,Edit,Write,Glob,Grep' --model 'sonnet' --resume 'abc-1'",
                AgentPreset.CLAUDE_CODE.command("sonnet", "abc-1"));
        assertEquals("codex exec --json --full-auto --skip-git-repo-check resume 'th_1' " + AgentPreset.PROMPT,
                AgentPreset.CODEX.command(null, "th_1"));
        assertEquals("gemini --output-format stream-json --yolo --model 'gemini-2.5-pro' -p " + AgentPreset.PROMPT,
                AgentPreset.GEMINI.command("gemini-2.5-pro", null));
        assertEquals("cursor-agent -p --output-format stream-json --force " + AgentPreset.PROMPT,
                AgentPreset.CURSOR_AGENT.command(" ", null));
        assertEquals("opencode run --format json --model 'it'\"'\"'s/x' --session 'ses_1' " + AgentPreset.PROMPT,
                AgentPreset.OPENCODE.command("it's/x", "ses_1"));
        assertEquals("claude -p " + AgentPreset.PROMPT + " --output-format stream-json --verbose --permission-mode acceptEdits"
                + " --allowedTools 'Bash,Read,Edit,Write,Glob,Grep'", AgentPreset.CLAUDE_CODE.command(null, "$(rm -rf /)"),
                "a session id that is no plain token is never resumed");
    }

    @Test
    void theKeyGoesOnlyInTheVariablesTheCliReads() {
        assertEquals(List.of("ANTHROPIC_API_KEY"), List.copyOf(new AgentLaunch(AgentPreset.CLAUDE_CODE, null, "k", null).keyEnvironment().keySet()));
        assertEquals(List.of("CODEX_API_KEY", "OPENAI_API_KEY"),
                new AgentLaunch(AgentPreset.CODEX, null, "k", null).keyEnvironment().keySet().stream().sorted().toList());
        assertEquals(List.of("OPENAI_API_KEY"), List.copyOf(new AgentLaunch(AgentPreset.OPENCODE, "openai/gpt-5", "k", null).keyEnvironment().keySet()));
        assertTrue(new AgentLaunch(AgentPreset.GEMINI, null, null, null).keyEnvironment().isEmpty());
        assertTrue(!new AgentLaunch(AgentPreset.GEMINI, null, "secret-key-1234", null).toString().contains("secret"));
    }

    @Test
    void sessionsResumeOnlyWithTheSamePreset() {
        assertEquals("claude-code:abc", AgentSessions.stored(AgentPreset.CLAUDE_CODE, "abc"));
        assertEquals("abc", AgentSessions.resumable("claude-code:abc", AgentPreset.CLAUDE_CODE).orElseThrow());
        assertTrue(AgentSessions.resumable("claude-code:abc", AgentPreset.CODEX).isEmpty());
        assertTrue(AgentSessions.resumable(null, AgentPreset.CODEX).isEmpty());
    }

    @Test
    void theOperatorsListDecidesTheDefaultAndUnknownNamesAreLeftOut() {
        assertEquals(List.of(AgentPreset.DEMO), LocalAgents.parse(List.of(), false));
        assertEquals(List.of(AgentPreset.CUSTOM), LocalAgents.parse(List.of(), true));
        assertEquals(List.of(AgentPreset.CODEX, AgentPreset.CLAUDE_CODE),
                LocalAgents.parse(List.of(" codex", "nonsense", "claude-code", "codex"), true));
    }
}
