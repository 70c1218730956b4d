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
