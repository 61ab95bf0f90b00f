package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.handoff.events.Topics;
import io.vertx.core.http.HttpMethod;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * 6. Agent start on a big repository (issue 21, target 5): a repository of {@code mirror-files} files and
 * {@code mirror-commits} commits, made with {@code git fast-import}, served over git's smart HTTP on loopback
 * ({@code git http-backend} behind a small HTTP server of the harness). Measured: RunRequested (its {@code occurredAt})
 * until the local agent's first printed line (its activity entry's {@code at}), for a workspace's first run on the
 * repository (a fresh workspace each time) and for its later runs; beside a bare {@code git clone} of it and a bare
 * {@code git worktree add} from a local mirror of it, alternating with the runs.
 */
final class MirrorPhase {

    static final String AGENT_LINE = "bench agent: started";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

    /** One product run: its start-to-first-line, and when each of the gateway's steps came (ms after RunRequested). */
    record Run(String runId, double firstLineMs, Map<String, Double> steps) {
    }

    record Result(int files, int commits, long packBytes, List<Double> gitClone, List<Double> worktreeAdd, List<Run> first,
            List<Run> later) {

        double firstRatio() {
            return Samples.median(first.stream().map(Run::firstLineMs).toList()) / Samples.median(gitClone);
        }

        double laterRatio() {
            return Samples.median(later.stream().map(Run::firstLineMs).toList()) / Samples.median(worktreeAdd);
        }

        List<Report.Goal> goals() {
            return List.of(
                    new Report.Goal("agent start, first run", "<= 1.2x a bare git clone of the repository", firstRatio() <= 1.2,
                            Report.f("median %s ms vs git clone %s ms = %sx (%d runs, %d clones)", ms(first.stream()
                                    .map(Run::firstLineMs).toList()), ms(gitClone), x(firstRatio()), first.size(), gitClone.size())),
                    new Report.Goal("agent start, later runs", "<= 1.5x a bare git worktree add from a local mirror",
                            laterRatio() <= 1.5, Report.f("median %s ms vs git worktree add %s ms = %sx (%d runs, %d adds)",
                                    ms(later.stream().map(Run::firstLineMs).toList()), ms(worktreeAdd), x(laterRatio()),
                                    later.size(), worktreeAdd.size())));
        }

        String markdown() {
            StringBuilder m = new StringBuilder("\n## 6. Agent start on a big repository\n\n");
            m.append(Report.f("A repository of %,d files and %,d commits (pack %.1f MiB, made with `git fast-import`), served "
                    + "by `git http-backend` over smart HTTP on loopback. RunRequested (its `occurredAt`) until the agent's first "
                    + "printed line (its activity entry's `at`), the local provider with its sandbox and workspace mirrors, "
                    + "beside the same work done by git alone, alternating with the runs.%n%n", files, commits,
                    packBytes / 1048576.0));
            m.append("| measurement | samples (ms) | median (ms) |\n|---|---|---|\n");
            m.append(Report.f("| first run of a workspace (mirror made) | %s | %s |%n", list(first.stream().map(Run::firstLineMs).toList()),
                    ms(first.stream().map(Run::firstLineMs).toList())));
            m.append(Report.f("| bare `git clone` over smart HTTP | %s | %s |%n", list(gitClone), ms(gitClone)));
            m.append(Report.f("| later run of the workspace (mirror fetched) | %s | %s |%n",
                    list(later.stream().map(Run::firstLineMs).toList()), ms(later.stream().map(Run::firstLineMs).toList())));
            m.append(Report.f("| bare `git worktree add` from a local mirror | %s | %s |%n", list(worktreeAdd), ms(worktreeAdd)));
            m.append("\nWhere a run's time went (ms after RunRequested when each of the gateway's steps was recorded):\n\n");
            for (Run run : first) {
                m.append(Report.f("- first run %s: %s%n", run.runId().substring(0, 8), run.steps()));
            }
            for (Run run : later) {
                m.append(Report.f("- later run %s: %s%n", run.runId().substring(0, 8), run.steps()));
            }
            return m.toString();
        }

        private static String ms(List<Double> values) {
            return Report.f("%.0f", Samples.median(values));
        }

        private static String x(double ratio) {
            return Report.f("%.2f", ratio);
        }

        private static String list(List<Double> values) {
            return String.join(", ", values.stream().map(v -> Report.f("%.0f", v)).toList());
        }
    }

    private MirrorPhase() {
    }

