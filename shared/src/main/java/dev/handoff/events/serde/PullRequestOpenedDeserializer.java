package dev.handoff.events.serde;

import dev.handoff.events.PullRequestOpened;

public class PullRequestOpenedDeserializer extends EventDeserializer<PullRequestOpened> {

    public PullRequestOpenedDeserializer() {
        super(PullRequestOpened.class);
    }
}
