package dev.handoff.gateway.activity;

import dev.handoff.gateway.provider.ActivityKind;
import dev.handoff.gateway.provider.RunActivity;
import java.time.Duration;

/**
 * A run's activity that publishes nothing: for a run whose activity could not be opened (it still runs) and for
 * callers without a publisher. Its texts are still cleaned of what can be found without the run's secrets.
 */
public final class NoActivity implements RunActivity.Run {

    public static final NoActivity INSTANCE = new NoActivity();
    private static final Redactor GENERIC = Redactor.none();

    private NoActivity() {
    }

    @Override
    public void step(String text) {
    }

    @Override
    public void error(String text) {
    }

    @Override
    public void agent(ActivityKind kind, String text, long cutChars) {
    }

    @Override
    public String clean(String text, long cutChars) {
        return GENERIC.clean(text, cutChars);
    }

    @Override
    public boolean flush(Duration timeout) {
        return true;
    }

    @Override
    public void close() {
    }
}