    static Result run(Ctx c) throws Exception {
        Path dir = Files.createDirectories(c.raw().resolve("big-repo"));
        int files = c.config().mirrorFiles();
        int commits = c.config().mirrorCommits();
        // made once per size (minutes on a busy machine), kept beside the bench's state, which each run starts afresh
        Path origin = c.config().root().resolve(".handoff/bench-repos/" + files + "x" + commits + "/big.git");
        if (!Files.exists(origin.resolveSibling("complete"))) {
            Ctx.log("mirror: making a repository of %d files and %d commits with git fast-import ...", files, commits);
            Proc.run(c.config().root(), "rm", "-rf", "--", origin.getParent().toString());
            makeRepository(origin, files, commits);
            Files.writeString(origin.resolveSibling("complete"), "");
        }
        long packBytes = packBytes(origin);
        HttpServer server = serve(origin.getParent(), c.config().mirrorPort(), c.config().root());
        // https (the run service accepts no plain http URL), with a certificate the gateway's git and ours trust
        String url = "https://127.0.0.1:" + c.config().mirrorPort() + "/big.git";
        Map<String, Map<String, JsonNode>> seen = new ConcurrentHashMap<>();
        try (var tail = dev.handoff.testsupport.KafkaProbe.tail(c.stack().kafka(), List.of(Topics.RUN_REQUESTED, Topics.RUN_ACTIVITY,
                Topics.RUN_STATUS_CHANGED), (record, polled) -> note(seen, record.topic(), record.value())).start()) {
            List<Double> clone = new ArrayList<>();
            List<Double> worktreeAdd = new ArrayList<>();
            List<Run> first = new ArrayList<>();
            List<Run> later = new ArrayList<>();
            String laterWorkspace = null;
            Product laterProduct = null;
            for (int i = 1; i <= c.config().mirrorFirstRuns(); i++) {
                clone.add(timed(dir, "git", "clone", "-q", url, dir.resolve("clone-" + i).toString()));
                delete(dir.resolve("clone-" + i));
                String workspace = "bench-mirror-" + i;
                Product product = Product.setUp(c, workspace);
                first.add(product.launch(c, url, seen));
                Ctx.log("mirror: first run %d: %.0f ms (git clone %.0f ms)", i, first.get(i - 1).firstLineMs(), clone.get(i - 1));
                if (laterProduct == null) {
                    laterWorkspace = workspace;
                    laterProduct = product;
                }
            }
            Path mirror = dir.resolve("mirror.git");
            timed(dir, "git", "clone", "-q", "--mirror", url, mirror.toString());
            for (int i = 1; i <= c.config().mirrorLaterRuns(); i++) {
                Path worktree = dir.resolve("worktree-" + i);
                worktreeAdd.add(timed(mirror, "git", "worktree", "add", "-q", "-b", "bench-" + i, worktree.toString(), "main"));
                Proc.run(mirror, "git", "worktree", "remove", "--force", worktree.toString());
                later.add(laterProduct.launch(c, url, seen));
                Ctx.log("mirror: later run %d of %s: %.0f ms (git worktree add %.0f ms)", i, laterWorkspace,
                        later.get(i - 1).firstLineMs(), worktreeAdd.get(i - 1));
            }
            return new Result(files, commits, packBytes, clone, worktreeAdd, first, later);
        } finally {
            server.stop(0);
        }
    }

    /** A workspace whose agent is the local one, with a brief to launch its tasks from. */
    private record Product(String workspace, Map<String, String> auth, Tasks tasks) {

        static Product setUp(Ctx c, String workspace) {
            Map<String, String> auth = Http.bearer(c.stack().token(workspace, true));
            Http.Reply config = c.http().call(HttpMethod.PUT, c.stack().gatewayPort(), "/api/agent-config", auth,
                    Http.json(Map.of("provider", "local", "enabled", true)));
            if (config.status() != 200) {
                throw new IllegalStateException("PUT /api/agent-config (local) answered " + config.status() + ": " + config.body());
            }
            Tasks tasks = Tasks.inNewBrief(c.http(), c.stack().tasksPort(), auth);
            tasks.ensure(10);
            return new Product(workspace, auth, tasks);
        }

