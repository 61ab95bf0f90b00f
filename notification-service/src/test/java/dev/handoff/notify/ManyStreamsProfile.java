package dev.handoff.notify;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** One workspace with many more open streams than the default 50 a workspace may have (a load test's setup). */
public class ManyStreamsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("handoff.sse.max-per-workspace", "2000");
    }
}
