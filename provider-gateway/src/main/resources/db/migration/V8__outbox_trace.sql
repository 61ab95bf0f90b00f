-- The W3C trace context of the change that wrote each event (dev.handoff.outbox.TraceContext): the relay publishes
-- the event in that trace. Null when there was none.
alter table outbox add column traceparent text;
alter table outbox add column tracestate text;
-- The trace of the RunRequested that recorded the run: the provider's later updates (an agent's exit, a poll, a
-- webhook) happen outside it, and are published in it, so that the launch's trace reaches every status of the run.
alter table provider_run add column traceparent text;
alter table provider_run add column tracestate text;
