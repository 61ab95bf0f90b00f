-- The revision of a brief's and a task's own fields: every replacement adds one. GET answers it as the ETag, and a
-- PUT or DELETE with an If-Match that is no longer current is refused (412).
alter table briefs add column version bigint not null default 0;
alter table tasks add column version bigint not null default 0;
