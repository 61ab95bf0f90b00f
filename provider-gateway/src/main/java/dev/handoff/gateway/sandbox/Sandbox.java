package dev.handoff.gateway.sandbox;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Confines a local agent with bubblewrap: its own mount, PID, network, IPC, UTS and user namespaces, no capabilities,
 * the system's programs read-only, its worktree read-write, a private home and /tmp, its prompt read-only, and
 * nothing else of the machine. Outbound traffic goes through the run's {@link EgressProxy}, reached over a Unix socket
 * bound into the sandbox and bridged to 127.0.0.1:{@value #PROXY_PORT} inside by socat. The sandbox's pid 1 dies
 * with bubblewrap, and bubblewrap with the gateway, so killing bubblewrap ends every process of the run.
 */
@ApplicationScoped
public class Sandbox {

    /** Where the agent finds its worktree, home, prompt and proxy inside the sandbox. */
    public static final String WORKTREE = "/workspace";
    public static final String HOME = "/home/agent";
    public static final String PROMPT = "/run/handoff/prompt.md";
    /** Where a script the operator's settings name (the bundled demo agent) is shown, read-only. */
    public static final String AGENT_SCRIPT = "/run/handoff/agent.sh";
    /** Where the objects of the workspace's mirror, which the agent's git borrows, are shown read-only. */
    public static final String MIRROR_OBJECTS = "/run/handoff/mirror-objects";
    static final String PROXY_SOCKET = "/run/handoff/proxy.sock";
    static final int PROXY_PORT = 3128;

    /** Directories of the system's programs and libraries (symbolic links on merged-/usr systems are kept as links). */
    private static final List<String> SYSTEM_DIRS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");
    /** The few files of /etc that programs need to run, resolve names and check TLS certificates; no credentials. */
    private static final List<String> ETC = List.of("/etc/alternatives", "/etc/ca-certificates", "/etc/ca-certificates.conf",
            "/etc/ssl", "/etc/pki", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/resolv.conf",
            "/etc/localtime", "/etc/timezone", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/mime.types",
            "/etc/protocols", "/etc/services", "/etc/os-release", "/etc/java-17-openjdk", "/etc/xdg");
    private static final Set<String> PROXY_VARIABLES = Set.of("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
            "https_proxy", "all_proxy");

    private final boolean enabled;
    private final boolean network;
    private final Set<Integer> loopbackPorts;
    private final String bwrap;
    private final String socat;
    private final List<String> readPaths;
    private volatile boolean checked;

    public Sandbox(SandboxConfig config) {
        this.enabled = !"off".equalsIgnoreCase(config.mode().strip());
        this.network = !"none".equalsIgnoreCase(config.network().strip());
        this.loopbackPorts = Set.copyOf(config.loopbackPorts().orElse(List.of()));
        this.bwrap = config.bwrap().strip();
        this.socat = config.socat().strip();
        this.readPaths = config.readPaths().orElse(List.of()).stream().map(String::strip).filter(p -> p.startsWith("/")).toList();
    }

    void onStart(@Observes StartupEvent startup) {
        if (!enabled) {
            Log.warn("HANDOFF_LOCAL_SANDBOX=off: local agents run UNCONFINED, with the gateway's user, files and network;"
                    + " every run records it");
            return;
        }
        Optional<String> problem = problem();
        if (problem.isPresent()) {
            Log.warnf("the local agent sandbox is not usable, so local runs will fail with sandbox-unavailable: %s", problem.get());
        } else {
            Log.infof("local agents run sandboxed with bubblewrap (network: %s)", network ? "through the egress proxy" : "none");
        }
    }

    /** False only when the operator turned the sandbox off. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Why the sandbox cannot be used now, if it cannot: bubblewrap (or socat, with a network) missing, or a sandboxed
     * {@code true} failing. A success is remembered; a failure is checked again at the next run.
     */
    public Optional<String> problem() {
        if (checked) {
            return Optional.empty();
        }
        Optional<Path> bwrapPath = executable(bwrap);
        if (bwrapPath.isEmpty()) {
            return Optional.of("bubblewrap (" + bwrap + ") is not installed; on Debian: apt-get install -y bubblewrap");
        }
        if (network && executable(socat).isEmpty()) {
            return Optional.of("socat (" + socat + ") is not installed; on Debian: apt-get install -y socat"
                    + " (or HANDOFF_LOCAL_SANDBOX_NETWORK=none)");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("handoff-sandbox-check");
            Path worktree = Files.createDirectory(dir.resolve("repo"));
            Path prompt = Files.writeString(dir.resolve("prompt.md"), "check");
            Path log = dir.resolve("log");
            List<String> argv = argv(worktree, prompt, null, "test -r " + PROMPT + " && touch ok"
                    + (network ? " && test -x " + socatPath() : ""));
            Process check = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!check.waitFor(20, TimeUnit.SECONDS)) {
                check.destroyForcibly();
                return Optional.of("a sandboxed 'true' did not finish within 20 s");
            }
            if (check.exitValue() != 0 || !Files.exists(worktree.resolve("ok"))) {
                String output = Files.readString(log, StandardCharsets.UTF_8).strip();
                return Optional.of("bubblewrap cannot start a sandbox here (exit " + check.exitValue() + "): "
                        + (output.length() > 300 ? output.substring(0, 300) : output));
            }
            checked = true;
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("bubblewrap could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking the sandbox");
        } finally {
            if (dir != null) {
                RunFiles.delete(dir);
            }
        }
    }

    /** What to start for one run: bubblewrap's command line and environment, and the proxy to close after it. */
    public record Launch(List<String> argv, Map<String, String> env, EgressProxy proxy) implements AutoCloseable {

        @Override
        public void close() {
            if (proxy != null) {
                proxy.close();
                try {
                    Files.deleteIfExists(proxy.socket().getParent());
                } catch (IOException ignored) {
                    // an empty folder in the temporary directory is harmless
                }
            }
        }
    }

    /**
     * Prepares a sandboxed run of {@code command} (run with bash -c in the worktree). {@code env} is the whole
     * environment the agent gets; its HOME and HANDOFF_PROMPT_FILE are replaced by the sandbox's, and the proxy
     * variables are added when the network is on. The environment reaches the agent through bubblewrap's own
     * environment, never its command line (which every user of the machine can read).
     */
    public Launch launch(String command, Path script, Path worktree, Path prompt, Map<String, String> env, String name)
            throws IOException {
        return launch(command, script, worktree, prompt, env, name, null);
    }

    /**
     * Like {@link #launch(String, Path, Path, Path, Map, String)}, with the objects folder of the workspace's mirror
     * (when not null) shown read-only at {@value #MIRROR_OBJECTS}: the agent's git reads them, and nothing the agent does
     * writes to them.
     */
    public Launch launch(String command, Path script, Path worktree, Path prompt, Map<String, String> env, String name,
            Path mirrorObjects) throws IOException {
        Map<String, String> inside = new HashMap<>(env);
        PROXY_VARIABLES.forEach(inside::remove);
        inside.put("HOME", HOME);
        inside.put("HANDOFF_PROMPT_FILE", PROMPT);
        EgressProxy proxy = null;
        if (network) {
            Path socketDir = Files.createTempDirectory("hsbx");
            proxy = EgressProxy.start(socketDir.resolve("p.sock"), loopbackPorts, name);
            String url = "http://127.0.0.1:" + PROXY_PORT;
            PROXY_VARIABLES.forEach(variable -> inside.put(variable, url));
        }
        List<String> argv = argv(worktree, prompt, proxy == null ? null : proxy.socket(), command);
        if (script != null) {
            argv.addAll(argv.indexOf("--remount-ro"), List.of("--ro-bind", script.toString(), AGENT_SCRIPT));
        }
        if (mirrorObjects != null) {
            argv.addAll(argv.indexOf("--remount-ro"), List.of("--ro-bind", mirrorObjects.toAbsolutePath().toString(),
                    MIRROR_OBJECTS));
        }
        return new Launch(argv, Map.copyOf(inside), proxy);
    }

    List<String> argv(Path worktree, Path prompt, Path proxySocket, String command) {
        List<String> argv = new ArrayList<>(List.of(executable(bwrap).map(Path::toString).orElse(bwrap),
                "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "handoff-agent"));
        for (String dir : SYSTEM_DIRS) {
            Path path = Path.of(dir);
            if (Files.isSymbolicLink(path)) {
                try {
                    argv.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), dir));
                } catch (IOException e) {
                    Log.debugf("reading the link %s: %s", dir, e.toString());
                }
            } else if (Files.isDirectory(path)) {
                argv.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        Set<String> readOnly = new LinkedHashSet<>(ETC);
        readOnly.addAll(readPaths);
        readOnly.forEach(path -> argv.addAll(List.of("--ro-bind-try", path, path)));
        argv.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", HOME,
                "--bind", worktree.toAbsolutePath().toString(), WORKTREE,
                "--ro-bind", prompt.toAbsolutePath().toString(), PROMPT));
        String script;
        if (proxySocket != null) {
            argv.addAll(List.of("--bind", proxySocket.toAbsolutePath().toString(), PROXY_SOCKET));
            // the bridge must listen before the agent's first request; bash's /dev/tcp tells when it does
            script = socatPath() + " TCP-LISTEN:" + PROXY_PORT + ",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:" + PROXY_SOCKET
                    + " </dev/null >/dev/null 2>&1 &\n"
                    + "for i in $(seq 500); do (: > /dev/tcp/127.0.0.1/" + PROXY_PORT + ") 2>/dev/null && break; sleep 0.01; done\n"
                    + "exec /bin/bash -c \"$1\"";
        } else {
            script = "exec /bin/bash -c \"$1\"";
        }
        argv.addAll(List.of("--remount-ro", "/", "--chdir", WORKTREE, "--", "/bin/bash", "-c", script, "handoff-agent", command));
        return argv;
    }

    /**
     * Whether the agent sees {@code path} (read-only) inside the sandbox: the system's folders and the operator's read
     * paths; everything when the sandbox is off.
     */
    public boolean shows(Path path) {
        if (!enabled) {
            return true;
        }
        Path normal = path.toAbsolutePath().normalize();
        return SYSTEM_DIRS.stream().anyMatch(dir -> normal.startsWith(dir))
                || readPaths.stream().anyMatch(dir -> normal.startsWith(Path.of(dir).normalize()));
    }

    private String socatPath() {
        return executable(socat).map(Path::toString).orElse(socat);
    }

    /** A program name looked up in PATH, or an absolute path, when it is an executable file. */
    static Optional<Path> executable(String program) {
        if (program.isEmpty()) {
            return Optional.empty();
        }
        if (program.contains("/")) {
            Path path = Path.of(program);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Sandbox[" + (enabled ? "on" : "off") + ", network " + (network ? "proxy" : "none").toLowerCase(Locale.ROOT) + "]";
    }
}
