package dev.handoff.deploy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The services' JVM images: Quarkus fast-jar layout, non-root, the configured port. Nothing is built here. */
class DockerfileTest {

    @Test
    void eachImageCopiesTheFastJarRunsAsNonRootAndExposesTheConfiguredPort() {
        for (ServiceModule service : ServiceModule.deployed()) {
            if (!service.exists()) {
                // the web console's module is built in parallel with its manifests; its Dockerfile is checked here
                // as soon as the module is in the tree
                System.err.println("handoff-deploy: no module " + service.module() + " in this tree, its Dockerfile is not checked");
                continue;
            }
            String dockerfile = Project.read(service.dockerfile());
            List<String> instructions = dockerfile.lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toList();
            String name = service.module() + "/Dockerfile.jvm: ";
            assertTrue(instructions.stream().anyMatch(l -> l.startsWith("ARG BASE_IMAGE=") && l.contains("openjdk-17-runtime")),
                    name + "a Java 17 runtime base image");
            for (String layer : List.of("lib/", "*.jar", "app/", "quarkus/")) {
                assertTrue(instructions.stream().anyMatch(l -> l.startsWith("COPY --chown=185 target/quarkus-app/" + layer)),
                        name + "copies target/quarkus-app/" + layer);
            }
            assertEquals(List.of(String.valueOf(service.port())), values(instructions, "EXPOSE"),
                    name + "EXPOSE is quarkus.http.port");
            List<String> users = values(instructions, "USER");
            assertEquals("185", users.get(users.size() - 1), name + "the last USER is the non-root 185");
            assertTrue(instructions.stream().anyMatch(l -> l.startsWith("ENV JAVA_APP_JAR=\"/deployments/quarkus-run.jar\"")),
                    name + "runs quarkus-run.jar");
            Matcher opts = Pattern.compile("ENV JAVA_OPTS_APPEND=\"([^\"]*)\"").matcher(dockerfile);
            assertTrue(opts.find(), name + "JAVA_OPTS_APPEND");
            assertTrue(opts.group(1).contains("-XX:MaxRAMPercentage="), name + "heap sized from the container limit");
            assertTrue(opts.group(1).contains("-Dquarkus.http.host=0.0.0.0"), name + "listens on all interfaces");
        }
    }

    private static List<String> values(List<String> instructions, String keyword) {
        return instructions.stream()
                .filter(l -> l.startsWith(keyword + " "))
                .map(l -> l.substring(keyword.length() + 1).strip())
                .toList();
    }
}
