package dev.handoff.e2e;

import dev.handoff.e2e.chaos.Databases;
import dev.handoff.testsupport.FakeCursorApi;
import dev.handoff.testsupport.TokenSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The one isolated stack every end-to-end test class of this JVM shares: the four services, Kafka and PostgreSQL as
 * separate processes started by {@code ./handoff up} on ports of their own (18081-18084, the web console on 18080 when
 * it is built, Kafka 19192, databases
 * {@code *_e2e}), plus a fake Cursor API in this JVM that the gateway is pointed at ({@code HANDOFF_CURSOR_BASE_URL}),
 * with webhooks addressed to the gateway ({@code HANDOFF_PUBLIC_URL}). Started on first use, stopped when the JVM
 * exits.
 */
public final class E2eStack {

    public static final int PORT_OFFSET = 10000;
    public static final String DB_SUFFIX = "_e2e";
    /** {@code HANDOFF_ACTIVITY_MAX_ENTRIES} of the stack: small, so that a flood is cut soon (ActivityEndToEndTest). */
    public static final int ACTIVITY_MAX_ENTRIES = 200;
    public static final String CURSOR_KEY = "key_e2e_cursor_" + UUID.randomUUID().toString().replace("-", "");

    private static E2eStack instance;

    private final Stack stack;
    private final FakeCursorApi cursor;
    private final OtlpReceiver traces;
    private final HandoffClient.Ports ports = HandoffClient.Ports.withOffset(PORT_OFFSET);
    private final Databases databases = new Databases(DB_SUFFIX);
    private TokenSigner jwt;

    private E2eStack() throws IOException {
        Path root = Stack.rootFromEnvironment();
        Path state = root.resolve(".handoff/e2e");
        cursor = FakeCursorApi.start(0, CURSOR_KEY);
        traces = OtlpReceiver.start();
        // the hostile agent is the gateway tests' own script, run here on the real stack (HostileAgentTest)
        Path hostileAgent = root.resolve("provider-gateway/src/test/resources/hostile-agent.sh");
        String agent = "bash " + root.resolve("e2e/src/test/resources/e2e-agent.sh") + " "
                + root.resolve("deploy/local/demo-agent.sh") + " " + hostileAgent;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HANDOFF_STATE", state.toString());
        env.put("HANDOFF_PORT_OFFSET", String.valueOf(PORT_OFFSET));
        env.put("HANDOFF_KAFKA_PORT", "19192");
        env.put("HANDOFF_DB_SUFFIX", DB_SUFFIX);
        env.put("HANDOFF_DB_FRESH", "1");
        env.put("HANDOFF_NO_BUILD", "1");
        env.put("HANDOFF_LOCAL_AGENT_COMMAND", agent);
        // the agent CLI presets, run by the gateway tests' stand-ins of the CLIs (AgentPresetsEndToEndTest); custom
        // first, so that a workspace that picks no agent gets the command above
        Path standIns = root.resolve("provider-gateway/src/test/resources/agent-cli");
        env.put("HANDOFF_LOCAL_AGENTS", "custom,claude-code,codex,gemini,cursor-agent,opencode");
        env.put("HANDOFF_LOCAL_AGENT_PATH", standIns.toString());
        // the agents run sandboxed: the test's agent scripts are the only files of this checkout they are shown
        env.put("HANDOFF_LOCAL_SANDBOX_READ_PATHS", root.resolve("e2e/src/test/resources") + "," + root.resolve("deploy/local")
                + "," + hostileAgent + "," + standIns);
        env.put("HANDOFF_CURSOR_BASE_URL", cursor.baseUrl());
        env.put("HANDOFF_PUBLIC_URL", "http://127.0.0.1:" + ports.gateway());
        env.put("HANDOFF_CURSOR_POLL_INTERVAL", "1s");
        env.put("HANDOFF_CURSOR_MAX_BACKOFF", "5s");
        env.put("HANDOFF_ACTIVITY_MAX_ENTRIES", String.valueOf(ACTIVITY_MAX_ENTRIES));
        // the build machine's PostgreSQL (100 connections) is shared with other suites: small pools for this stack
        env.put("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "8");
        // the services export their spans to a receiver in this JVM (TraceAndMetricsTest reads them)
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", traces.endpoint());
        env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        env.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "500ms");
        stack = new Stack(root, env);
        tryDown();
        deleteRecursively(state);
    }

    /** The shared stack, started on the first call. */
    public static synchronized E2eStack get() {
        if (instance == null) {
            try {
                E2eStack started = new E2eStack();
                Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "e2e-stack-down"));
                started.stack.up();
                started.jwt = TokenSigner.ofStack(started.stack.state());
                instance = started;
            } catch (IOException e) {
                throw new IllegalStateException("cannot prepare the e2e stack", e);
            }
        }
        return instance;
    }

    public Stack stack() {
        return stack;
    }

    public Path state() {
        return stack.state();
    }

    public Path logs() {
        return stack.state().resolve("logs");
    }


    public HandoffClient.Ports ports() {
        return ports;
    }

    public FakeCursorApi cursor() {
        return cursor;
    }

    /** The spans the services exported (OTLP/HTTP) since the stack started. */
    OtlpReceiver traces() {
        return traces;
    }

    public TokenSigner jwt() {
        return jwt;
    }

    public Databases databases() {
        return databases;
    }

    public HandoffClient client(String token) {
        return new HandoffClient(ports, token);
    }

    /** A workspace no other test uses. */
    public static String newWorkspace(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The sample repository under the stack's allowed repository root, as a file:// URL. */
    public String sampleRepository() {
        return SampleRepo.ensure(stack.state().resolve("repos"), "greeter");
    }

    public String tasks(String path) {
        return "http://127.0.0.1:" + ports.tasks() + path;
    }

    public String runs(String path) {
        return "http://127.0.0.1:" + ports.runs() + path;
    }

    public String gateway(String path) {
        return "http://127.0.0.1:" + ports.gateway() + path;
    }

    /** The web console's port ({@code ./handoff up} starts it beside the services when it is built). */
    public int consolePort() {
        return 8080 + PORT_OFFSET;
    }

    public String console(String path) {
        return "http://127.0.0.1:" + consolePort() + path;
    }

    public String notifications(String path) {
        return "http://127.0.0.1:" + ports.notifications() + path;
    }

    private void stop() {
        tryDown();
        cursor.close();
        traces.close();
    }

    private void tryDown() {
        try {
            stack.down();
        } catch (RuntimeException e) {
            System.err.println("stopping the e2e stack: " + e.getMessage());
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
