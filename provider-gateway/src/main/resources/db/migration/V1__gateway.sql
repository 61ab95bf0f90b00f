-- A workspace's agent configuration. The API key itself is in the secret store, never here.
create table agent_config (
    workspace_id text primary key,
    provider     text        not null,
    enabled      boolean     not null,
    model        text,
    key_hint     text,
    verified_at  timestamptz,
    updated_at   timestamptz not null
);

-- The database secret store: AES-256-GCM envelope encryption. Each secret has its own random data key,
-- itself encrypted ("wrapped") with the key-encryption key from HANDOFF_SECRETS_KEY. Both blobs are nonce || ciphertext || tag.
create table secret (
    name        text primary key,
    kek_id      text        not null,
    wrapped_key bytea       not null,
    ciphertext  bytea       not null,
    updated_at  timestamptz not null
);

-- One row per run the gateway was asked to launch: what was launched, where it is, who watches it.
create table provider_run (
    run_id           uuid primary key,
    workspace_id     text        not null,
    provider         text        not null,
    status           text        not null,
    provider_status  text,
    provider_run_id  text,
    provider_url     text,
    repository_url   text,
    branch           text,
    target_branch    text,
    pull_request_url text,
    summary          text,
    error_code       text,
    error_message    text,
    cancel_requested boolean     not null default false,
    -- the replica working on the run (local agent, Cursor poller) and until when its claim holds
    owner            text,
    lease_until      timestamptz,
    next_poll_at     timestamptz,
    poll_failures    integer     not null default 0,
    created_at       timestamptz not null,
    updated_at       timestamptz not null
);
create index provider_run_active on provider_run (provider, lease_until) where status in ('PENDING', 'RUNNING');

-- Pull requests the local provider opened on repositories with no forge API.
create table pull_request (
    id             uuid primary key,
    workspace_id   text        not null,
    run_id         uuid        not null,
    repository_url text        not null,
    base           text        not null,
    head           text        not null,
    title          text        not null,
    body           text        not null,
    commits        text        not null,
    diff_stat      text        not null,
    diff           text        not null,
    created_at     timestamptz not null
);
create index pull_request_run on pull_request (run_id);

-- Transactional outbox: an event is written with the state change it reports and sent after the commit.
create table outbox (
    id          bigserial primary key,
    topic       text        not null,
    message_key text        not null,
    event_type  text        not null,
    event_id    uuid        not null,
    payload     text        not null,
    created_at  timestamptz not null default now(),
    sent_at     timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;

-- Cursor webhook deliveries already applied (redeliveries are answered 2xx and change nothing).
create table webhook_delivery (
    run_id      uuid        not null,
    body_sha256 text        not null,
    received_at timestamptz not null,
    primary key (run_id, body_sha256)
);
