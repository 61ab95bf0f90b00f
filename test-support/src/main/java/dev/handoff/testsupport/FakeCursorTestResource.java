package dev.handoff.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Runs a {@link FakeCursorApi} (accepting {@link FakeCursorApi#VALID_KEY}) for a Quarkus test and points the
 * service's Cursor base URL at it (init arg {@code property}, default {@code handoff.cursor.base-url}); a test field
 * marked {@link FakeCursorApi.Inject} receives the running fake.
 */
public class FakeCursorTestResource implements QuarkusTestResourceLifecycleManager {

    private FakeCursorApi fake;
    private String property = "handoff.cursor.base-url";

    @Override
    public void init(Map<String, String> initArgs) {
        property = initArgs.getOrDefault("property", property);
    }

    @Override
    public Map<String, String> start() {
        fake = FakeCursorApi.start(0, FakeCursorApi.VALID_KEY);
        return Map.of(property, fake.baseUrl());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(fake, new TestInjector.AnnotatedAndMatchesType(FakeCursorApi.Inject.class, FakeCursorApi.class));
    }

    @Override
    public void stop() {
        if (fake != null) {
            fake.close();
        }
    }
}
