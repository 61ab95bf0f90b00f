-- Every row carries the workspace it belongs to; every query of the service filters by it.

create table briefs (
    id           uuid primary key,
    workspace_id varchar(64)  not null,
    title        varchar(200) not null,
    content      text         not null,
    created_at   timestamptz  not null,
    updated_at   timestamptz  not null,
    -- tie-breaker for rows created in the same instant (an import creates many at once)
    seq          bigint generated always as identity
);
create index briefs_by_workspace on briefs (workspace_id, created_at desc, seq desc);

create table tasks (
    id           uuid primary key,
    workspace_id varchar(64)  not null,
    brief_id     uuid         not null references briefs (id) on delete cascade,
    title        varchar(200) not null,
    description  text         not null,
    created_at   timestamptz  not null,
    updated_at   timestamptz  not null,
    seq          bigint generated always as identity
);
create index tasks_by_brief on tasks (workspace_id, brief_id, created_at, seq);

create table acceptance_criteria (
    id           uuid primary key,
    workspace_id varchar(64) not null,
    task_id      uuid        not null references tasks (id) on delete cascade,
    position     integer     not null check (position >= 0),
    text         text        not null,
    -- deferred: replacing a task's list rewrites positions inside one transaction
    constraint acceptance_criteria_position unique (task_id, position) deferrable initially deferred
);
create index acceptance_criteria_by_task on acceptance_criteria (workspace_id, task_id, position);

create table subtasks (
    id           uuid primary key,
    workspace_id varchar(64)  not null,
    task_id      uuid         not null references tasks (id) on delete cascade,
    position     integer      not null check (position >= 0),
    title        varchar(200) not null,
    description  text         not null,
    constraint subtasks_position unique (task_id, position) deferrable initially deferred
);
create index subtasks_by_task on subtasks (workspace_id, task_id, position);

-- The projection of the run service's events: one row per run of a task; a task shows its latest run.
create table agent_runs (
    run_id           uuid primary key,
    workspace_id     varchar(64) not null,
    task_id          uuid        not null references tasks (id) on delete cascade,
    status           varchar(16),
    version          bigint,
    pull_request_url text,
    -- earliest occurredAt among the run's status events: the run's creation time once its PENDING event is seen
    first_event_at   timestamptz,
    updated_at       timestamptz not null
);
create index agent_runs_by_task on agent_runs (workspace_id, task_id);

-- Events already applied (idempotency by eventId); old rows are removed by a scheduled job.
create table processed_events (
    event_id     uuid primary key,
    workspace_id varchar(64) not null,
    processed_at timestamptz not null default now()
);
create index processed_events_by_age on processed_events (processed_at);
