package dev.handoff.notify.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code handoff_webhook_deliveries_total{result}}: one count per attempt outcome (delivered, retrying, failed). */
@Startup // so that the three series show (at 0) before the first delivery
@ApplicationScoped
public class WebhookMetrics {

    private final Counter delivered;
    private final Counter retrying;
    private final Counter failed;

    public WebhookMetrics(MeterRegistry registry) {
        delivered = counter(registry, "delivered");
        retrying = counter(registry, "retrying");
        failed = counter(registry, "failed");
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder("handoff.webhook.deliveries").tag("result", result)
                .description("Webhook delivery attempts by outcome: delivered, retrying (failed, will retry), failed (given up)")
                .register(registry);
    }

    public void delivered() {
        delivered.increment();
    }

    /** An attempt failed; {@code status} is what the delivery is now: retrying or failed. */
    public void attemptFailed(String status) {
        ("failed".equals(status) ? failed : retrying).increment();
    }
}
