-- The W3C trace context of the Kafka record each event was stored from: the SSE write, decoupled from the consumer
-- (LISTEN/NOTIFY, any replica), happens in a span of that trace. Null when the record carried none.
alter table run_event add column traceparent text;
alter table run_event add column tracestate text;
