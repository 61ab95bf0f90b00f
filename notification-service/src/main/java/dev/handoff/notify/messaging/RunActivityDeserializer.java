package dev.handoff.notify.messaging;

import dev.handoff.events.RunActivity;
import dev.handoff.events.serde.EventDeserializer;

/** Reads {@code handoff.run-activity} values (the shared serde module has no deserializer for this event yet). */
public class RunActivityDeserializer extends EventDeserializer<RunActivity> {

    public RunActivityDeserializer() {
        super(RunActivity.class);
    }
}
