-- The shared outbox (dev.handoff.outbox): an event the broker refuses for good (too large, not serializable) is
-- parked with its error instead of being retried every round ahead of everybody else's; its run is then failed.
alter table outbox add column parked_at timestamptz;
alter table outbox add column error text;
alter table outbox alter column created_at set default now();
create index outbox_parked on outbox (run_id) where parked_at is not null;

-- The shared processed-event scheme (dev.handoff.idempotency): one table shape in every service.
alter table processed_events alter column processed_at set default now();
create index processed_events_by_age on processed_events (processed_at);
