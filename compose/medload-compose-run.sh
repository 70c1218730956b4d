#!/bin/sh
# medload-compose-run: the medload container's entry point (compose and the
# Kubernetes Job). Waits for the agents, picks the run id and shard, then
# execs `medload run` with the seed's environment (MEDIATOR_INVITATION_URL,
# STEP_TIME, STEP_LOAD, SPAWN_RATE, TIME_LIMIT, LOCUST_HOST), writing the
# run's folder to /reports/<run-id>/ (one shard) or, shard I of N,
# /reports/<run-id>/shard-<I>/ (I from 1: JOB_COMPLETION_INDEX + 1).
#
#   medload-compose-run [MEDLOAD RUN OPTIONS...]
#   medload-compose-run --new-run-id     write a fresh run id to MEDLOAD_RUN_ID_FILE
#   medload-compose-run --dry-run ...    print the medload command instead of running it
#
# Env: MEDLOAD_RUN_ID, MEDLOAD_RUN_ID_FILE, MEDLOAD_SHARD_INDEX (else
# JOB_COMPLETION_INDEX, else 0), MEDLOAD_SHARDS (1), MEDIATOR_ADMIN_URL,
# MEDIATOR_ADMIN_API_KEY_FILE, MEDLOAD_WAIT_TIMEOUT (300 s), MEDLOAD_REPORTS
# (/reports), MEDLOAD_EXTRA_ARGS, MEDLOAD_BIN (medload); when set,
# MEDLOAD_SCENARIO -> --scenario (edge and http do not wait for LOCUST_HOST),
# MEDLOAD_EDGE_WS -> --edge-ws, MEDLOAD_EDGE_TASK -> --edge-task,
# MEDLOAD_STAGES -> --stages, MEDLOAD_CONNECTIONS -> --connections.
set -eu

