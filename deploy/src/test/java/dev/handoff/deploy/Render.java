package dev.handoff.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders an overlay the way an operator would: {@code kubectl kustomize} when kubectl is on the PATH, the
 * project's own {@link Kustomize} otherwise. {@code -Dhandoff.deploy.renderer=java|kubectl} forces one.
 */
final class Render {

    private static final Map<String, Manifests> CACHE = new ConcurrentHashMap<>();

    private Render() {
    }

    static Manifests overlay(String name) {
        return CACHE.computeIfAbsent(name, Render::render);
    }

    private static Manifests render(String name) {
        Path dir = Project.overlay(name);
        String choice = System.getProperty("handoff.deploy.renderer", "auto");
        Optional<Path> kubectl = kubectl();
        boolean useKubectl = switch (choice) {
            case "kubectl" -> {
                if (kubectl.isEmpty()) {
                    throw new IllegalStateException("-Dhandoff.deploy.renderer=kubectl but kubectl is not on the PATH");
                }
                yield true;
            }
            case "java" -> false;
            case "auto" -> kubectl.isPresent();
            default -> throw new IllegalStateException("handoff.deploy.renderer is auto, kubectl or java, not " + choice);
        };
        return useKubectl
                ? new Manifests(name, "kubectl kustomize", withKubectl(kubectl.get(), dir))
                : new Manifests(name, "Kustomize.java", Kustomize.build(dir));
    }

    static Optional<Path> kubectl() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String entry : path.split(File.pathSeparator)) {
            Path candidate = Path.of(entry, "kubectl");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static List<ObjectNode> withKubectl(Path kubectl, Path dir) {
        try {
            Path errors = Files.createTempFile("kubectl-kustomize", ".err");
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectError(errors.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + dir + " did not finish within 60 s");
            }
            String err = Files.readString(errors);
            Files.deleteIfExists(errors);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed (" + process.exitValue() + "): "
                        + err);
            }
            List<ObjectNode> objects = new ArrayList<>();
            for (JsonNode doc : Yaml.readAllNodes(new String(out, StandardCharsets.UTF_8))) {
                objects.add((ObjectNode) doc);
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
