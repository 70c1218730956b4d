#!/usr/bin/env bash
# `medload run --trace-overhead` on the local stack: the same load twice,
# the agents restarted by the given command tracing to medload's
# collector, then not tracing; the traced run's traces hold both agents'
# events and its analysis complete exchanges, the untraced run none; the
# client latencies are compared with compare's noise rules (a
# medload.compare/1 document, untraced the baseline, every request name
# judged). The stack is restored at the end.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
rel="${MEDLOAD_TEST_ACAPY:-seed}"
port="$(collect_port)"
trap 'restore_agents; rm -rf "$RUN_TMP"' EXIT
restart="'$STACK/agents' stop >/dev/null 2>&1; '$STACK/up' --acapy $rel --trace-to \"\$MEDLOAD_TRACE_TARGET\" >>'$RUN_TMP/restarts.log' 2>&1"
"$MEDLOAD" run --scenario mediation --trace-overhead --agents-restart "$restart" \
	--collect "127.0.0.1:$port" --report "$RUN_TMP/report" --report-wait 2s \
	--admin-url "$LOCUST_HOST" $(admin_key_args) \
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL" \
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE" \
	--step-time 10s --step-load 2 --spawn-rate 2 --think-min 0.5s --think-max 1s \
	--time-limit 24s --out-dir "$RUN_TMP/runs" --run-id ov-$$ --progress none \
	>"$RUN_TMP/out" 2>"$RUN_TMP/err" || fail "run --trace-overhead: exit $?: $(tail -3 "$RUN_TMP/err")"
R="$RUN_TMP/runs"
[[ $(grep -c 'restarting the agents with MEDLOAD_TRACE_TARGET=' "$RUN_TMP/err") == 2 ]] ||
	fail "the agents were not restarted twice: $(grep restarting "$RUN_TMP/err")"
grep -q "MEDLOAD_TRACE_TARGET=http://127.0.0.1:$port/" "$RUN_TMP/err" || fail "the traced run's target is not the collector"
grep -q 'MEDLOAD_TRACE_TARGET=none' "$RUN_TMP/err" || fail "the untraced run's agents were not told to stop tracing"
# both agents started against the collector (their start-up probes) and traced
labels=$(jq -r '.handler' "$R/ov-$$-traced/traces.ndjson" | sort | uniq -c | awk '$2 == "ArgParse" {print $1 " " $2; next} {print $2}' | tr '\n' ' ')
[[ "$labels" == "2 ArgParse mediator.trace multi.agent.trace " ]] || fail "traced run's labels: $labels"
jq -e '.flows.complete > 0' "$R/ov-$$-traced/analysis.json" >/dev/null || fail "the traced run's analysis has no complete exchange"
[[ ! -e "$R/ov-$$-untraced/traces.ndjson" ]] || fail "the untraced run collected traces"
C="$R/ov-$$-trace-overhead.json"
[[ "$(jq -r .schema "$C")" == medload.compare/1 ]] || fail "no comparison document: $(ls "$R")"
jq -e '.baseline.name == "untraced" and .contender.name == "traced"' "$C" >/dev/null ||
	fail "the comparison's sides: $(jq -c '[.baseline, .contender]' "$C")"
n=$(jq '[.groups[] | select(.key.outcome == "021_ping_mediator" or .key.outcome == "022_ping_other")] | length' "$C")
[[ "$n" == 2 ]] || fail "pings not compared: $(jq -c '[.groups[].key.outcome]' "$C")"
jq -e '[.groups[].metrics[] | .verdict] | all(. == "better" or . == "worse" or . == "unchanged")' "$C" >/dev/null ||
	fail "verdicts: $(jq -c '[.groups[].metrics[].verdict] | unique' "$C")"
grep -q '^== Trace overhead: client latency' "$RUN_TMP/out" || fail "the comparison was not printed"
p50=$(jq -r '.groups[] | select(.key.outcome == "021_ping_mediator") | .metrics[] | select(.metric == "p50") | "\(.baseline) -> \(.contender) ms (\(.verdict))"' "$C")
echo "ok ($rel): ping to the mediator p50 untraced -> traced: $p50"
