package dev.handoff.events.serde;

import dev.handoff.events.EventJson;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serializer;

/** Writes any event record (or an already serialised JSON string) as UTF-8 JSON. */
public class EventSerializer implements Serializer<Object> {

    @Override
    public byte[] serialize(String topic, Object data) {
        if (data == null) {
            return null;
        }
        String json = data instanceof String s ? s : EventJson.toJson(data);
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