reports=${MEDLOAD_REPORTS:-/reports}
say() { printf 'medload-compose-run: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

new_id() { printf 'compose-%s\n' "$(date -u +%Y%m%dT%H%M%SZ)"; }

if [ "${1:-}" = --new-run-id ]; then
	f=${MEDLOAD_RUN_ID_FILE:?MEDLOAD_RUN_ID_FILE is not set}
	id=${MEDLOAD_RUN_ID:-$(new_id)}
	mkdir -p "$(dirname "$f")"
	printf '%s\n' "$id" >"$f.tmp.$$" && mv "$f.tmp.$$" "$f"
	say "run id $id -> $f"
	exit 0
fi
dry=0
if [ "${1:-}" = --dry-run ]; then dry=1; shift; fi

# Run id: given, else the shared file (shards), else a time stamp.
id=${MEDLOAD_RUN_ID:-}
if [ -z "$id" ] && [ -n "${MEDLOAD_RUN_ID_FILE:-}" ] && [ -s "$MEDLOAD_RUN_ID_FILE" ]; then
	id=$(head -n 1 "$MEDLOAD_RUN_ID_FILE")
fi
[ -n "$id" ] || id=$(new_id)
case $id in */* | .* | *[!A-Za-z0-9._:-]*) die "run id '$id': use letters, digits and . _ : -" ;; esac

# Shard: I/N, I from 0 (Kubernetes indexed Jobs give JOB_COMPLETION_INDEX).
n=${MEDLOAD_SHARDS:-1}
i=${MEDLOAD_SHARD_INDEX:-${JOB_COMPLETION_INDEX:-0}}
case "$i$n" in *[!0-9]*) die "shard '$i/$n' is not numeric" ;; esac
[ "$i" -lt "$n" ] || die "shard index $i is not below the shard count $n"

# Wait for the agents' /status/ready (compose also orders this with
# healthchecks; Kubernetes does not).
admin_key_file=${MEDIATOR_ADMIN_API_KEY_FILE:-}
wait_ready() { # URL [KEYFILE]
	deadline=$(($(date +%s) + ${MEDLOAD_WAIT_TIMEOUT:-300}))
	while :; do
		if [ -n "${2:-}" ] && [ -r "$2" ]; then
			curl -fsS -o /dev/null --max-time 5 -H "x-api-key: $(cat "$2")" "$1" 2>/dev/null && return 0
		else
			curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null && return 0
		fi
		[ "$(date +%s)" -lt "$deadline" ] || die "$1 not ready after ${MEDLOAD_WAIT_TIMEOUT:-300}s"
		sleep 2
	done
}

# --shard needs --run-id and counts from 1 (JOB_COMPLETION_INDEX from 0);
# medload writes to OUT_DIR/<run-id>/shard-<I>/, or OUT_DIR/<run-id>/ for
# a plain run (one shard).
if [ "$n" -gt 1 ]; then
	set -- run --run-id "$id" --shard "$((i + 1))/$n" --out-dir "$reports" "$@"
	dir=$reports/$id/shard-$((i + 1))
else
	set -- run --run-id "$id" --out-dir "$reports" "$@"
	dir=$reports/$id
fi
if [ -n "${MEDIATOR_INVITATION_URL:-}" ]; then
	: # medload reads MEDIATOR_INVITATION_URL itself
else
	unset MEDIATOR_INVITATION_URL
	[ -n "${MEDIATOR_ADMIN_URL:-}" ] || die "set MEDIATOR_INVITATION_URL or MEDIATOR_ADMIN_URL"
	set -- "$@" --mediator-admin-url "$MEDIATOR_ADMIN_URL"
	if [ -n "$admin_key_file" ]; then
		[ "$dry" = 1 ] || [ -r "$admin_key_file" ] || die "admin API key file $admin_key_file is not readable"
		set -- "$@" --mediator-admin-api-key-file "$admin_key_file"
	fi
fi
if [ "$n" = 1 ] && [ -n "${MEDLOAD_REPORT_ES_URL:-}" ]; then
	# One shard: the run's own report from the traces Logstash stored.
	set -- "$@" --report "$reports/$id/report" --es "$MEDLOAD_REPORT_ES_URL" \
	    --index "${MEDLOAD_REPORT_ES_INDEX:-logs-generic-default}" --user elastic \
	    --report-wait 5s
fi
# The scenario and load shape past the seed's variables (empty: medload's
# defaults); one argument each, whatever the value holds.
[ -z "${MEDLOAD_SCENARIO:-}" ] || set -- "$@" --scenario "$MEDLOAD_SCENARIO"
[ -z "${MEDLOAD_EDGE_WS:-}" ] || set -- "$@" --edge-ws "$MEDLOAD_EDGE_WS"
[ -z "${MEDLOAD_EDGE_TASK:-}" ] || set -- "$@" --edge-task "$MEDLOAD_EDGE_TASK"
[ -z "${MEDLOAD_STAGES:-}" ] || set -- "$@" --stages "$MEDLOAD_STAGES"
[ -z "${MEDLOAD_CONNECTIONS:-}" ] || set -- "$@" --connections "$MEDLOAD_CONNECTIONS"
# shellcheck disable=SC2086 # word splitting of the extra options is wanted
set -- "$@" ${MEDLOAD_EXTRA_ARGS:-}

if [ "$dry" = 1 ]; then
	printf '%s\n' "${MEDLOAD_BIN:-medload} $*"
	exit 0
fi
if [ -n "${MEDIATOR_ADMIN_URL:-}" ] && [ -z "${MEDIATOR_INVITATION_URL:-}" ]; then
	wait_ready "${MEDIATOR_ADMIN_URL%/}/status/ready" "$admin_key_file"
fi
# edge agents talk to the mediator alone; http GETs --url
case ${MEDLOAD_SCENARIO:-} in
edge | http) ;;
*) wait_ready "${LOCUST_HOST:-http://multi-agent:9014}/status/ready" ;;
esac
say "run $id shard $((i + 1))/$n -> $dir"
exec "${MEDLOAD_BIN:-medload}" "$@"
