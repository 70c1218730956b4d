#!/usr/bin/env bash
# The one-shot command against the real agents: `medload run --collect
# --report` receives the agents' traces during the run (the agents are
# restarted for this test to trace to medload), analyzes both labels for
# the run's window and writes a complete report folder; an interrupted
# run still reports on what happened.
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
rel="${MEDLOAD_ACAPY_RELEASE:-seed}"
port="$(collect_port)"
trap 'restore_agents; rm -rf "$RUN_TMP"' EXIT
agents_trace_to_medload "$port" "$rel"

common=(--admin-url "$LOCUST_HOST" $(admin_key_args)
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL"
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE"
	--step-time 10s --step-load 2 --spawn-rate 2 --out-dir "$RUN_TMP/runs"
	--collect "127.0.0.1:$port" --report-wait 1s --progress none)
"$MEDLOAD" run "${common[@]}" --time-limit 20s --run-id rep-$$ --report "$RUN_TMP/report" \
	>"$RUN_TMP/out" 2>"$RUN_TMP/err" || fail "one-shot run: exit $?: $(tail -3 "$RUN_TMP/err")"
R="$RUN_TMP/report"
for f in report.txt report.md index.html; do [[ -s "$R/$f" ]] || fail "report folder lacks $f"; done
n=$(ls "$R"/charts/*.png 2>/dev/null | wc -l)
[[ "$n" == 8 && -s "$R/charts/flows.png" && -s "$R/charts/knee.png" ]] || fail "$n charts in the report folder, want 8 with flows.png and knee.png: $(cat "$RUN_TMP/err")"
grep -q '== Load run rep-' "$RUN_TMP/out" || fail "the text report was not printed"
# the end of the run prints one summary: the verdict, then one request table
grep -q '^== NO THRESHOLDS: no threshold was set' "$RUN_TMP/out" || fail "no verdict printed: $(head -5 "$RUN_TMP/out")"
grep -q '^  Dispatcher.handle_message.END  *mediator.trace ' "$RUN_TMP/out" &&
	grep -q '^  *multi.agent.trace  *[0-9]' "$RUN_TMP/out" ||
	fail "the verdict lacks the agents' latency side by side: $(grep -A6 "agents' latency" "$RUN_TMP/out")"
[[ $(grep -c '^type  name' "$RUN_TMP/out") == 1 ]] && ! grep -q 'Response times in ms' "$RUN_TMP/out" ||
	fail "not one request table at the end: $(grep -c 'Response times\|^type  name' "$RUN_TMP/out") tables"
grep -q 'users: peak [1-9]' "$RUN_TMP/out" || fail "the verdict lacks the users line"
grep -q 'Response times in ms from the actual start' "$RUN_TMP/runs/rep-$$/summary.txt" ||
	fail "summary.txt lacks the actual-start table"
A="$RUN_TMP/runs/rep-$$/analysis.json"
[[ "$(jq -r .source.run_id "$A")" == "rep-$$" ]] || fail "analysis.json does not name the run"
labels=$(jq -r '[.series.labels[].label] | sort | join(",")' "$A")
[[ "$labels" == "mediator.trace,multi.agent.trace" ]] || fail "labels analyzed: $labels"
[[ $(jq .events.accepted "$A") -gt 50 ]] || fail "only $(jq .events.accepted "$A") trace events analyzed"
jq -e 'select(.medload.run_id != "rep-'$$'")' "$RUN_TMP/runs/rep-$$/traces.ndjson" >/dev/null &&
	fail "traces without this run's id"
check_counts "$RUN_TMP/runs/rep-$$"

# Interrupted: SIGINT during the run; the report still comes out.
"$MEDLOAD" run "${common[@]}" --time-limit 40s --run-id int-$$ --report "$RUN_TMP/report2" \
	>"$RUN_TMP/out2" 2>"$RUN_TMP/err2" &
mpid=$!
sleep 8
kill -INT "$mpid"
rc=0
wait "$mpid" || rc=$?
((rc == 130)) || fail "interrupted one-shot run: exit $rc, want 130: $(tail -3 "$RUN_TMP/err2")"
[[ -s "$RUN_TMP/report2/index.html" ]] || fail "no report after SIGINT: $(tail -3 "$RUN_TMP/err2")"
grep -q '^INTERRUPTED at [0-9]* s of 40 s planned' "$RUN_TMP/out2" &&
	grep -q 'id="interrupted"' "$RUN_TMP/report2/index.html" ||
	fail "no INTERRUPTED banner: $(head -5 "$RUN_TMP/out2")"
d=$(jq .duration_s "$RUN_TMP/runs/int-$$/results.json")
awk -v d="$d" 'BEGIN { exit !(d > 5 && d < 25) }' || fail "interrupted run lasted $d s"
[[ $(jq .events.accepted "$RUN_TMP/runs/int-$$/analysis.json") -gt 0 ]] || fail "interrupted run: no traces analyzed"
echo "one-shot run + report: $n charts, both labels; an interrupted run still reported"
