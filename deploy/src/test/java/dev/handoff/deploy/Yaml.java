package dev.handoff.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading (multi-document) YAML into Jackson trees. */
final class Yaml {

    static final YAMLMapper MAPPER = new YAMLMapper(new YAMLFactory());

    private Yaml() {
    }

    static JsonNode readOne(Path file) {
        List<JsonNode> docs = readAllNodes(file);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(file + ": expected one YAML document, found " + docs.size());
        }
        return docs.get(0);
    }

    /** The Kubernetes objects of a file: every document that is a mapping (comment-only documents are skipped). */
    static List<ObjectNode> readAll(Path file) {
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode doc : readAllNodes(file)) {
            if (doc.isObject()) {
                objects.add((ObjectNode) doc);
            } else {
                throw new IllegalArgumentException(file + ": a document that is not a mapping: " + doc);
            }
        }
        return objects;
    }

    static List<JsonNode> readAllNodes(Path file) {
        try {
            return readAllNodes(Files.readString(file));
        } catch (IOException e) {
            throw Kustomize.io(e);
        }
    }

    static List<JsonNode> readAllNodes(String yaml) {
        try (JsonParser parser = MAPPER.getFactory().createParser(yaml);
             MappingIterator<JsonNode> it = MAPPER.readValues(parser, JsonNode.class)) {
            List<JsonNode> docs = new ArrayList<>();
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw Kustomize.io(e);
        }
    }
}
