package dev.handoff.events.serde;

import dev.handoff.events.RunStatusChanged;

public class RunStatusChangedDeserializer extends EventDeserializer<RunStatusChanged> {

    public RunStatusChangedDeserializer() {
        super(RunStatusChanged.class);
    }
}
