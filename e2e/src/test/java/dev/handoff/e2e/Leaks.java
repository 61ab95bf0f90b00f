package dev.handoff.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where a secret of the e2e stack could leak, searched for named secrets ({@code description -> value}, test canaries):
 * any text, the services' logs, a pg_dump of every service database. Each answers what it found, in its surroundings.
 */
final class Leaks {

    private Leaks() {
    }

    /** Each secret found in {@code text}, as "<description> in <where>: ...<surroundings>...". */
    static List<String> search(Map<String, String> secrets, String where, String text) {
        List<String> found = new ArrayList<>();
        for (var secret : secrets.entrySet()) {
            int at = text.indexOf(secret.getValue());
            if (at >= 0) {
                int from = Math.max(0, at - 120);
                found.add(secret.getKey() + " in " + where + ": ..." + text.substring(from, Math.min(text.length(), at + 80))
                        .replace('\n', ' ') + "...");
            }
        }
        return found;
    }

    /** The secrets found in the logs of the stack (the four services', the web console's when it was built). */
    static List<String> inServiceLogs(E2eStack e2e, Map<String, String> secrets) throws IOException {
        List<Path> logs;
        try (Stream<Path> files = Files.list(e2e.logs())) {
            logs = files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
        List<String> names = logs.stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.containsAll(List.of("agent-run-service.log", "notification-service.log", "provider-gateway.log",
                "task-service.log")), "the four services' logs: " + logs);
        List<String> found = new ArrayList<>();
        long characters = 0;
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            characters += text.length();
            found.addAll(search(secrets, log.getFileName().toString(), text));
        }
        System.out.println("[secret hygiene] " + secrets.size() + " secrets searched in " + logs.size() + " logs ("
                + characters + " characters)");
        return found;
    }

    /** The secrets found in a plain SQL dump of each service database of the stack. */
    static List<String> inDatabaseDumps(E2eStack e2e, Map<String, String> secrets) throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        for (String database : e2e.databases().names()) {
            String text = pgDump(database);
            assertTrue(text.contains("CREATE TABLE"), "a real dump of " + database);
            System.out.println("[secret hygiene] pg_dump " + database + ": " + text.length() + " characters");
            found.addAll(search(secrets, "pg_dump " + database, text));
        }
        return found;
    }

    /** The plain SQL dump of a database; tried again while the shared server has no connection slot free. */
    private static String pgDump(String database) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            ProcessBuilder dump = new ProcessBuilder("pg_dump", "-h", "127.0.0.1", "-U", "handoff", database).redirectErrorStream(true);
            dump.environment().put("PGPASSWORD", "handoff");
            Process process = dump.start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean ok = process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
            if (ok) {
                return text;
            }
            if (!text.contains("remaining connection slots") || attempt >= 60) {
                throw new AssertionError("pg_dump " + database + ": " + text);
            }
            Thread.sleep(1000);
        }
    }
}
