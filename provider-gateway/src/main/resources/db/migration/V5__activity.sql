-- Where each run's activity (handoff.run-activity) stands: the last seq handed out (entries are numbered from 1
-- without gaps, also across restarts: a Cursor run is polled by whichever replica claims it), how many of the agent's
-- own entries were published (HANDOFF_ACTIVITY_MAX_ENTRIES) and whether the one `truncated` entry was.
create table run_activity (
    run_id        uuid primary key,
    last_seq      bigint      not null,
    agent_entries bigint      not null,
    truncated     boolean     not null,
    updated_at    timestamptz not null
);

-- The provider's messages already published as entries (Cursor's conversation is polled again and again).
create table run_activity_message (
    run_id     uuid not null,
    message_id text not null,
    primary key (run_id, message_id)
);
