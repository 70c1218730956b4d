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

# restore_agents RELEASE: the agents as the runner started them (tracing
# to the log), then the scratch directory removed; for `trap ... EXIT`.
restore_agents() {
	"$STACK/agents" stop >/dev/null 2>&1 || true
	# shellcheck disable=SC2086 # the runner's stack/up arguments
	"$STACK/up" ${MEDLOAD_TEST_UP_ARGS:---acapy $1} >/dev/null 2>&1 ||
		echo "could not restore the stack" >&2
	rm -rf "$RUN_TMP"
}

# agents_trace_to PORT RELEASE LOG: restarts the agents tracing to
# http://127.0.0.1:PORT/. They refuse to start without a live trace sink,
# so a collector listens there meanwhile (stopped after: the run's own
# collector takes the port over). stack/up's output goes to LOG.
agents_trace_to() {
	local port="$1" rel="$2" log="$3" cp
	"$MEDLOAD" collect --listen "127.0.0.1:$port" -o "$RUN_TMP/startup.ndjson" 2>/dev/null &
	cp=$!
	for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/_status" && break; sleep 0.1; done
	"$STACK/agents" stop >/dev/null 2>&1 || true
	if ! "$STACK/up" --acapy "$rel" --trace-to "http://127.0.0.1:$port/" >"$log" 2>&1; then
		kill "$cp"
		wait "$cp" 2>/dev/null || true
		fail "agents tracing to medload did not start: $(tail -3 "$log")"
	fi
	kill "$cp"
	wait "$cp" 2>/dev/null || true
}

# check_counts DIR: the journal's request lines equal the results' counts.
check_counts() {
	local dir="$1" jr jt rs rt
	jr="$(grep -c '^R' "$dir/journal.tsv")"
	# every request and every wait counts in the total (waits that time
	# out are failures like any other)
	jt="$jr"
	rs="$(jq '[.stats[].count] | add' "$dir/results.json")"
	rt="$(jq '.total.count' "$dir/results.json")"
	[[ "$jr" == "$rs" ]] || fail "journal has $jr request lines, results.json counts $rs"
	[[ "$jt" == "$rt" ]] || fail "journal has $jt requests and waits, results.json total $rt"
	# the stats CSV agrees too (Aggregated row)
	local csv
	csv="$(awk -F, '$2 == "Aggregated" {print $3}' "$dir/medload_stats.csv")"
	[[ "$csv" == "$rt" ]] || fail "medload_stats.csv Aggregated count $csv, results.json $rt"
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
