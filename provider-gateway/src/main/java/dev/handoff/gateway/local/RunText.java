package dev.handoff.gateway.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small text helpers for what a local run reports: branch names, the tail of a log, URLs without credentials. */
final class RunText {

    private RunText() {
    }

    /** {@code https://user:token@host/x} -> {@code https://host/x}: a URL fit for a message. */
    static String redactUrl(String url) {
        return url == null ? null : url.replaceAll("(?<=://)[^/@\\s]*@", "");
    }

    /** The last lines of a file, at most {@code maxChars} characters. */
    static String tail(Path file, int maxLines, int maxChars) {
        if (file == null || !Files.isRegularFile(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int read = (int) Math.min(length, 64 * 1024);
            byte[] bytes = new byte[read];
            in.seek(length - read);
            in.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size())).strip();
            return tail.length() > maxChars ? tail.substring(tail.length() - maxChars) : tail;
        } catch (IOException e) {
            return "";
        }
    }

    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }
}
