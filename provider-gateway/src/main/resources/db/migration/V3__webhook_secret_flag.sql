-- Whether the run has a webhook secret in the secret store; it is destroyed a day after the run finished (late
-- redeliveries of Cursor's webhook are still verified until then).
alter table provider_run add column webhook_secret boolean not null default false;
create index provider_run_webhook_secret on provider_run (updated_at) where webhook_secret;
