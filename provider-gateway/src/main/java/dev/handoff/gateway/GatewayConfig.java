package dev.handoff.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's settings; application.properties maps each from its fixed {@code HANDOFF_*} environment variable. A
 * provider keeps its own settings in its package (e.g. {@code cursor/CursorConfig}).
 */
@ConfigMapping(prefix = "handoff")
public interface GatewayConfig {

    /** Where providers' webhooks reach the gateway and where local pull requests are served ({@code HANDOFF_PUBLIC_URL}). */
    Optional<String> publicUrl();

    Secrets secrets();

    Vault vault();

    Local local();

    Github github();

    Gateway gateway();

    interface Gateway {
        /**
         * How long a finished run's request (the brief and task its agent was given) is kept
         * ({@code HANDOFF_GATEWAY_REQUEST_RETENTION}); then it is forgotten.
         */
        @WithDefault("P7D")
        Duration requestRetention();

        /** How often finished runs' requests are looked for ({@code off} in tests, which call the purge themselves). */
        @WithDefault("1h")
        String requestPurgeInterval();
    }

    interface Secrets {
        /** {@code database} (default) or {@code vault}. */
        @WithDefault("database")
        String store();

        /** Base64 of 32 bytes: the key-encryption key of the database store ({@code HANDOFF_SECRETS_KEY}). */
        Optional<String> key();

        /**
         * The database store's key-encryption keys, for rotation ({@code HANDOFF_SECRETS_KEYS}): {@code id:base64,...},
         * the first is current, the others are still read; when set, {@link #key()} is not used.
         */
        Optional<String> keys();
    }

    interface Vault {
        @WithDefault("secret")
        String kvMount();

        /** Secrets live under {@code <prefix>/workspaces/<workspace>/...} in the KV mount. */
        @WithDefault("handoff")
        String pathPrefix();
    }

    interface Local {
        /** The operator's agent command, run with {@code bash -c} in the worktree. */
        Optional<String> agentCommand();

        @WithDefault("30m")
        Duration agentTimeout();

        /** Folders under which {@code file://} repositories may be cloned. */
        Optional<List<String>> repoRoots();

        /** Host names of remote repositories that may be cloned. */
        Optional<List<String>> allowedHosts();

        /** Where worktrees, prompts and agent logs go; a temporary folder when not set. */
        Optional<String> workDir();

        /** The bundled demo agent (deploy/local/demo-agent.sh), used when no agent command is set. */
        Optional<String> demoAgent();

        /**
         * The agent presets workspaces may pick (HANDOFF_LOCAL_AGENTS, comma-separated: claude-code, codex, gemini,
         * cursor-agent, opencode, demo, custom); unset: {@code custom} when an agent command is set, else {@code demo}.
         */
        Optional<List<String>> agents();

        /**
         * Folders put in front of the agents' PATH (HANDOFF_LOCAL_AGENT_PATH), for agent CLIs installed outside the
         * system's folders (an npm prefix, say); with the sandbox on, they must also be in HANDOFF_LOCAL_SANDBOX_READ_PATHS.
         */
        Optional<List<String>> agentPath();

        /**
         * Names of the gateway's own environment variables that the operator hands to every local agent
         * (HANDOFF_LOCAL_AGENT_ENV, comma-separated); Handoff's and Quarkus' own settings are never handed on.
         */
        Optional<List<String>> agentEnv();

        /** How many local agents run at once on one replica; more wait their turn. */
        @WithDefault("4")
        int maxParallel();

        /**
         * How many local runs may wait for a slot on one replica; beyond, a run fails at once with
         * {@code local-queue-full} instead of waiting for hours.
         */
        @WithDefault("200")
        int maxQueued();

        /**
         * Whether a workspace's local runs keep a mirror of each repository they use (HANDOFF_LOCAL_MIRRORS, default
         * true), under the work folder, and bring it up to date with a fetch rather than clone the whole repository
         * each time; false: every run clones on its own.
         */
        @WithDefault("true")
        boolean mirrors();

        /**
         * The most an agent's worktree may hold, in bytes ({@code HANDOFF_LOCAL_MAX_WORKTREE_BYTES}, default 2 GiB):
         * beyond, the agent is stopped and the run fails with {@code worktree-too-large}.
         */
        @WithDefault("2147483648")
        long maxWorktreeBytes();

        /** How often a running agent's worktree is measured against {@link #maxWorktreeBytes()}. */
        @WithDefault("5s")
        Duration worktreeCheckInterval();

        /** A replica renews the lease of its local runs; a run whose lease ran out lost its replica. */
        @WithDefault("60s")
        Duration lease();

        @WithDefault("10s")
        Duration heartbeat();

        /** How long a cancelled agent gets between SIGTERM and SIGKILL. */
        @WithDefault("5s")
        Duration killGrace();

        /** The most a run's agent.log keeps of the agent's output ({@code HANDOFF_LOCAL_MAX_LOG_BYTES}, 10 MiB); it says where it was cut. */
        @WithDefault("10485760")
        long maxLogBytes();
    }

    interface Github {
        /** The operator's token (HANDOFF_GITHUB_TOKEN): used for a workspace without a git token of its own only when shared. */
        Optional<String> token();

        /** HANDOFF_GIT_TOKEN_SHARED: whether workspaces without their own git token use the operator's. */
        @WithDefault("false")
        boolean tokenShared();

        @WithDefault("https://api.github.com")
        String apiUrl();
    }
}
