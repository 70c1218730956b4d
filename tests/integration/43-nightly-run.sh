#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $vars of their own
# `medload nightly --run-config` for real: each night runs the load from a
# YAML config (with a thresholds: list) against the stack, analyzes the
# mediator's traces of its window (--trace-to log) with the run's results
# (error_rate counts the client's failures), compares with the last
# passing night of a JSON Lines history, and writes the report folder with
# trend charts. Night 1 passes, night 2 breaches a threshold (exit 5),
# night 3 is compared with night 1, not with the failed night 2.
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
[[ "$MEDLOAD_TRACE_TARGET" == log ]] || fail "stack traces to $MEDLOAD_TRACE_TARGET, this test needs log"
xml_ok() { python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1" 2>/dev/null; }

cfg="$RUN_TMP/nightly.yaml"
{
	printf 'admin_url: "%s"\n' "$LOCUST_HOST"
	[[ -n "${MEDLOAD_MULTI_ADMIN_API_KEY_FILE:-}" ]] &&
		printf 'admin_api_key_file: "%s"\n' "$MEDLOAD_MULTI_ADMIN_API_KEY_FILE"
	printf 'mediator_admin_url: "%s"\n' "$MEDLOAD_MEDIATOR_ADMIN_URL"
	printf 'mediator_admin_api_key_file: "%s"\n' "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE"
	printf '%s\n' 'step_time: 30s' 'step_load: 3' 'spawn_rate: 3' 'time_limit: 16s' \
		'progress: none' 'thresholds:' '  - "label=mediator.trace count > 10"' \
		'  - error_rate < 5%'
} >"$cfg"
H="$RUN_TMP/history.jsonl"
night() { # night N [args...]: medload nightly into $RUN_TMP/nN; sets rc
	local n="$1"
	shift
	rc=0
	"$MEDLOAD" nightly --history "$H" --out "$RUN_TMP/n$n" \
		--threshold 'label=mediator.trace rate > baseline*0.2' "$@" \
		>"$RUN_TMP/out$n" 2>"$RUN_TMP/err$n" || rc=$?
}

# The plan names the run and the analysis it will read.
"$MEDLOAD" nightly --dry-run --run-config "$cfg" --traces "$MEDLOAD_MEDIATOR_LOG" \
	--history "$H" --out "$RUN_TMP/n0" >"$RUN_TMP/plan" || fail "dry run: exit $?"
grep -q "^run: run --config $cfg --run-id nightly-[0-9]* --traces " "$RUN_TMP/plan" ||
	fail "plan: $(grep '^run' "$RUN_TMP/plan")"
grep -q '^thresholds: 2$' "$RUN_TMP/plan" || fail "the config's thresholds are not in the plan"
[[ ! -e "$H" && ! -e "$RUN_TMP/n0" ]] || fail "--dry-run changed something"

night 1 --run-config "$cfg" --traces "$MEDLOAD_MEDIATOR_LOG"
[[ "$rc" == 0 ]] || fail "night 1: exit $rc: $(tail -3 "$RUN_TMP/err1")"
N1="$RUN_TMP/n1"
[[ -s "$N1/run-report/report.txt" ]] || fail "night 1: no run report"
grep -q '^== Thresholds: 2 passed, 0 failed, 0 skipped' "$N1/run-report/report.txt" ||
	fail "night 1: the run's report does not judge the config's thresholds"
run1="$(ls "$N1/runs")"
[[ "$run1" == nightly-* ]] || fail "night 1: run directory $run1"
cmp -s <(jq -S 'del(.thresholds)' "$N1/runs/$run1/analysis.json") <(jq -S . "$N1/analysis.json") ||
	fail "night 1: analysis.json is not the run's analysis"
check_counts "$N1/runs/$run1"
[[ "$(jq -r '"\(.passed) \(.failed) \(.skipped)"' "$N1/thresholds.json")" == "2 0 1" ]] ||
	fail "night 1 thresholds: $(jq -c '[.results[] | [.status, .expr]]' "$N1/thresholds.json")"
# the night's thresholds and the run report's see the run's results too:
# error_rate counts the client's requests and waits with the traces' events
n="$(jq .total.count "$N1/runs/$run1/results.json")"
for t in "$N1/thresholds.json" "$N1/run-report/thresholds.json"; do
	jq -e --argjson n "$n" '[.results[] | select(.metric == "error_rate")][0] |
		.client.requests == $n and (.message | test("client: [0-9]+ failed of [0-9]+ requests and waits"))' \
		"$t" >/dev/null || fail "error_rate in $t does not count the run's $n requests and waits: $(jq -c '.results[] | select(.metric == "error_rate")' "$t")"
done
[[ ! -e "$N1/compare.json" ]] || fail "night 1 compared with nothing"
grep -q '^medload nightly: pass (0 of 3 thresholds breached, 0 regressions; baseline: none)' "$RUN_TMP/out1" ||
	fail "night 1 verdict: $(grep '^medload nightly' "$RUN_TMP/out1")"

night 2 --run-config "$cfg" --traces "$MEDLOAD_MEDIATOR_LOG" \
	--threshold 'label=mediator.trace outcome=Dispatcher.handle_message.END p95 < 0.001ms'
[[ "$rc" == 5 ]] || fail "night 2 with a breach: exit $rc, want 5: $(tail -3 "$RUN_TMP/err2")"
N2="$RUN_TMP/n2"
jq -e --arg a "$(realpath "$N1/analysis.json")" '.baseline.name == $a' "$N2/compare.json" >/dev/null ||
	fail "night 2's baseline is $(jq -r .baseline.name "$N2/compare.json"), not night 1"
[[ "$(jq -r '"\(.passed) \(.failed) \(.skipped)"' "$N2/thresholds.json")" == "3 1 0" ]] ||
	fail "night 2 thresholds: $(jq -c '[.results[] | [.status, .expr, .message]]' "$N2/thresholds.json")"
xml_ok "$N2/junit.xml" || fail "night 2: junit.xml is not well-formed"
grep -q 'tests="4" failures="1"' "$N2/junit.xml" || fail "night 2 JUnit: $(grep '<testsuite ' "$N2/junit.xml")"
[[ "$(ls "$N2/runs")" != "$run1" ]] || fail "night 2 reused night 1's run id"

# Night 3 from night 2's analysis: the baseline is night 1, the last that passed.
night 3 --analysis "$N2/analysis.json"
[[ "$rc" == 0 ]] || fail "night 3: exit $rc: $(tail -3 "$RUN_TMP/err3")"
N3="$RUN_TMP/n3"
jq -e --arg a "$(realpath "$N1/analysis.json")" '.baseline.name == $a' "$N3/compare.json" >/dev/null ||
	fail "night 3's baseline is $(jq -r .baseline.name "$N3/compare.json"), not the last passing night"
[[ "$(wc -l <"$H")" == 3 ]] || fail "the history has $(wc -l <"$H") lines, want 3"
[[ "$(jq -r .verdict "$H" | tr '\n' ' ')" == "pass fail pass " ]] || fail "verdicts: $(jq -r .verdict "$H" | tr '\n' ' ')"
n="$(jq '[.labels[] | select(.label == "mediator.trace") | .points[]] | length' "$N3/trend.json")"
[[ "$n" == 3 ]] || fail "trend of mediator.trace has $n points, want 3"
jq -e '[.labels[] | select(.label == "mediator.trace") | .points[] | .p95 >= .p50 and .rate > 0] | all' \
	"$N3/trend.json" >/dev/null || fail "trend points without sensible p50/p95/rate"
for c in trend-latency-0 trend-rate trend-errors; do
	[[ -s "$N3/$c.png" || -s "$N3/charts/$c.png" ]] || fail "night 3: chart $c missing ($(ls "$N3" | tr '\n' ' '))"
done
grep -q 'trend-latency-0' "$N3/nightly.md" || fail "nightly.md does not show the trend chart"
grep -qi 'pass' "$N3/nightly.md" || fail "nightly.md has no verdict"
echo "nightly --run-config: 3 nights (pass, fail, pass), baseline the last passing night, trend charts"
