-- Outgoing webhooks (issue 19). A high version number: other migrations of this service may land in between.

create table webhook (
    id            uuid         primary key,
    workspace_id  varchar(64)  not null,
    url           text         not null,
    -- the SSE names of the events it wants: run.status-changed, run.pull-request-opened
    events        text[]       not null,
    format        varchar(16)  not null,
    -- the signing secret, AES-256-GCM sealed when a key is configured (secret_key_id says which key), else as is
    secret        bytea        not null,
    secret_key_id varchar(32),
    created_at    timestamptz  not null default now()
);

create index webhook_workspace_idx on webhook (workspace_id, created_at);

-- One row per event and webhook, created in the transaction that stores the event (the trigger below), so a
-- delivery is never lost, whatever happens to the process afterwards. A worker claims due rows with
-- FOR UPDATE SKIP LOCKED and a lease (leased_until), so with several replicas each attempt is made by one of them.
create table webhook_delivery (
    id               uuid         primary key,
    webhook_id       uuid         not null references webhook (id) on delete cascade,
    event_id         uuid         not null,
    event_type       varchar(64)  not null,
    run_id           uuid         not null,
    task_id          uuid,
    -- when the event happened and its sequence in its workspace: a run's events go to a webhook in this order
    occurred_at      timestamptz,
    sequence         bigint       not null,
    -- the event JSON, copied: a delivery may outlive the stored event
    payload          text         not null,
    status           varchar(16)  not null default 'retrying',
    attempts         int          not null default 0,
    next_attempt_at  timestamptz  not null default now(),
    leased_until     timestamptz,
    last_status_code int,
    last_error       text,
    created_at       timestamptz  not null default now(),
    delivered_at     timestamptz,
    constraint webhook_delivery_once unique (webhook_id, event_id),
    constraint webhook_delivery_status check (status in ('retrying', 'delivered', 'failed'))
);

create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at) where status = 'retrying';
create index webhook_delivery_run_idx on webhook_delivery (webhook_id, run_id, sequence) where status = 'retrying';
create index webhook_delivery_log_idx on webhook_delivery (webhook_id, created_at desc);
create index webhook_delivery_created_idx on webhook_delivery (created_at);

-- Enqueues an event for every webhook of its workspace that wants it, inside the inserting transaction: the event
-- and its deliveries commit together or not at all. A duplicate event is never inserted into run_event, so it
-- enqueues nothing twice (and the unique constraint would refuse it anyway).
create function webhook_enqueue() returns trigger language plpgsql as $$
declare
    name text := case new.event_type
        when 'RunStatusChanged' then 'run.status-changed'
        when 'PullRequestOpened' then 'run.pull-request-opened'
    end;
begin
    if name is null then
        return null;
    end if;
    insert into webhook_delivery (id, webhook_id, event_id, event_type, run_id, task_id, occurred_at, sequence, payload)
    select gen_random_uuid(), w.id, new.event_id, name, new.run_id, new.task_id, new.occurred_at, new.sequence,
           new.payload
    from webhook w
    where w.workspace_id = new.workspace_id and name = any (w.events)
    on conflict (webhook_id, event_id) do nothing;
    return null;
end
$$;

create trigger run_event_webhooks after insert on run_event
    for each row execute function webhook_enqueue();
