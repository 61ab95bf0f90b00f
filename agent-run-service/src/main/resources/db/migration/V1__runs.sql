-- The per-task aggregate: one row per task, optimistic-locked, naming the task's active run (or null).
create table task_runs (
    task_id       uuid primary key,
    workspace_id  varchar(64) not null,
    active_run_id uuid,
    version       bigint      not null
);

create table runs (
    id                      uuid primary key,
    workspace_id            varchar(64)   not null,
    task_id                 uuid          not null,
    task_title              varchar(200)  not null,
    status                  varchar(16)   not null,
    provider                varchar(16)   not null,
    repository_url          varchar(2048) not null,
    branch                  varchar(255)  not null,
    target_branch           varchar(255)  not null,
    requested_target_branch varchar(255),
    instructions            text,
    provider_run_id         varchar(255),
    provider_url            varchar(2048),
    pull_request_url        varchar(2048),
    pull_request_branch     varchar(255),
    summary                 text,
    error_code              varchar(100),
    error_message           text,
    created_at              timestamptz   not null,
    started_at              timestamptz,
    finished_at             timestamptz,
    updated_at              timestamptz   not null,
    status_version          bigint        not null,
    history                 text          not null,
    context                 text          not null,
    idempotency_key         varchar(255),
    request_hash            varchar(64),
    constraint runs_status_valid check (status in ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'))
);

-- The backstop of the one-active-run rule: whatever the code does, a task never has two active runs.
create unique index runs_one_active_per_task on runs (task_id) where status in ('PENDING', 'RUNNING');
create unique index runs_idempotency_key on runs (workspace_id, idempotency_key) where idempotency_key is not null;
create index runs_task_created on runs (task_id, created_at desc);
create index runs_workspace_status on runs (workspace_id, status, created_at desc);

-- Transactional outbox: written with the state change, published by the relay, marked sent on the broker's ack.
create table outbox (
    id          bigserial primary key,
    event_id    uuid         not null unique,
    run_id      uuid         not null,
    topic       varchar(100) not null,
    event_type  varchar(50)  not null,
    payload     text         not null,
    created_at  timestamptz  not null,
    sent_at     timestamptz
);
create index outbox_unsent on outbox (run_id, id) where sent_at is null;
create index outbox_sent_at on outbox (sent_at) where sent_at is not null;

-- Provider updates already applied (consumers are idempotent by eventId).
create table processed_events (
    event_id     uuid primary key,
    processed_at timestamptz not null
);
