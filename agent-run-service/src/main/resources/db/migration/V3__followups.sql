-- Follow-ups (contract v2): a run may continue an earlier run of its task on the same branch and pull request.
alter table runs add column follow_up_of uuid;
-- What the provider reported the run cost (ProviderRunUpdated.usage); each null when unknown.
alter table runs add column usage_duration_ms   bigint;
alter table runs add column usage_input_tokens  bigint;
alter table runs add column usage_output_tokens bigint;
alter table runs add column usage_cost_usd      double precision;
-- The pull request a chain of follow-ups shares: the newest run of the task on that branch that reported it.
create index runs_task_branch_pull_request on runs (task_id, target_branch, created_at desc)
    where pull_request_url is not null;
