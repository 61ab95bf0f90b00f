-- One counter per workspace. Taking its row lock in the insert transaction serialises the writers of a workspace,
-- so within a workspace the sequence order is the commit order: a reader that has seen sequence n never sees a
-- lower one appear later. Rows are never deleted: a sequence is never reused, even after every event aged out.
create table workspace_sequence (
    workspace_id  varchar(64) primary key,
    last_sequence bigint      not null
);

create table run_event (
    workspace_id varchar(64)  not null,
    sequence     bigint       not null,
    event_id     uuid         not null,
    task_id      uuid,
    run_id       uuid         not null,
    event_type   varchar(64)  not null,
    payload      text         not null,
    occurred_at  timestamptz,
    created_at   timestamptz  not null default now(),
    primary key (workspace_id, sequence),
    constraint run_event_event_id_unique unique (event_id)
);

create index run_event_task_idx on run_event (workspace_id, task_id, sequence);
create index run_event_run_idx on run_event (workspace_id, run_id, sequence);
create index run_event_created_at_idx on run_event (created_at);
