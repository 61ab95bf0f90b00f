-- Issue 20: a finished run's request (which holds the brief) is forgotten after handoff.gateway.request-retention;
-- this index finds those still holding one.
create index provider_run_request_purge on provider_run (updated_at)
    where request is not null and status in ('COMPLETED', 'FAILED', 'CANCELLED');
