-- The shared processed-event scheme (dev.handoff.idempotency): the Kafka events this service's consumers applied.
create table processed_events (
    event_id     uuid primary key,
    processed_at timestamptz not null default now()
);
create index processed_events_by_age on processed_events (processed_at);
