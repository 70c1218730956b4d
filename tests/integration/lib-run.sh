# shellcheck shell=bash
# Helpers for the `medload run` integration tests (sourced; not executable).
# shellcheck source=tests/integration/lib-stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
MEDLOAD="$MEDLOAD_REPO/medload"
[[ -x "$MEDLOAD" ]] || fail "no medload binary at $MEDLOAD (make first)"

# A scratch directory removed at exit.
RUN_TMP="$(mktemp -d)"
trap 'rm -rf "$RUN_TMP"' EXIT

# The multi-agent's API key file when it has one.
admin_key_args() {
	if [[ -n "${MEDLOAD_MULTI_ADMIN_API_KEY_FILE:-}" ]]; then
		printf '%s\n' --admin-api-key-file "$MEDLOAD_MULTI_ADMIN_API_KEY_FILE"
	fi
}

# check_counts DIR: the journal's request lines equal the results' counts,
# and the CSV files add up: medload_stats.csv's Aggregated row is the
# requests' total, medload_waits.csv's the waits', results.json's "total"
# both (a wait that times out is a failure like any other).
check_counts() {
	local dir="$1" jr rs rt rq rw
	jr="$(grep -c '^R' "$dir/journal.tsv")"
	rs="$(jq '[.stats[].count] | add' "$dir/results.json")"
	rt="$(jq '.total.count' "$dir/results.json")"
	rq="$(jq '.total_requests.count' "$dir/results.json")"
	rw="$(jq '.total_waits.count' "$dir/results.json")"
	[[ "$jr" == "$rs" ]] || fail "journal has $jr request lines, results.json counts $rs"
	[[ "$jr" == "$rt" ]] || fail "journal has $jr requests and waits, results.json total $rt"
	[[ "$((rq + rw))" == "$rt" ]] || fail "results.json: total_requests $rq + total_waits $rw != total $rt"
	# each CSV's Aggregated row is its own total, and the sum of its rows
	local f want agg sum
	for f in stats:$rq waits:$rw; do
		want="${f#*:}"
		f="$dir/medload_${f%%:*}.csv"
		agg="$(awk -F, '$2 == "Aggregated" {print $3}' "$f")"
		sum="$(awk -F, 'NR > 1 && $2 != "Aggregated" {n += $3} END {print n + 0}' "$f")"
		[[ "$agg" == "$want" ]] || fail "$f Aggregated count $agg, results.json $want"
		[[ "$sum" == "$want" ]] || fail "$f rows add up to $sum, results.json $want"
	done
	grep -q '^WAIT,' "$dir/medload_stats.csv" && fail "medload_stats.csv holds WAIT rows"
	true
}

# count DIR METHOD NAME [FIELD]: a per-name field from results.json.
stat_of() {
	jq -r --arg m "$2" --arg n "$3" --arg f "${4:-count}" \
		'[.stats[] | select(.method == $m and .name == $n) | .[$f]] | first // 0' "$1/results.json"
}

# check_target_series DIR STEP_TIME STEP_LOAD TIME_LIMIT: the per-second
# target users follow (floor(t / STEP_TIME) + 1) * STEP_LOAD.
check_target_series() {
	local dir="$1" st="$2" sl="$3" tl="$4" bad
	bad="$(jq -r --argjson st "$st" --argjson sl "$sl" --argjson tl "$tl" \
		'.series[] | select(.t < $tl - 1) | select(.target_users != (((.t / $st) | floor) + 1) * $sl) | .t' \
		"$dir/results.json" | head -n 3)"
	[[ -z "$bad" ]] || fail "target users off the step formula at seconds: $bad"
	local n
	n="$(jq '.series | length' "$dir/results.json")"
	((n >= tl - 1)) || fail "only $n seconds in the series, want about $tl"
}

# Secrets must not appear in anything the run wrote.
check_no_secrets() {
	local dir="$1" f key
	grep -rq 'Bearer' "$dir" && fail "a Bearer token appears in $dir"
	for f in "${MEDLOAD_MULTI_ADMIN_API_KEY_FILE:-}" "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE"; do
		[[ -n "$f" ]] || continue
		key="$(cat "$f")"
		grep -rqF "$key" "$dir" && fail "an API key appears in $dir"
	done
	return 0
}

