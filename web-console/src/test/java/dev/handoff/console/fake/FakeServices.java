package dev.handoff.console.fake;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Starts {@link FakeHandoff} before the console and points the console's four service URLs at it. */
public class FakeServices implements QuarkusTestResourceLifecycleManager {

    private static FakeHandoff fake;

    /** The running fakes (one per test JVM, shared by the test classes). */
    public static FakeHandoff fake() {
        return fake;
    }

    @Override
    public Map<String, String> start() {
        try {
            if (fake == null) {
                fake = new FakeHandoff();
                fake.start();
            }
        } catch (Exception e) {
            throw new IllegalStateException("the fake services did not start", e);
        }
        return Map.of(
                "handoff.tasks-url", "http://127.0.0.1:" + fake.tasksPort,
                "handoff.runs-url", "http://127.0.0.1:" + fake.runsPort,
                "handoff.gateway-url", "http://127.0.0.1:" + fake.gatewayPort,
                "handoff.notifications-url", "http://127.0.0.1:" + fake.notificationsPort);
    }

    @Override
    public void stop() {
        // kept for the next test class of this JVM; the JVM's exit ends it
    }
}
