package dev.handoff.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void localStackCreatesEveryContractTopicAndItsDeadLetterTopic() throws IOException {
        List<String> created = Files.readAllLines(Path.of("../deploy/local/topics.txt")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.trim().split("\\s+")[0])
                .sorted()
                .toList();
        assertEquals(Topics.allWithDeadLetters().stream().sorted().toList(), created);
    }
}
