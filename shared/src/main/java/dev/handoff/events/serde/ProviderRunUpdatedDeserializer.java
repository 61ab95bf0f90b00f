package dev.handoff.events.serde;

import dev.handoff.events.ProviderRunUpdated;

public class ProviderRunUpdatedDeserializer extends EventDeserializer<ProviderRunUpdated> {

    public ProviderRunUpdatedDeserializer() {
        super(ProviderRunUpdated.class);
    }
}
