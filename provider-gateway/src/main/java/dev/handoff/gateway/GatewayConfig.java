package dev.handoff.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The gateway's settings; application.properties maps each from its fixed {@code HANDOFF_*} environment variable. */
@ConfigMapping(prefix = "handoff")
public interface GatewayConfig {

    /** Where Cursor sends webhooks and where local pull requests are served ({@code HANDOFF_PUBLIC_URL}). */
    Optional<String> publicUrl();

    Secrets secrets();

    Vault vault();

    Cursor cursor();

    Local local();

    Github github();

    interface Secrets {
        /** {@code database} (default) or {@code vault}. */
        @WithDefault("database")
        String store();

        /** Base64 of 32 bytes: the key-encryption key of the database store ({@code HANDOFF_SECRETS_KEY}). */
        Optional<String> key();
    }

    interface Vault {
        @WithDefault("secret")
        String kvMount();

        /** Secrets live under {@code <prefix>/workspaces/<workspace>/...} in the KV mount. */
        @WithDefault("handoff")
        String pathPrefix();
    }

    interface Cursor {
        @WithDefault("https://api.cursor.com")
        String baseUrl();

        @WithDefault("15s")
        Duration pollInterval();

        /** How long one replica owns the polling of a run before another may take it over. */
        @WithDefault("60s")
        Duration lease();

        @WithDefault("10s")
        Duration requestTimeout();

        /** The longest wait between two polls while Cursor answers 429 or 5xx. */
        @WithDefault("5m")
        Duration maxBackoff();
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

        /** How many local agents run at once on one replica; more wait their turn. */
        @WithDefault("4")
        int maxParallel();

        /** A replica renews the lease of its local runs; a run whose lease ran out lost its replica. */
        @WithDefault("60s")
        Duration lease();

        @WithDefault("10s")
        Duration heartbeat();

        /** How long a cancelled agent gets between SIGTERM and SIGKILL. */
        @WithDefault("5s")
        Duration killGrace();
    }

    interface Github {
        Optional<String> token();

        @WithDefault("https://api.github.com")
        String apiUrl();
    }
}
