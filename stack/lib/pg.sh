# shellcheck shell=bash
# A private PostgreSQL 15 cluster in the run dir for askar's postgres storage
# (sourced after common.sh). initdb refuses root, so the cluster runs as the
# 'postgres' system user (or MEDLOAD_PG_USER).

PG_DIR="$STACK_DIR/pg"
PG_DATA="$PG_DIR/data"
PG_LOG="$STACK_DIR/logs/postgres.log"
PG_OS_USER="${MEDLOAD_PG_USER:-postgres}"
PG_ROLE="medload"

# Print the directory holding PostgreSQL's server binaries.
pg_bindir() {
	local d
	for d in "${MEDLOAD_PG_BINDIR:-}" /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		[[ -n "$d" && -x "$d/pg_ctl" && -x "$d/initdb" ]] && {
			printf '%s\n' "$d"
			return 0
		}
	done
	return 1
}

# Run a command as the cluster's OS user.
pg_as() {
	if [[ "$(id -u)" == 0 ]]; then
		runuser -u "$PG_OS_USER" -- "$@"
	else
		"$@"
	fi
}

pg_running() {
	local bin
	bin="$(pg_bindir)" || return 1
	[[ -f "$PG_DATA/postmaster.pid" ]] && pg_as "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# Initialise (once) and start the cluster on 127.0.0.1:$PG_PORT.
pg_start() {
	local bin
	bin="$(pg_bindir)" || die "PostgreSQL server binaries not found (apt-get install postgresql-15)"
	if [[ "$(id -u)" == 0 ]] && ! id "$PG_OS_USER" >/dev/null 2>&1; then
		die "OS user '$PG_OS_USER' for PostgreSQL does not exist (set MEDLOAD_PG_USER)"
	fi
	mkdir -p "$PG_DIR" "$STACK_DIR/logs"
	secret_file "$STACK_DIR/secrets/pg-password"
	if [[ "$(id -u)" == 0 ]]; then
		chown "$PG_OS_USER" "$PG_DIR"
		touch "$PG_LOG" && chown "$PG_OS_USER" "$PG_LOG"
	fi
	if pg_running; then
		log "postgres already running (port $PG_PORT)"
		return 0
	fi
	if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
		local pwfile="$PG_DIR/.pwfile"
		(umask 077 && cat "$STACK_DIR/secrets/pg-password" >"$pwfile")
		[[ "$(id -u)" == 0 ]] && chown "$PG_OS_USER" "$pwfile"
		pg_as "$bin/initdb" -D "$PG_DATA" -U "$PG_ROLE" --pwfile="$pwfile" \
			--auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 \
			>>"$PG_LOG" 2>&1 || die "initdb failed; see $PG_LOG"
		rm -f "$pwfile"
	fi
	port_in_use "$PG_PORT" && die "port $PG_PORT is taken; set MEDLOAD_PG_PORT"
	pg_as "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
		-o "-p $PG_PORT -h 127.0.0.1 -k $PG_DIR -c max_connections=300" start \
		>/dev/null || die "postgres did not start; see $PG_LOG"
	log "postgres running on 127.0.0.1:$PG_PORT (data $PG_DATA)"
}

pg_stop() {
	local bin
	bin="$(pg_bindir)" || return 0
	[[ -f "$PG_DATA/postmaster.pid" ]] || return 0
	pg_as "$bin/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

pg_status_line() {
	local pid=""
	if pg_running; then
		pid="$(head -n1 "$PG_DATA/postmaster.pid")"
		printf '%-14s running  pid=%-8s postgres://127.0.0.1:%s\n' postgres "$pid" "$PG_PORT"
	elif [[ -d "$PG_DATA" ]]; then
		printf '%-14s stopped\n' postgres
	fi
}
