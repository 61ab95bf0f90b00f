package dev.handoff.testsupport;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The real Kafka broker the tests use. {@code ./handoff test} starts one fresh broker for the whole run and passes
 * it as {@code HANDOFF_TEST_KAFKA}; a test started any other way (an IDE, {@code mvn -pl}) starts it through the
 * same script.
 */
public final class KafkaBroker {

    public static final String ENV = "HANDOFF_TEST_KAFKA";
    private static final int TEST_PORT = 19092;
    private static String bootstrap;

    public static synchronized String bootstrapServers() {
        if (bootstrap == null) {
            String given = System.getenv(ENV) != null ? System.getenv(ENV) : System.getProperty(ENV);
            bootstrap = given != null && !given.isBlank() ? given : start();
        }
        return bootstrap;
    }

    private static String start() {
        try {
            Process process = new ProcessBuilder("bash", RepoRoot.find().resolve("deploy/local/kafka.sh").toString(),
                    "start", "test-kafka", String.valueOf(TEST_PORT))
                    .inheritIO()
                    .start();
            if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("could not start the test Kafka broker (deploy/local/kafka.sh)");
            }
            return "127.0.0.1:" + TEST_PORT;
        } catch (IOException e) {
            throw new IllegalStateException("could not start the test Kafka broker", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private KafkaBroker() {
    }
}