# A port for medload's collector: MEDLOAD_TEST_COLLECT_PORT, else a free one.
collect_port() {
	if [[ -n "${MEDLOAD_TEST_COLLECT_PORT:-}" ]]; then
		printf '%s\n' "$MEDLOAD_TEST_COLLECT_PORT"
	else
		python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
	fi
}

# agents_trace_to_medload PORT RELEASE: restarts the agents tracing over
# HTTP to 127.0.0.1:PORT, where a `medload run --collect` will listen. The
# agents need a live trace sink to start: a collector stands in meanwhile.
# (TRACE_SINK_PID while it runs; restore_agents stops it).
TRACE_SINK_PID=""
agents_trace_to_medload() {
	local port="$1" rel="$2"
	"$MEDLOAD" collect --listen "127.0.0.1:$port" -o "$RUN_TMP/startup.ndjson" 2>/dev/null &
	TRACE_SINK_PID=$!
	for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/_status" && break; sleep 0.1; done
	"$STACK/agents" stop >/dev/null 2>&1 || true
	"$STACK/up" --acapy "$rel" --trace-to "http://127.0.0.1:$port/" >"$RUN_TMP/up.log" 2>&1 ||
		fail "agents tracing to medload did not start: $(tail -3 "$RUN_TMP/up.log")"
	kill "$TRACE_SINK_PID"
	wait "$TRACE_SINK_PID" 2>/dev/null || true
	TRACE_SINK_PID=""
}

# restore_agents: the agents as the runner started them (its stack/up
# arguments), after a test restarted them its own way.
restore_agents() {
	[[ -n "$TRACE_SINK_PID" ]] && kill "$TRACE_SINK_PID" 2>/dev/null
	"$STACK/agents" stop >/dev/null 2>&1 || true
	# shellcheck disable=SC2086 # the runner's stack/up arguments
	"$STACK/up" ${MEDLOAD_TEST_UP_ARGS:---acapy ${MEDLOAD_TEST_ACAPY:-seed}} >"$RUN_TMP/restore.log" 2>&1 ||
		echo "could not restore the stack: $(tail -n 1 "$RUN_TMP/restore.log")" >&2
}

# agents_trace_here: the agents of $MEDLOAD_TEST_ACAPY restarted to trace
# to a free port (COLLECT_PORT, for the test's `run --collect`), restored
# and the scratch directory removed at exit; the stack's settings reloaded.
COLLECT_PORT=""
agents_trace_here() {
	COLLECT_PORT="$(collect_port)"
	trap 'restore_agents; rm -rf "$RUN_TMP"' EXIT
	agents_trace_to_medload "$COLLECT_PORT" "${MEDLOAD_TEST_ACAPY:-seed}"
	load_stack_env
}

# edge_sessions_run RID ARGS...: medload run --scenario edge with sessions
# and agents in pairs (--edge-ws, --edge-task peer) on the stack's
# mediator (its ws endpoint, or EDGE_WS_URL), an invitation created on its
# admin API with the stack's protocol (unless ARGS give --invitation-url),
# results in $RUN_TMP/RID, output in $RUN_TMP/out.txt and err.txt; ARGS
# add the shape and pacing; EDGE_RUN_LIMIT bounds the run's seconds (150).
# Returns medload's status.
edge_sessions_run() {
	local rid="$1" proto=connections
	shift
	[[ "$MEDIATOR_INVITATION_URL" == *'?oob='* ]] && proto=oob
	env -u MEDIATOR_INVITATION_URL timeout -k 5 "${EDGE_RUN_LIMIT:-150}" "$MEDLOAD" run --scenario edge \
		--protocol "$proto" --mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL" \
		--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE" \
		--edge-ws "${EDGE_WS_URL:-$MEDLOAD_MEDIATOR_WS_ENDPOINT}" --edge-task peer --connections 8 \
		--out-dir "$RUN_TMP" --run-id "$rid" --progress plain "$@" \
		>"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt"
}
