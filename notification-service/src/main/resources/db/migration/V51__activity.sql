-- Run activity (issue 16): what the agent of a run is doing, kept HANDOFF_ACTIVITY_RETENTION (30 days).
-- A high version number: other migrations of this service may land in between.

-- The runs this service has heard of, and the workspace each belongs to: GET /api/activity answers 404 for a run
-- that is not here in the caller's workspace, and [] for one that is but has no activity yet. Filled by the trigger
-- below from every stored run event (status changes, pull requests, activity), so it needs no code of the consumers.
-- The first workspace seen for a run keeps it.
create table known_run (
    run_id       uuid         primary key,
    workspace_id varchar(64)  not null,
    task_id      uuid,
    -- the last event of the run stored here: the retention purge forgets runs not heard of for that long
    seen_at      timestamptz  not null default now()
);

create index known_run_seen_at_idx on known_run (seen_at);

-- the runs of the events stored before this migration are known too
insert into known_run (run_id, workspace_id, task_id, seen_at)
select distinct on (run_id) run_id, workspace_id, task_id, created_at
from run_event
order by run_id, created_at desc;

-- One row per stored batch of a run's entries (a RunActivity event holds up to 100), not one per entry, so a chatty
-- agent costs few rows. The consumer stores each entry (run, seq) once: it trims what is already stored and never
-- writes ranges that overlap, so a page is read from the first rows whose range ends after the cursor.
create table run_activity (
    run_id       uuid         not null,
    workspace_id varchar(64)  not null,
    first_seq    bigint       not null,
    last_seq     bigint       not null,
    -- [{seq, at, kind, text}] in seq order, seq within [first_seq, last_seq]
    entries      jsonb        not null,
    created_at   timestamptz  not null default now(),
    primary key (run_id, first_seq),
    constraint run_activity_range check (first_seq >= 1 and last_seq >= first_seq)
);

create index run_activity_last_seq_idx on run_activity (run_id, last_seq);
create index run_activity_created_at_idx on run_activity (created_at);

create function known_run_record() returns trigger language plpgsql as $$
begin
    insert into known_run as k (run_id, workspace_id, task_id, seen_at)
    values (new.run_id, new.workspace_id, new.task_id, now())
    on conflict (run_id) do update
        set seen_at = excluded.seen_at, task_id = coalesce(k.task_id, excluded.task_id)
        where k.workspace_id = excluded.workspace_id;
    return null;
end
$$;

create trigger run_event_known_run after insert on run_event
    for each row execute function known_run_record();
