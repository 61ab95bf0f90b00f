package dev.handoff.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service as its own module configures it (src/main/resources/application.properties): the facts the
 * manifests must agree with.
 */
record ServiceModule(String module, int port, String database, Properties properties) {

    static final List<String> NAMES = List.of(
            "task-service", "agent-run-service", "provider-gateway", "notification-service");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)(?::([^}]*))?}");

    static List<ServiceModule> all() {
        return NAMES.stream().map(ServiceModule::read).toList();
    }

    static ServiceModule read(String module) {
        Path file = Project.ROOT.resolve(module).resolve("src/main/resources/application.properties");
        Properties p = new Properties();
        try {
            p.load(new StringReader(Project.read(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String port = resolveDefaults(required(p, "quarkus.http.port", file));
        String url = resolveDefaults(required(p, "quarkus.datasource.reactive.url", file));
        String database = url.substring(url.lastIndexOf('/') + 1).replaceFirst("\\?.*$", "");
        return new ServiceModule(module, Integer.parseInt(port.trim()), database, p);
    }

    Path dockerfile() {
        return Project.ROOT.resolve(module).resolve("src/main/docker/Dockerfile.jvm");
    }

    private static String required(Properties p, String key, Path file) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new AssertionError(file + " has no " + key);
        }
        return value;
    }

    /** {@code ${HANDOFF_X:default}} becomes its default: the value when the variable is not set. */
    static String resolveDefaults(String value) {
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Environment variables the properties use without a default: the service cannot start without them. */
    static List<String> requiredVariables(Properties p) {
        return p.stringPropertyNames().stream()
                .filter(k -> !k.startsWith("%"))
                .flatMap(k -> PLACEHOLDER.matcher(p.getProperty(k)).results())
                .filter(r -> r.group(2) == null && r.group(1).matches("[A-Z0-9_]+"))
                .map(r -> r.group(1))
                .distinct()
                .sorted()
                .toList();
    }
}
