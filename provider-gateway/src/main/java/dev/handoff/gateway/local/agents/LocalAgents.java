package dev.handoff.gateway.local.agents;

import dev.handoff.gateway.GatewayConfig;
import dev.handoff.gateway.sandbox.Sandbox;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The agent presets the operator enabled (HANDOFF_LOCAL_AGENTS), in the operator's order (the first is a workspace's
 * default), the PATH the agents get, and whether a preset's CLI is installed where its agent can run it.
 */
@ApplicationScoped
public class LocalAgents {

    private final List<AgentPreset> enabled;
    private final String agentPath;
    private final Sandbox sandbox;

    @Inject
    public LocalAgents(GatewayConfig config, Sandbox sandbox) {
        this(parse(config.local().agents().orElse(List.of()), config.local().agentCommand().filter(c -> !c.isBlank()).isPresent()),
                path(config.local().agentPath().orElse(List.of())), sandbox);
    }

    /** The presets, the agents' PATH and the sandbox they run in, as given. */
    public LocalAgents(List<AgentPreset> enabled, String agentPath, Sandbox sandbox) {
        this.enabled = List.copyOf(enabled);
        this.agentPath = agentPath;
        this.sandbox = sandbox;
    }

    private static String path(List<String> front) {
        String gatewayPath = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
        List<String> dirs = front.stream().map(String::strip).filter(p -> p.startsWith("/")).toList();
        return dirs.isEmpty() ? gatewayPath : String.join(":", dirs) + ":" + gatewayPath;
    }

    /** HANDOFF_LOCAL_AGENTS as presets; unknown names are left out (and logged); none: custom or demo. */
    static List<AgentPreset> parse(List<String> names, boolean commandSet) {
        Set<AgentPreset> presets = new LinkedHashSet<>();
        for (String name : names) {
            if (name.isBlank()) {
                continue;
            }
            Optional<AgentPreset> preset = AgentPreset.named(name);
            if (preset.isPresent()) {
                presets.add(preset.get());
            } else {
                Log.warnf("HANDOFF_LOCAL_AGENTS names '%s', which is no agent preset (one of %s); it is left out",
                        name.strip(), AgentPreset.names());
            }
        }
        if (presets.isEmpty()) {
            presets.add(commandSet ? AgentPreset.CUSTOM : AgentPreset.DEMO);
        }
        return List.copyOf(presets);
    }

    public List<AgentPreset> enabled() {
        return enabled;
    }

    public List<String> names() {
        return enabled.stream().map(AgentPreset::id).toList();
    }

    /** The preset a workspace gets without choosing one. */
    public AgentPreset first() {
        return enabled.get(0);
    }

    /** The enabled preset of that name. */
    public Optional<AgentPreset> pick(String name) {
        return AgentPreset.named(name).filter(enabled::contains);
    }

    /** The PATH of every local agent: HANDOFF_LOCAL_AGENT_PATH in front of the gateway's own. */
    public String agentPath() {
        return agentPath;
    }

    /**
     * Why the preset's CLI cannot be run, if it cannot: its program is in none of the PATH's folders that the agent
     * sees (inside the sandbox, the system's folders and the operator's read paths).
     */
    public Optional<String> notInstalled(AgentPreset preset) {
        if (!preset.cli()) {
            return Optional.empty();
        }
        String program = preset.program().orElseThrow();
        for (String dir : agentPath.split(":")) {
            if (dir.isEmpty() || !dir.startsWith("/")) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (sandbox.shows(Path.of(dir)) && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.empty();
            }
        }
        return Optional.of("the " + preset.id() + " agent's command '" + program + "' is not installed where the agent can"
                + " run it (PATH " + agentPath + (sandbox.enabled() ? ", as the sandbox shows it" : "") + "); "
                + preset.npmPackage().map(p -> "the operator installs it with: npm install -g " + p)
                        .orElse("the operator installs it with: curl https://cursor.com/install -fsS | bash"));
    }

    /** Says at start which presets can run here, so that the operator knows before a run fails. */
    void onStart(@Observes StartupEvent startup) {
        List<String> usable = new ArrayList<>();
        for (AgentPreset preset : enabled) {
            Optional<String> problem = notInstalled(preset);
            if (problem.isPresent()) {
                Log.warnf("local agent preset %s is enabled but not usable: %s", preset.id(), problem.get());
            } else {
                usable.add(preset.id());
            }
        }
        Log.infof("local agent presets enabled: %s; usable: %s", names(),
                usable.isEmpty() ? "none" : usable.stream().collect(Collectors.joining(", ")));
    }
}
