package dev.handoff.events.serde;

import dev.handoff.events.EventJson;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads one event type from JSON; a broken message throws, so the channel's failure strategy decides. */
public abstract class EventDeserializer<T> implements Deserializer<T> {

    private final Class<T> type;

    protected EventDeserializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        return EventJson.fromJson(data, type);
    }
}
