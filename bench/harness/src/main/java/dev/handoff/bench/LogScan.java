package dev.handoff.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the services logged at WARN and ERROR during each phase, counted by message (timestamps, threads, ids and
 * numbers blanked out), so that every error the load met has its cause next to the figures.
 */
final class LogScan {

    private static final Pattern LEVEL = Pattern.compile("^\\S+ (WARN|ERROR) ");
    private static final Pattern NOISE = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|bc_[0-9a-f]+|\\([^)]*thread[^)]*\\)|\\b\\d+\\b");

    private final Map<String, Path> logs;
    private final Map<String, Long> offsets = new HashMap<>();

    LogScan(Map<String, Path> logs) {
        this.logs = logs;
        logs.forEach((service, log) -> offsets.put(service, size(log)));
    }

    /** The WARN/ERROR lines written since the last scan: "service: LEVEL message" -> count. */
    Map<String, Integer> scan() {
        Map<String, Integer> counts = new TreeMap<>();
        for (var entry : logs.entrySet()) {
            Path log = entry.getValue();
            long from = offsets.getOrDefault(entry.getKey(), 0L);
            long size = size(log);
            if (size < from) {
                from = 0; // the log was started again (a restart)
            }
            if (size > from) {
                try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                    file.seek(from);
                    byte[] bytes = new byte[(int) Math.min(size - from, 64L << 20)];
                    file.readFully(bytes);
                    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                        var m = LEVEL.matcher(line);
                        if (m.find()) {
                            String message = NOISE.matcher(line.substring(m.end())).replaceAll("#");
                            message = message.length() > 220 ? message.substring(0, 220) + "..." : message;
                            counts.merge(entry.getKey() + ": " + m.group(1) + " " + message.trim(), 1, Integer::sum);
                        }
                    }
                } catch (IOException e) {
                    counts.merge(entry.getKey() + ": (log unreadable: " + e.getMessage() + ")", 1, Integer::sum);
                }
            }
            offsets.put(entry.getKey(), size);
        }
        return counts;
    }

    /** The most frequent entries first, at most {@code limit}. */
    static Map<String, Integer> top(Map<String, Integer> counts, int limit) {
        Map<String, Integer> top = new LinkedHashMap<>();
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(limit)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    private static long size(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    static Map<String, Path> of(Stack stack, List<String> services) {
        Map<String, Path> logs = new LinkedHashMap<>();
        services.forEach(s -> logs.put(s, stack.log(s)));
        return logs;
    }
}
