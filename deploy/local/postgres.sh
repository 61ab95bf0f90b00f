#!/usr/bin/env bash
# PostgreSQL for the local stack and the tests: reuse the server on 127.0.0.1:5432 when one answers,
# otherwise install and start it the Debian way. Then make sure role `handoff` and the service databases exist.
#   postgres.sh ensure
source "$(dirname "$0")/lib.sh"

PGHOST=127.0.0.1
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
PGPORT=${HANDOFF_PG_PORT:-5432}
SUFFIX=${HANDOFF_DB_SUFFIX:-}
DATABASES="handoff_tasks$SUFFIX handoff_runs$SUFFIX handoff_gateway$SUFFIX handoff_notifications$SUFFIX"

# psql as a superuser: over TCP as postgres (trust on build machines), else through the local socket as the postgres OS user
as_superuser() {
  if psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -w -Atqc 'select 1' >/dev/null 2>&1; then
    psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -w -v ON_ERROR_STOP=1 -Atq "$@"
  elif command -v runuser >/dev/null && id postgres >/dev/null 2>&1; then
    runuser -u postgres -- psql -p "$PGPORT" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  else
    die "cannot reach PostgreSQL on $PGHOST:$PGPORT as a superuser (tried user postgres over TCP and the local socket)"
  fi
}

start_server() {
  if ! command -v pg_ctlcluster >/dev/null; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; run: sudo apt-get install -y postgresql"
    say "installing PostgreSQL from Debian's packages ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  [ -n "$version" ] || die "no PostgreSQL cluster under /etc/postgresql"
  say "starting PostgreSQL $version ..."
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>&1 || pg_ctlcluster "$version" main start >&2
  wait_port "$PGHOST" "$PGPORT" 30 "PostgreSQL"
  echo "$version" > "$HANDOFF_STATE/postgres-started-by-handoff"
}

# stops PostgreSQL only when this project started it
stop() {
  local marker="$HANDOFF_STATE/postgres-started-by-handoff"
  [ -f "$marker" ] || return 0
  pg_ctlcluster --skip-systemctl-redirect "$(cat "$marker")" main stop >&2 2>&1 || pg_ctlcluster "$(cat "$marker")" main stop >&2 || true
  rm -f "$marker"
}

ensure() {
  port_open "$PGHOST" "$PGPORT" || start_server
  command -v psql >/dev/null || die "psql is missing; run: apt-get install -y postgresql-client"
  as_superuser <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'handoff') THEN
    CREATE ROLE handoff LOGIN CREATEDB PASSWORD 'handoff';
  ELSE
    ALTER ROLE handoff LOGIN CREATEDB PASSWORD 'handoff';
  END IF;
END $$;
SQL
  local db
  for db in $DATABASES; do
    if [ "${HANDOFF_DB_FRESH:-0}" = 1 ]; then
      as_superuser -c "drop database if exists $db with (force)" >/dev/null
    fi
    if [ -z "$(as_superuser -c "select 1 from pg_database where datname = '$db'")" ]; then
      as_superuser -c "create database $db owner handoff" >/dev/null
    fi
  done
  say "PostgreSQL ready on $PGHOST:$PGPORT (role handoff; databases: $DATABASES)"
}

case "${1:-}" in
  ensure) ensure ;;
  stop) stop ;;
  *) die "usage: postgres.sh ensure | stop" ;;
esac
