#!/usr/bin/env bash
# The mediator is killed in the middle of an edge run with sessions, then
# started again: every held session drops (counted), the agents reconnect
# with backoff to the new mediator process (its wallet keeps their
# connections) and hold their sessions again (reconnects counted, sessions
# open at the end = agents); the pings lost with the mediator are failures
# by kind (connection or timeout) in the results and the journal alike; the
# run exits 0. The stack is restored as the runner started it at the end.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
pidf="$MEDLOAD_STACK_DIR/pids/mediator.pid"
[[ -s "$pidf" ]] || fail "no mediator pid file at $pidf"
trap 'restore_agents; rm -rf "$RUN_TMP"' EXIT
n=20
rid="itest-edge-ws-stop-$(date +%s)-$$"
edge_sessions_run "$rid" --stages 90s:$n --spawn-rate 5 --think-min 0.5s \
	--think-max 1s --request-timeout 5s &
pid=$!
sleep 20	# 20 agents at 5 a second: set up and holding sessions by then
mp="$(cat "$pidf")"
kill -TERM -- "-$mp" 2>/dev/null || kill -TERM "$mp" || fail "cannot stop the mediator ($mp)"
# ACA-Py 1.x takes a while to go (its socket still open): start the new
# one when the old one is gone, or stack/up takes it as running
for _ in $(seq 60); do kill -0 "$mp" 2>/dev/null || break; sleep 0.5; done
kill -0 "$mp" 2>/dev/null && fail "the mediator ($mp) did not stop in 30 s"
sleep 2
# shellcheck disable=SC2086 # the runner's stack/up arguments
"$STACK/up" ${MEDLOAD_TEST_UP_ARGS:---acapy ${MEDLOAD_TEST_ACAPY:-seed}} >"$RUN_TMP/up.log" 2>&1 ||
	fail "the mediator did not start again: $(tail -n 2 "$RUN_TMP/up.log")"
rc=0
wait "$pid" || rc=$?
((rc == 0)) || fail "run with a restarted mediator exited $rc: $(tail -n 2 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
check_counts "$dir"
r="$dir/results.json"
s="$(jq -c .edge_sessions "$r")"
jq -e --argjson n "$n" '.edge_sessions | .drops >= $n and .reconnects >= $n and
	.held_now == $n and .opened == $n + .reconnects' "$r" >/dev/null ||
	fail "sessions: $s; failures: $(jq -c .total.error_texts "$r")"
lost="$(jq '.errors.connection + .errors.timeout' "$r")"
((lost > 0)) || fail "no ping lost with the mediator was counted: $(jq -c .errors "$r")"
jl="$(grep -c -E $'\t(connection|timeout)\t' "$dir/journal.tsv")"
((jl == lost)) || fail "the journal holds $jl connection/timeout failures, results.json $lost"
# a ping in flight when the session drops fails as "session closed"; one
# sent while the stopping mediator still holds the socket but no longer
# answers (ACA-Py 1.x) fails as a timeout on the session: each is named so
jq -r '.total.error_texts | keys[]' "$r" |
	grep -q -E '^(session closed: |timeout: no answer on the session)' ||
	fail "no failure names the lost session or its unanswered ping: $(jq -c .total.error_texts "$r")"
echo "ok: sessions dropped and came back; $lost lost pings counted; $s"
