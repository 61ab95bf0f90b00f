-- What a Cursor run was asked to do (the RunRequested event, no secrets in it), so that any replica can launch or
-- re-launch it, and when the launch call was last attempted (a run with an attempt but no agent id may have an agent
-- already: it is looked up by branch before launching again).
alter table provider_run add column request text;
alter table provider_run add column launch_attempted_at timestamptz;
