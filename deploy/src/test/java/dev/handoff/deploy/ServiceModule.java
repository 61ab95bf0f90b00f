package dev.handoff.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A service as its own module configures it (src/main/resources/application.properties): the facts the
 * manifests must agree with. The four services own a database each; the web console owns none ({@code database}
 * is null).
 */
record ServiceModule(String module, int port, String database, Properties properties) {

    static final List<String> NAMES = List.of(
            "task-service", "agent-run-service", "provider-gateway", "notification-service");

    /** The browser UI (CONTRACT.md "Web console"): deployed like the services, without database or Kafka. */
    static final String CONSOLE = "web-console";

    /** Quarkus's port when quarkus.http.port is not set, and the console's port in CONTRACT.md. */
    static final int QUARKUS_DEFAULT_PORT = 8080;

    /** Every module that runs as a Deployment: the four services and the web console. */
    static final List<String> DEPLOYED = Stream.concat(NAMES.stream(), Stream.of(CONSOLE))
            .toList();

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)(?::([^}]*))?}");

    static List<ServiceModule> all() {
        return NAMES.stream().map(ServiceModule::read).toList();
    }

    /** The four services and the web console. */
    static List<ServiceModule> deployed() {
        return Stream.concat(all().stream(), Stream.of(console())).toList();
    }

    static ServiceModule named(String module) {
        return module.equals(CONSOLE) ? console() : read(module);
    }

    /**
     * The web console as its module configures it. The module is built in parallel with these manifests: until it
     * exists in the tree its settings are Quarkus's defaults (port 8080, as CONTRACT.md says), and once it does, its
     * application.properties is what the manifests are checked against.
     */
    static ServiceModule console() {
        Path file = Project.ROOT.resolve(CONSOLE).resolve("src/main/resources/application.properties");
        Properties p = new Properties();
        if (Files.exists(file)) {
            try {
                p.load(new StringReader(Project.read(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String port = resolveDefaults(p.getProperty("quarkus.http.port", String.valueOf(QUARKUS_DEFAULT_PORT)));
        return new ServiceModule(CONSOLE, Integer.parseInt(port.trim()), null, p);
    }

    /** Whether the module's folder is in the tree (the web console's may not be yet, see {@link #console()}). */
    boolean exists() {
        return Files.isDirectory(Project.ROOT.resolve(module));
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
