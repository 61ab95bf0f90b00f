package dev.handoff.gateway.sandbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** How local agents are confined; application.properties maps each from its fixed {@code HANDOFF_LOCAL_SANDBOX*} variable. */
@ConfigMapping(prefix = "handoff.local.sandbox")
public interface SandboxConfig {

    /** {@code on} (default): every agent runs in bubblewrap; {@code off}: the operator's explicit choice to run unconfined. */
    @WithDefault("on")
    String mode();

    /** {@code proxy} (default): other hosts through the gateway's egress proxy; {@code none}: no network at all. */
    @WithDefault("proxy")
    String network();

    /** Loopback ports the agent may reach through the proxy (a model served on this machine, for example). */
    Optional<List<Integer>> loopbackPorts();

    /** The bubblewrap program: a name looked up in PATH or an absolute path. */
    @WithDefault("bwrap")
    String bwrap();

    /** The socat program, which bridges the agent's 127.0.0.1 proxy port to the proxy's Unix socket inside the sandbox. */
    @WithDefault("socat")
    String socat();

    /** More host paths the agent may read (an agent CLI installed outside /usr, for example); mounted read-only. */
    Optional<List<String>> readPaths();
}
