-- Local agent presets (contract v2 "Local agent presets"): the workspace's chosen agent CLI and the hint of its own
-- git token (the token itself is in the secret store, like the agent key).
alter table agent_config add column agent text;
alter table agent_config add column git_token_hint text;

-- What a run cost, as its agent reported it, and the agent's session id, with which a follow-up resumes the session.
alter table provider_run add column usage_input_tokens  bigint;
alter table provider_run add column usage_output_tokens bigint;
alter table provider_run add column usage_cost_usd      double precision;
alter table provider_run add column usage_duration_ms   bigint;
alter table provider_run add column agent_session       text;
