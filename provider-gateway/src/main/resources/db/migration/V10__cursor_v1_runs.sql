-- Cursor API v1 (HANDOFF_CURSOR_API=v1): a Handoff run is one run of a Cursor agent (provider_run.provider_run_id
-- keeps the agent's id). Where the gateway stands in that run's event stream: the last event whose activity and
-- status were published (resumed with Last-Event-ID after a disconnect or a restart, on any replica), and whether the
-- stream expired (410 stream_expired), so that the run is polled instead.
create table cursor_run_stream (
    run_id        uuid primary key,
    agent_id      text        not null,
    cursor_run_id text        not null,
    last_event_id text,
    expired       boolean     not null default false,
    updated_at    timestamptz not null
);
