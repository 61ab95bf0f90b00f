package dev.handoff.gateway.local.agents;

import dev.handoff.gateway.local.AgentOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The agents a workspace can pick for the local provider (contract v2 "Local agent presets"): each CLI run headless
 * with its documented structured output, the workspace's key in the variable that CLI reads, the model flag, the
 * resume flag for a follow-up, and the reader of its output. {@code demo} (the bundled demo agent) and {@code custom}
 * (the operator's HANDOFF_LOCAL_AGENT_COMMAND) are plain commands whose lines are log entries.
 *
 * <p>The prompt is passed as the CLI's prompt argument, read from the run's prompt file inside the agent's shell
 * ({@code "$(cat "$HANDOFF_PROMPT_FILE")"}), so it never appears on a command line outside the sandbox.
 */
public enum AgentPreset {

    /** {@code npm i -g @anthropic-ai/claude-code}; docs: code.claude.com/docs/en/headless, cli-reference. */
    CLAUDE_CODE("claude-code", "claude", "@anthropic-ai/claude-code", ClaudeCodeOutput::new) {
        @Override
        List<String> arguments(String model, String session) {
            List<String> args = new ArrayList<>(List.of("-p", PROMPT, "--output-format", "stream-json", "--verbose",
                    "--permission-mode", "acceptEdits", "--allowedTools", quote("Bash,Read,Edit,Write,Glob,Grep")));
            flag(args, "--model", model);
            flag(args, "--resume", session);
            return args;
        }

        @Override
        public List<String> keyVariables(String model) {
            return List.of("ANTHROPIC_API_KEY");
        }
    },

    /**
     * {@code npm i -g @openai/codex}; docs: developers.openai.com/codex/noninteractive ({@code codex exec --json}, and
     * {@code codex exec resume <SESSION_ID>}); {@code CODEX_API_KEY} is the variable {@code codex exec} reads, older
     * versions read {@code OPENAI_API_KEY}.
     */
    CODEX("codex", "codex", "@openai/codex", CodexOutput::new) {
        @Override
        List<String> arguments(String model, String session) {
            List<String> args = new ArrayList<>(List.of("exec", "--json", "--full-auto", "--skip-git-repo-check"));
            flag(args, "--model", model);
            if (session != null) {
                args.addAll(List.of("resume", quote(session)));
            }
            args.add(PROMPT);
            return args;
        }

        @Override
        public List<String> keyVariables(String model) {
            return List.of("CODEX_API_KEY", "OPENAI_API_KEY");
        }
    },

    /** {@code npm i -g @google/gemini-cli}; docs: geminicli.com/docs/cli/headless. */
    GEMINI("gemini", "gemini", "@google/gemini-cli", GeminiOutput::new) {
        @Override
        List<String> arguments(String model, String session) {
            List<String> args = new ArrayList<>(List.of("--output-format", "stream-json", "--yolo"));
            flag(args, "--model", model);
            flag(args, "--resume", session);
            args.addAll(List.of("-p", PROMPT));
            return args;
        }

        @Override
        public List<String> keyVariables(String model) {
            return List.of("GEMINI_API_KEY");
        }
    },

    /** {@code curl https://cursor.com/install -fsS | bash} (no npm package); docs: cursor.com/docs/cli/headless, output-format. */
    CURSOR_AGENT("cursor-agent", "cursor-agent", null, CursorAgentOutput::new) {
        @Override
        List<String> arguments(String model, String session) {
            List<String> args = new ArrayList<>(List.of("-p", "--output-format", "stream-json", "--force"));
            flag(args, "--model", model);
            flag(args, "--resume", session);
            args.add(PROMPT);
            return args;
        }

        @Override
        public List<String> keyVariables(String model) {
            return List.of("CURSOR_API_KEY");
        }
    },

    /**
     * {@code npm i -g opencode-ai}; docs: opencode.ai/docs/cli ({@code opencode run --format json}, {@code --session}),
     * opencode.ai/docs/providers: each model provider's key in its own variable, the provider being the part of the
     * model ({@code provider/model}) before the slash.
     */
    OPENCODE("opencode", "opencode", "opencode-ai", OpenCodeOutput::new) {
        @Override
        List<String> arguments(String model, String session) {
            List<String> args = new ArrayList<>(List.of("run", "--format", "json"));
            flag(args, "--model", model);
            flag(args, "--session", session);
            args.add(PROMPT);
            return args;
        }

        @Override
        public List<String> keyVariables(String model) {
            String provider = model == null || !model.contains("/") ? "anthropic"
                    : model.substring(0, model.indexOf('/')).toLowerCase(Locale.ROOT);
            return List.of(switch (provider) {
                case "openai" -> "OPENAI_API_KEY";
                case "google" -> "GOOGLE_GENERATIVE_AI_API_KEY";
                case "openrouter" -> "OPENROUTER_API_KEY";
                case "groq" -> "GROQ_API_KEY";
                case "opencode" -> "OPENCODE_API_KEY";
                default -> "ANTHROPIC_API_KEY";
            });
        }
    },

    /** The bundled demo agent (HANDOFF_LOCAL_DEMO_AGENT): plain output. */
    DEMO("demo", null, null, () -> AgentOutput.PLAIN),

    /** The operator's command line (HANDOFF_LOCAL_AGENT_COMMAND): plain output. */
    CUSTOM("custom", null, null, () -> AgentOutput.PLAIN);

    /** The prompt, read inside the agent's shell from the run's prompt file. */
    static final String PROMPT = "\"$(cat \"$HANDOFF_PROMPT_FILE\")\"";

    private final String id;
    private final String program;
    private final String npmPackage;
    private final Supplier<AgentOutput> output;

    AgentPreset(String id, String program, String npmPackage, Supplier<AgentOutput> output) {
        this.id = id;
        this.program = program;
        this.npmPackage = npmPackage;
        this.output = output;
    }

    /** The name in HANDOFF_LOCAL_AGENTS and in {@code agent-config}. */
    public String id() {
        return id;
    }

    /** The CLI's program, looked up in the agent's PATH; empty for {@code demo} and {@code custom}. */
    public Optional<String> program() {
        return Optional.ofNullable(program);
    }

    public Optional<String> npmPackage() {
        return Optional.ofNullable(npmPackage);
    }

    /** Whether this is an agent CLI with structured output (not the demo agent or the operator's command). */
    public boolean cli() {
        return program != null;
    }

    /** A fresh reader of one run's output. */
    public AgentOutput output() {
        return output.get();
    }

    /** The variables the CLI reads the workspace's key from (the key is put in each); none for demo and custom. */
    public List<String> keyVariables(String model) {
        return List.of();
    }

    List<String> arguments(String model, String session) {
        throw new UnsupportedOperationException(id + " runs no CLI of its own");
    }

    /**
     * The command line (run with {@code bash -c} in the worktree): the CLI headless with structured output, the model
     * when set, and the session to resume when this run follows up on one. Model and session are shell-quoted.
     */
    public String command(String model, String resumeSession) {
        String session = resumeSession == null ? null : AgentSessions.valid(resumeSession) ? resumeSession : null;
        return program + " " + String.join(" ", arguments(blankToNull(model), session));
    }

    public static Optional<AgentPreset> named(String name) {
        return name == null ? Optional.empty()
                : Arrays.stream(values()).filter(p -> p.id.equals(name.strip().toLowerCase(Locale.ROOT))).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(AgentPreset::id).toList();
    }

    private static void flag(List<String> args, String flag, String value) {
        if (value != null) {
            args.add(flag);
            args.add(quote(value));
        }
    }

    static String quote(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
