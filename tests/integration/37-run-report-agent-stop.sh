#!/usr/bin/env bash
# The multi-agent is killed in the middle of a one-shot `medload run --collect
# --report`: the traces that reach the collector hold few errors or none,
# but the client's requests and waits failed, so `error_rate<1%` breaks
# (exit 5) and client_error_rate shows the failures counted in
# results.json. The agents trace to medload for this test; they are
# restored with the runner's stack/up arguments at the end.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
mapfile -t ka < <(admin_key_args)
pidf="$MEDLOAD_STACK_DIR/pids/multi.pid"
rel="${MEDLOAD_TEST_ACAPY:-${MEDLOAD_ACAPY_RELEASE:-seed}}"
port="$(collect_port)"
trap 'restore_agents; rm -rf "$RUN_TMP"' EXIT
agents_trace_to_medload "$port" "$rel"
[[ -s "$pidf" ]] || fail "no multi-agent pid file at $pidf"

rid="stop-rep-$$"
"$MEDLOAD" run --scenario mediation --step-time 10s --step-load 2 --time-limit 30s \
	--spawn-rate 2 --think-min 0.5s --think-max 1s --request-timeout 20s --retries 1 \
	--grace 4s --admin-url "$LOCUST_HOST" "${ka[@]}" \
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL" \
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE" \
	--out-dir "$RUN_TMP/runs" --run-id "$rid" --progress none \
	--collect "127.0.0.1:$port" --report-wait 1s --report "$RUN_TMP/report" \
	--threshold 'error_rate<1%' --threshold 'client_error_rate<1%' \
	--threshold 'trace_error_rate<=100%' --threshold 'users_never_ready<1000' \
	--junit "$RUN_TMP/junit.xml" >"$RUN_TMP/out" 2>"$RUN_TMP/err" &
pid=$!
# stop the agent once a user is past its setup (its first ping is in the
# journal, written as the run goes), so the run measured something first
ready=0
for _ in $(seq 250); do
	grep -q 'ping_mediator' "$RUN_TMP/runs/$rid/journal.tsv" 2>/dev/null && { ready=1; break; }
	sleep 0.1
done
((ready)) || fail "no user was past its setup after 25 s: $(tail -n 2 "$RUN_TMP/err")"
sleep 2
# SIGKILL: ACA-Py 1.7 goes on serving for 10 s and more after a SIGTERM
pg="$(cat "$pidf")"
kill -KILL -- "-$pg" 2>/dev/null || kill -KILL "$pg" || fail "cannot kill the multi-agent ($pg)"
rc=0
wait "$pid" || rc=$?
((rc == 5)) || fail "run with a stopped agent and error_rate<1%: exit $rc, want 5: $(tail -n 3 "$RUN_TMP/err") $(jq -r '.results[].message' "$RUN_TMP/report/thresholds.json" 2>/dev/null)"

dir="$RUN_TMP/runs/$rid"
res="$dir/results.json"
T="$RUN_TMP/report/thresholds.json"
[[ -s "$res" && -s "$T" ]] || fail "no results.json or thresholds.json"
check_counts "$dir"
requests="$(jq .total.count "$res")"
failures="$(jq .total.failures "$res")"
((failures > 0)) || fail "no client failures counted after the agent stopped"
th() { jq -c --arg m "$1" '.results[] | select(.metric == $m)' "$T"; }
e="$(th error_rate)"
c="$(th client_error_rate)"
[[ "$(jq -r .status <<<"$e")" == fail ]] || fail "error_rate<1% did not fail: $(jq -r .message <<<"$e")"
[[ "$(jq -r .status <<<"$c")" == fail ]] || fail "client_error_rate<1% did not fail: $(jq -r .message <<<"$c")"
# the client's figures are results.json's, in the JSON and in the message
[[ "$(jq -r '"\(.client.failures) \(.client.requests)"' <<<"$c")" == "$failures $requests" ]] ||
	fail "client_error_rate counts $(jq -c .client <<<"$c"), results.json $failures of $requests"
jq -r .message <<<"$c" | grep -q "($failures failed of $requests requests and waits)" ||
	fail "client_error_rate message: $(jq -r .message <<<"$c")"
# error_rate = (client failures + trace errors) / (client requests and waits
# + trace events); a START event opens an operation and is not one, so the
# trace's count is the groups' other events
tev="$(jq '[.groups[] | select(.key.outcome | contains(".START") | not) | .count] | add // 0' "$dir/analysis.json")"
jq -e --argjson f "$failures" --argjson r "$requests" --argjson n "$tev" \
	'.client.failures == $f and .client.requests == $r and .trace.events == $n and
	 ((.value - ((.client.failures + .trace.errors) / (.client.requests + .trace.events))) | fabs) < 1e-9' \
	<<<"$e" >/dev/null || fail "error_rate is not (client failures + trace errors) / (requests + events): $e (trace events $tev)"
jq -r .message <<<"$e" | grep -q "client: $failures failed of $requests requests and waits; trace: " ||
	fail "error_rate message: $(jq -r .message <<<"$e")"
# the trace's own share is still there, and the run's never-ready users
jq -e '.status == "pass" and .trace.events > 0' <<<"$(th trace_error_rate)" >/dev/null ||
	fail "trace_error_rate: $(th trace_error_rate)"
jq -e --argjson n "$(jq .users_never_ready "$res")" '.status == "pass" and .value == $n' \
	<<<"$(th users_never_ready)" >/dev/null || fail "users_never_ready: $(th users_never_ready)"
grep -q "^ *fail  error_rate<1%: error_rate = .*client: $failures failed" "$RUN_TMP/out" ||
	fail "the printed report does not show the client's failures"
grep -q 'tests="4" failures="2"' "$RUN_TMP/junit.xml" || fail "JUnit: $(grep '<testsuite ' "$RUN_TMP/junit.xml")"
grep -q '2 of 4 thresholds breached' "$RUN_TMP/err" || fail "no breach message on stderr"
echo "ok: $failures of $requests requests and waits failed; $(jq -r .message <<<"$e")"
