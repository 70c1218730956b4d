#!/usr/bin/env bash
# Exchanges followed across both real agents. `medload run --scenario
# mediation --collect --report` (the agents restarted to trace to medload)
# gives an analysis whose "flows" hold a complete ping exchange for every
# ping the workflow sent (results.json per name: to the mediator, and
# between tenants through it), nothing lost, one clock (one machine: the
# offset within its uncertainty), forwards relayed, and the section in
# the text report. Then the mediator is killed in the middle of a run:
# the messages it never handled show up as incomplete exchanges, with
# examples. The stack is restored at the end.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
rel="${MEDLOAD_TEST_ACAPY:-seed}"
port="$(collect_port)"
trap 'restore_agents; rm -rf "$RUN_TMP"' EXIT

# The agents trace to medload (the run's collector takes the port over).
agents_trace_to_medload "$port" "$rel"
load_stack_env

common=(--scenario mediation --admin-url "$LOCUST_HOST" $(admin_key_args)
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL"
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE"
	--step-time 8s --step-load 2 --spawn-rate 2 --think-min 0.5s --think-max 1s
	--out-dir "$RUN_TMP/runs" --collect "127.0.0.1:$port" --report-wait 2s
	--progress none)

# 1. A whole run: every ping the workflow sent is a complete exchange.
"$MEDLOAD" run "${common[@]}" --time-limit 24s --run-id fl-$$ --report "$RUN_TMP/report" \
	>"$RUN_TMP/out" 2>"$RUN_TMP/err" || fail "run: exit $?: $(tail -3 "$RUN_TMP/err")"
D="$RUN_TMP/runs/fl-$$"
A="$D/analysis.json"
jq -e '.flows.exchanges' "$A" >/dev/null || fail "analysis.json has no flows: $(jq -c .flows "$A")"
ok_med=$(( $(stat_of "$D" POST 021_ping_mediator) - $(stat_of "$D" POST 021_ping_mediator failures) ))
ok_oth=$(( $(stat_of "$D" POST 022_ping_other) - $(stat_of "$D" POST 022_ping_other failures) ))
((ok_med > 0 && ok_oth > 0)) || fail "the workflow sent $ok_med pings to the mediator and $ok_oth to peers"
pings() { # complete ping exchanges FROM -> TO
	jq --arg f "$1" --arg t "$2" '[.flows.exchanges[] | select((.type | endswith("/trust_ping/1.0/ping")) and .from == $f and .to == $t) | .complete] | add // 0' "$A"
}
c_med=$(pings multi.agent.trace mediator.trace)
c_oth=$(pings multi.agent.trace multi.agent.trace)
# the multi-agent pings each new connection too (--auto-ping-connection)
((c_med >= ok_med)) || fail "$c_med complete pings to the mediator, the workflow sent $ok_med"
((c_oth >= ok_oth)) || fail "$c_oth complete pings between tenants, the workflow sent $ok_oth"
lost=$(jq '[.flows.incomplete | to_entries[] | select(.key != "undecided") | .value] | add' "$A")
[[ "$lost" == 0 ]] || fail "exchanges lost in a clean run: $(jq -c '.flows.incomplete, .flows.examples' "$A")"
inc_pings=$(jq '[.flows.exchanges[] | select(.type | endswith("/trust_ping/1.0/ping")) | .incomplete] | add' "$A")
[[ "$inc_pings" == 0 ]] || fail "$inc_pings ping exchanges incomplete"
fw=$(jq '[.flows.exchanges[] | select(.type | endswith("/routing/1.0/forward")) | .complete] | add // 0' "$A")
((fw >= ok_oth)) || fail "$fw forwards relayed for $ok_oth pings between tenants"
jq -e '.flows.clock[0] | .pairs > 0 and ((.offset_ms | fabs) <= .uncertainty_ms)' "$A" >/dev/null ||
	fail "one machine, yet the clocks differ: $(jq -c .flows.clock "$A")"
jq -e '[.flows.exchanges[] | select(.round_trip != null)] | length > 3' "$A" >/dev/null ||
	fail "no round trips: $(jq -c '[.flows.exchanges[] | [.type, .count, .complete]]' "$A")"
grep -q '^== Exchanges across agents: ' "$RUN_TMP/report/report.txt" || fail "report.txt lacks the exchanges section"
# the same from the collected file, analyzed alone
"$MEDLOAD" analyze --flows --since "$(jq -r .window_start "$D/results.json")" --format json \
	"$D/traces.ndjson" >"$RUN_TMP/again.json" 2>/dev/null || fail "analyze --flows of the run's traces failed"
jq -e '.flows.complete > 0' "$RUN_TMP/again.json" >/dev/null || fail "the run's traces give no complete exchange"

# 2. The mediator killed mid-run: the messages it never handled are lost.
pidf="$MEDLOAD_STACK_DIR/pids/mediator.pid"
[[ -s "$pidf" ]] || fail "no mediator pid file at $pidf"
"$MEDLOAD" run "${common[@]}" --time-limit 50s --grace 3s --run-id kill-$$ \
	--report "$RUN_TMP/report2" >"$RUN_TMP/out2" 2>"$RUN_TMP/err2" &
mpid=$!
K="$RUN_TMP/runs/kill-$$"
# once pings flow (a ping to the mediator answered 200), kill the mediator
for _ in $(seq 120); do
	grep -q $'\t021_ping_mediator\t[^\t]*\t200\t' "$K/journal.tsv" 2>/dev/null && break
	sleep 0.5
done
grep -q $'\t021_ping_mediator\t[^\t]*\t200\t' "$K/journal.tsv" 2>/dev/null ||
	fail "no ping went through in a minute: $(tail -3 "$RUN_TMP/err2")"
sleep 2
pg="$(cat "$pidf")"
kill -KILL -- "-$pg" 2>/dev/null || kill -KILL "$pg" || fail "cannot kill the mediator ($pg)"
wait "$mpid" || true
[[ -s "$K/traces.ndjson" ]] || fail "the run with a killed mediator collected no traces: $(tail -3 "$RUN_TMP/err2")"
jq -e '.flows.incomplete | [.[]] | add > 0' "$K/analysis.json" >/dev/null ||
	fail "no incomplete or undecided exchange in the report: $(jq -c .flows.incomplete "$K/analysis.json")"
"$MEDLOAD" analyze --flows --flow-timeout 3s --format json "$K/traces.ndjson" >"$RUN_TMP/k.json" 2>/dev/null ||
	fail "analyze --flows of the killed run failed"
nh=$(jq '.flows.incomplete.never_handled' "$RUN_TMP/k.json")
((nh > 0)) || fail "no never_handled exchange after the mediator died: $(jq -c .flows.incomplete "$RUN_TMP/k.json")"
jq -e '.flows.examples.never_handled[0] | .agent == "multi.agent.trace" and (.seen | index("DELIVER.START") != null)' \
	"$RUN_TMP/k.json" >/dev/null || fail "never_handled examples: $(jq -c .flows.examples "$RUN_TMP/k.json")"
echo "ok ($rel): $c_med/$ok_med pings to the mediator and $c_oth/$ok_oth between tenants complete, $fw forwards; mediator killed: $nh never handled ($(jq -c .flows.incomplete "$RUN_TMP/k.json"))"
