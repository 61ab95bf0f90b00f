-- The shared outbox (dev.handoff.outbox), one table shape in every service: events keyed by their run (the relay
-- claims a run's oldest unsent event and sends its events in order; replicas share the work), and an event the
-- broker refuses for good is parked with its error instead of holding back the others.
alter table outbox add column run_id uuid;
update outbox set run_id = message_key::uuid;
alter table outbox alter column run_id set not null;
alter table outbox drop column message_key;
alter table outbox add column parked_at timestamptz;
alter table outbox add column error text;
alter table outbox add constraint outbox_event_id_unique unique (event_id);
drop index outbox_unsent;
create index outbox_unsent on outbox (run_id, id) where sent_at is null;
create index outbox_sent_at on outbox (sent_at) where sent_at is not null;
create index outbox_parked on outbox (run_id) where parked_at is not null;

-- The shared processed-event scheme (dev.handoff.idempotency): the Kafka events this service's consumers applied.
create table processed_events (
    event_id     uuid primary key,
    processed_at timestamptz not null default now()
);
create index processed_events_by_age on processed_events (processed_at);
