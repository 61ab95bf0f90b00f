-- The workspace's cap on active runs is exact because its launches are serialised by a transaction-scoped advisory
-- lock, held from the count to the commit. Taking the lock and counting in one call saves the launch a round trip
-- while it holds the lock (issue 21). In READ COMMITTED each statement of a PL/pgSQL function takes a new snapshot,
-- so the count, run after the lock is granted, sees every run committed by the launch that held it before.
create or replace function lock_workspace_launches_and_count_active(workspace text) returns bigint
    language plpgsql volatile as $$
begin
    perform pg_advisory_xact_lock(hashtext('runs:' || workspace));
    return (select count(*) from runs where workspace_id = workspace and status in ('PENDING', 'RUNNING'));
end
$$;
