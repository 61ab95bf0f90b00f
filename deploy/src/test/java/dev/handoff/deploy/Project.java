package dev.handoff.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where things are in the repository, and its version (both passed by the build, see deploy/pom.xml). */
final class Project {

    static final Path ROOT = Path.of(System.getProperty("handoff.root", "..")).toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("deploy/k8s");
    static final String VERSION = System.getProperty("handoff.version", "0.1.0-SNAPSHOT");
    static final List<String> OVERLAYS = List.of("dev", "prod");

    private Project() {
    }

    static Path overlay(String name) {
        return K8S.resolve("overlays").resolve(name);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
