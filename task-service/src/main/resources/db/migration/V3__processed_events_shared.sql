-- The shared processed-event scheme (dev.handoff.idempotency): one table shape in every service, the event id and
-- when it was applied; the workspace was never read.
alter table processed_events drop column workspace_id;