        /** Launches a run on the repository and waits for its end; answers its time to the agent's first line. */
        Run launch(Ctx c, String url, Map<String, Map<String, JsonNode>> seen) throws InterruptedException {
            Http.Reply launched = c.http().call(HttpMethod.POST, c.stack().runsPort(), "/api/tasks/" + tasks.next() + "/runs", auth,
                    Http.json(Map.of("repositoryUrl", url, "branch", "main")));
            if (launched.status() != 201) {
                throw new IllegalStateException("the launch answered " + launched.status() + ": " + launched.body());
            }
            String runId = launched.json().path("id").asText();
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (!seen.getOrDefault(runId, Map.of()).containsKey("final")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("run " + runId + " did not end within " + RUN_TIMEOUT);
                }
                Thread.sleep(20);
            }
            Map<String, JsonNode> events = seen.get(runId);
            if (!"COMPLETED".equals(events.get("final").path("status").asText())) {
                throw new IllegalStateException("run " + runId + " ended " + events.get("final"));
            }
            Instant requested = Instant.parse(events.get("requested").path("occurredAt").asText());
            Map<String, Double> steps = new java.util.LinkedHashMap<>();
            Double firstLine = null;
            for (JsonNode entry : events.get("activity")) {
                double at = Duration.between(requested, Instant.parse(entry.path("at").asText())).toNanos() / 1e6;
                if ("step".equals(entry.path("kind").asText())) {
                    String text = entry.path("text").asText();
                    steps.put(text.length() > 60 ? text.substring(0, 60) + "..." : text, Math.rint(at));
                } else if (firstLine == null && entry.path("text").asText().contains(AGENT_LINE)) {
                    firstLine = at;
                }
            }
            if (firstLine == null) {
                throw new IllegalStateException("run " + runId + ": no line '" + AGENT_LINE + "' in its activity " + events.get("activity"));
            }
            return new Run(runId, firstLine, steps);
        }
    }

    /** Keeps what the phase needs of each run's events: RunRequested, its activity entries (in order), its final status. */
    private static void note(Map<String, Map<String, JsonNode>> seen, String topic, String value) {
        try {
            JsonNode event = Http.JSON.readTree(value);
            String runId = event.path("runId").asText();
            Map<String, JsonNode> run = seen.computeIfAbsent(runId, id -> new ConcurrentHashMap<>());
            switch (topic) {
                case Topics.RUN_REQUESTED -> run.putIfAbsent("requested", event);
                case Topics.RUN_ACTIVITY -> {
                    synchronized (run) {
                        com.fasterxml.jackson.databind.node.ArrayNode all = (com.fasterxml.jackson.databind.node.ArrayNode) run
                                .computeIfAbsent("activity", k -> Http.JSON.createArrayNode());
                        event.path("entries").forEach(all::add);
                    }
                }
                default -> {
                    String status = event.path("status").asText();
                    if (List.of("COMPLETED", "FAILED", "CANCELLED").contains(status)) {
                        run.putIfAbsent("final", event);
                    }
                }
            }
        } catch (IOException ignored) {
            // not an event of ours
        }
    }

    /** The repository, from a generated fast-import stream: a first commit with every file, then small changes. */
    static void makeRepository(Path bare, int files, int commits) throws IOException, InterruptedException {
        Files.createDirectories(bare.getParent());
        timed(bare.getParent(), "git", "init", "-q", "--bare", "-b", "main", bare.toString());
        Process importer = new ProcessBuilder("git", "--git-dir=" + bare, "fast-import", "--quiet")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        java.util.Random random = new java.util.Random(42);
        try (OutputStream out = new BufferedOutputStream(importer.getOutputStream(), 1 << 20)) {
            for (int n = 1; n <= commits; n++) {
                StringBuilder commit = new StringBuilder();
                String message = n == 1 ? "The whole tree" : "Change " + n;
                commit.append("commit refs/heads/main\ncommitter Bench <bench@handoff.invalid> ").append(1_700_000_000L + n * 60L)
                        .append(" +0000\n");
                data(commit, message);
                write(out, commit);
                int changed = n == 1 ? files : 1 + random.nextInt(10);
                for (int k = 0; k < changed; k++) {
                    int file = n == 1 ? k : random.nextInt(files);
                    StringBuilder change = new StringBuilder("M 100644 inline ").append(path(file)).append('\n');
                    data(change, content(file, n, random));
                    write(out, change);
                }
                out.write('\n');
            }
        }
        if (!importer.waitFor(10, TimeUnit.MINUTES) || importer.exitValue() != 0) {
            throw new IllegalStateException("git fast-import failed");
        }
    }

    private static String path(int file) {
        return Report.f("src/module-%03d/pkg-%02d/File%05d.java", file / 400, file / 40 % 10, file);
    }

    private static String content(int file, int version, java.util.Random random) {
        StringBuilder text = new StringBuilder(Report.f("// file %d, version %d%nclass File%05d {%n", file, version, file));
        for (int line = 0; line < 12; line++) {
            text.append("    long value").append(line).append(" = ").append(random.nextLong()).append("L;\n");
        }
        return text.append("}\n").toString();
    }

    private static void data(StringBuilder out, String text) {
        out.append("data ").append(text.getBytes(StandardCharsets.UTF_8).length).append('\n').append(text).append('\n');
    }

    private static void write(OutputStream out, StringBuilder text) throws IOException {
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static long packBytes(Path bare) throws IOException {
        try (var packs = Files.list(bare.resolve("objects/pack"))) {
            long total = 0;
            for (Path pack : packs.filter(p -> p.toString().endsWith(".pack")).toList()) {
                total += Files.size(pack);
            }
            return total;
        }
    }

    /**
     * The certificate of the loopback git server (made once with openssl, for 127.0.0.1): the bench stack's gateway
     * trusts it through {@code GIT_SSL_CAINFO}, handed to its git with {@code HANDOFF_LOCAL_AGENT_ENV}.
     */
    static Path certificate(Path root) {
        Path dir = root.resolve(".handoff/bench-repos/tls");
        Path cert = dir.resolve("cert.pem");
        if (!Files.exists(dir.resolve("server.p12"))) {
            try {
                Files.createDirectories(dir);
                run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                        "-days", "3650", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1");
                run(dir, "openssl", "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-out", "server.p12",
                        "-passout", "pass:bench");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("making the git server's certificate", e);
            }
        }
        return cert;
    }

    /** Git's smart HTTP on loopback: each request runs {@code git http-backend} (CGI) on the folder of repositories. */
    static HttpServer serve(Path root, int port, Path handoffRoot) throws Exception {
        Path cert = certificate(handoffRoot);
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(cert.resolveSibling("server.p12"))) {
            keys.load(in, "bench".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory managers = javax.net.ssl.KeyManagerFactory.getInstance("SunX509");
        managers.init(keys, "bench".toCharArray());
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            try {
                backend(root, exchange);
            } catch (IOException | RuntimeException e) {
                Ctx.log("mirror: the git server failed a request: %s", e);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    private static void backend(Path root, HttpExchange exchange) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
        Map<String, String> env = builder.environment();
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getPath());
        env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
        env.put("REMOTE_ADDR", "127.0.0.1");
        putHeader(env, exchange, "Content-Type", "CONTENT_TYPE");
        putHeader(env, exchange, "Content-Length", "CONTENT_LENGTH");
        putHeader(env, exchange, "Content-Encoding", "HTTP_CONTENT_ENCODING");
        putHeader(env, exchange, "Git-Protocol", "GIT_PROTOCOL");
        Process cgi = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread body = new Thread(() -> {
            try (OutputStream in = cgi.getOutputStream(); InputStream request = exchange.getRequestBody()) {
                request.transferTo(in);
            } catch (IOException ignored) {
                // the backend stopped reading: it answers with an error
            }
        }, "git-http-request");
        body.start();
        InputStream out = cgi.getInputStream();
        int status = 200;
        Map<String, String> headers = new HashMap<>();
        String line;
        while (!(line = headerLine(out)).isEmpty()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                headers.put(name, value);
            }
        }
        headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(status, 0);
        try (OutputStream response = exchange.getResponseBody()) {
            out.transferTo(response);
        }
    }

    private static void putHeader(Map<String, String> env, HttpExchange exchange, String header, String variable) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
            env.put(variable, value);
        }
    }

    private static String headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Runs a command to its end; answers how long it took in ms (fails when it fails). */
    private static double timed(Path dir, String... command) throws IOException, InterruptedException {
        long start = System.nanoTime();
        run(dir, command);
        return (System.nanoTime() - start) / 1e6;
    }

    /** Runs a command to its end (git trusting the loopback server's certificate); fails when it fails. */
    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Path cert = dir.getFileSystem().getPath(System.getenv().getOrDefault("HANDOFF_ROOT", "."), ".handoff/bench-repos/tls/cert.pem");
        builder.environment().put("GIT_SSL_CAINFO", cert.toAbsolutePath().normalize().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static void delete(Path dir) {
        Proc.run(dir.getParent(), "rm", "-rf", "--", dir.toString());
    }
}
