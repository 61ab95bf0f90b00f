package dev.handoff.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Renders an overlay the way an operator would, with {@code kubectl kustomize <dir>}, and reads its multi-document
 * YAML output. Where kubectl is not on the PATH, a test that asks for a render is skipped (a JUnit assumption) with a
 * message that says so; tests that need no render still run.
 */
final class Render {

    /** A render of this repository's overlays takes well under a second; this only bounds a hung process. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    static final String KUBECTL_MISSING = "kubectl is not installed (not on the PATH): the deploy checks render the "
            + "overlays with `kubectl kustomize` and are skipped";

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, Manifests> CACHE = new ConcurrentHashMap<>();
    private static final AtomicBoolean TOLD = new AtomicBoolean();

    private Render() {
    }

    /** The rendered overlay {@code deploy/k8s/overlays/<name>}; skips the calling test where kubectl is missing. */
    static Manifests overlay(String name) {
        Optional<Path> kubectl = kubectl();
        if (kubectl.isEmpty() && TOLD.compareAndSet(false, true)) {
            System.err.println("handoff-deploy: " + KUBECTL_MISSING);
        }
        assumeTrue(kubectl.isPresent(), KUBECTL_MISSING);
        return CACHE.computeIfAbsent(name, n -> new Manifests(n, kustomize(kubectl.get(), Project.overlay(n))));
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

    /** Runs {@code kubectl kustomize dir}: its objects, or an exception with kubectl's error output. */
    static List<ObjectNode> kustomize(Path kubectl, Path dir) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("kubectl-kustomize", ".yaml");
            err = Files.createTempFile("kubectl-kustomize", ".err");
            // output to files, not pipes: a process blocked on a full pipe would only end at the timeout
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + dir + " did not finish within " + TIMEOUT.toSeconds() + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "): "
                        + Files.readString(err).strip());
            }
            return objects(Files.readString(out), "kubectl kustomize " + dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /** The documents of a multi-document YAML stream, each a mapping (empty documents are skipped). */
    static List<ObjectNode> objects(String yaml, String source) {
        try (JsonParser parser = YAML.getFactory().createParser(yaml);
             MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
            List<ObjectNode> objects = new ArrayList<>();
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                if (!doc.isObject()) {
                    throw new IllegalStateException(source + ": a document that is not a mapping: " + doc);
                }
                objects.add((ObjectNode) doc);
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": not YAML", e);
        }
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }
}
