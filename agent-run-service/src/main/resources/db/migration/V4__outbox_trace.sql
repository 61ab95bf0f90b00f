-- The W3C trace context of the change that wrote each event (dev.handoff.outbox.TraceContext): the relay publishes
-- the event in that trace, so a launch and everything it causes share one trace id. Null when there was none.
alter table outbox add column traceparent text;
alter table outbox add column tracestate text;
