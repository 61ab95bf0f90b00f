package dev.handoff.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * With {@code --profile}: a Java Flight Recording (JFR's "default" settings, execution samples every 20 ms) of each
 * service during a phase, started and stopped with {@code jcmd}, then summarised: which libraries the services'
 * CPU samples were in (a sample counts for every area on its stack, "inclusive"; and once for the innermost area,
 * "self") and the Handoff methods most often on the stack.
 */
final class Profiler {

    /** Areas of code, by class-name prefix; the first that matches wins. */
    private static final String[][] AREAS = {
        {"JWT verification (smallrye-jwt, jose4j, RSA)", "io.smallrye.jwt", "org.jose4j", "sun.security.rsa", "java.math.BigInteger"},
        {"Hibernate ORM / Reactive", "org.hibernate.reactive", "org.hibernate"},
        {"Kafka clients, SmallRye messaging", "org.apache.kafka", "io.smallrye.reactive.messaging"},
        {"Jackson", "com.fasterxml.jackson"},
        {"Reactive PostgreSQL client", "io.vertx.pgclient", "io.vertx.sqlclient"},
        {"REST client (calls to other services)", "org.jboss.resteasy.reactive.client", "io.quarkus.rest.client"},
        {"REST server (RESTEasy Reactive)", "org.jboss.resteasy.reactive", "io.quarkus.resteasy.reactive"},
        {"Fault tolerance", "io.smallrye.faulttolerance"},
        {"Crypto (AES-GCM, HMAC, SHA)", "com.sun.crypto", "javax.crypto", "sun.security", "java.security"},
        {"Logging", "org.jboss.logmanager", "org.jboss.logging"},
        {"Handoff code", "dev.handoff"},
        {"Mutiny", "io.smallrye.mutiny"},
        {"Vert.x, Netty", "io.vertx", "io.netty"},
    };

    /** One service's recording during one phase. */
    record Profile(String service, String phase, int samples, Map<String, Double> inclusive, Map<String, Double> self,
            Map<String, Double> handoffMethods, String error) {
    }

    private final boolean enabled;
    private final Path dir;
    private final List<Profile> profiles = new ArrayList<>();

    Profiler(boolean enabled, Path dir) {
        this.enabled = enabled;
        this.dir = dir;
    }

    boolean enabled() {
        return enabled;
    }

    List<Profile> profiles() {
        return profiles;
    }

    void start(String phase, Map<String, Long> pids) {
        if (!enabled) {
            return;
        }
        pids.forEach((service, pid) -> Proc.run(Path.of("/"), "jcmd", String.valueOf(pid), "JFR.start", "name=" + name(phase),
                "settings=default"));
    }

    void stop(String phase, Map<String, Long> pids) {
        if (!enabled) {
            return;
        }
        pids.forEach((service, pid) -> {
            Path file = dir.resolve(service + "-" + name(phase) + ".jfr");
            Proc.run(Path.of("/"), "jcmd", String.valueOf(pid), "JFR.stop", "name=" + name(phase), "filename=" + file);
            profiles.add(analyse(service, phase, file));
        });
    }

    private static String name(String phase) {
        return "bench-" + phase.replaceAll("[^a-zA-Z0-9]+", "-");
    }

    static Profile analyse(String service, String phase, Path file) {
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> methods = new HashMap<>();
        int samples = 0;
        try {
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = event.getStackTrace().getFrames();
                Set<String> areas = new HashSet<>();
                String innermost = null;
                Set<String> handoff = new HashSet<>();
                for (RecordedFrame frame : frames) {
                    String type = frame.getMethod().getType().getName();
                    String area = area(type);
                    if (area != null) {
                        areas.add(area);
                        if (innermost == null) {
                            innermost = area;
                        }
                    }
                    String simple = type.substring(type.lastIndexOf('.') + 1);
                    if (type.startsWith("dev.handoff") && !Character.isDigit(simple.charAt(0)) && !simple.contains("$quarkusrestinvoker$")
                            && !simple.contains("SmallRyeMessagingInvoker") && !frame.getMethod().getName().contains("$$superforward")) {
                        handoff.add(type.substring(type.lastIndexOf('.') + 1).replaceAll("_Subclass|_ClientProxy", "") + "."
                                + frame.getMethod().getName().replaceAll("lambda\\$(\\w+)\\$\\d+", "$1 (lambda)"));
                    }
                }
                areas.forEach(a -> inclusive.merge(a, 1, Integer::sum));
                self.merge(innermost == null ? "JDK and other" : innermost, 1, Integer::sum);
                handoff.forEach(h -> methods.merge(h, 1, Integer::sum));
            }
        } catch (Exception e) {
            return new Profile(service, phase, samples, Map.of(), Map.of(), Map.of(), e.toString());
        }
        return new Profile(service, phase, samples, shares(inclusive, samples, 14), shares(self, samples, 14), shares(methods, samples, 10), null);
    }

    private static String area(String type) {
        for (String[] area : AREAS) {
            for (int i = 1; i < area.length; i++) {
                if (type.startsWith(area[i])) {
                    return area[0];
                }
            }
        }
        return null;
    }

    private static Map<String, Double> shares(Map<String, Integer> counts, int total, int limit) {
        Map<String, Double> shares = new LinkedHashMap<>();
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(limit)
                .forEach(e -> shares.put(e.getKey(), 100.0 * e.getValue() / Math.max(1, total)));
        return shares;
    }
}
