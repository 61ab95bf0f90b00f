package dev.handoff.run.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where the commands for the provider gateway go: the contract's topics. Only the test profile moves them, so that a
 * gateway under test elsewhere on the shared test broker does not act on this module's test runs.
 */
@ConfigMapping(prefix = "handoff.topics")
public interface CommandTopics {

    @WithDefault(dev.handoff.events.Topics.RUN_REQUESTED)
    String runRequested();

    @WithDefault(dev.handoff.events.Topics.RUN_CANCEL_REQUESTED)
    String runCancelRequested();
}
