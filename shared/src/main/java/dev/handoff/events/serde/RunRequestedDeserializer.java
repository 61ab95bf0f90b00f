package dev.handoff.events.serde;

import dev.handoff.events.RunRequested;

public class RunRequestedDeserializer extends EventDeserializer<RunRequested> {

    public RunRequestedDeserializer() {
        super(RunRequested.class);
    }
}
