package dev.handoff.events.serde;

import dev.handoff.events.RunCancelRequested;

public class RunCancelRequestedDeserializer extends EventDeserializer<RunCancelRequested> {

    public RunCancelRequestedDeserializer() {
        super(RunCancelRequested.class);
    }
}
