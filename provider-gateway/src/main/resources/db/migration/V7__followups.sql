-- Follow-ups of Cursor runs go to the same agent: its webhook (registered by the first run) and its later runs are
-- found by the agent's id.
create index provider_run_agent on provider_run (provider, workspace_id, provider_run_id, created_at desc)
    where provider_run_id is not null;
