#!/usr/bin/env bash
# Edge agents holding WebSocket sessions on the real mediator, in pairs
# (MEDLOAD_TEST_EDGE_WS_AGENTS, default 200): each agent sets up over HTTP,
# opens a session to the mediator's ws endpoint (--edge-ws), and pings the
# other agent of its pair through the mediator's forwards (--edge-task
# peer); the peer answers the same way. Every agent holds its session to
# the end (held_peak = agents, no drop), every ping is delivered on the
# peer's session and answered (only those in flight at the end may miss),
# pickup polls went out, no frame was unexpected, zero failures; the
# journal agrees with the summary. At the end every session closes with
# the closing handshake, each answered, so the mediator never writes to a
# socket that is gone ("Cannot write to closing transport"); it logs no
# error but the one ACA-Py writes for every close it receives ("Unexpected
# Websocket message type received": a close is not TEXT or BINARY).
# Agents are asked for at 5 a second with at most 4 setting up at once
# (--max-setups): ACA-Py 1.7 on SQLite, taking setups and the sessions'
# traffic at once, runs out of askar connections when setups pile up (10 s
# waits, then dropped answers and closed sessions): the mediator's limit,
# not what this tests; the cap lets the ramp go at its pace instead.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
n="${MEDLOAD_TEST_EDGE_WS_AGENTS:-200}"
m0="$(wc -l <"$MEDLOAD_MEDIATOR_LOG")"
rid="itest-edge-ws-$(date +%s)-$$"
# a damaged trace beside the mediator's log: said once, not again for each
# load step's own read of the traces
printf '%s\n' '{"msg_id": "m", "ellapsed_milli": 3, "outcome": ' >"$RUN_TMP/damaged.log"
EDGE_RUN_LIMIT=200 edge_sessions_run "$rid" --stages "${MEDLOAD_TEST_EDGE_WS_SECONDS:-120}s:$n" \
	--spawn-rate "${MEDLOAD_TEST_EDGE_WS_RATE:-5}" --max-setups 4 --think-min 8s --think-max 16s \
	--request-timeout 30s --mediator-pid "$(cat "$MEDLOAD_STACK_DIR/pids/mediator.pid")" \
	--traces "$MEDLOAD_MEDIATOR_LOG" --traces "$RUN_TMP/damaged.log" --report "$RUN_TMP/report" \
	--report-wait 2s || fail "medload run exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
[[ $(grep -c 'damaged.log:1: record rejected' "$RUN_TMP/err.txt") == 1 ]] &&
	! grep -q 'rejected in all' "$RUN_TMP/err.txt" ||
	fail "the damaged trace was not said once: $(grep -i reject "$RUN_TMP/err.txt" | head -5)"
dir="$RUN_TMP/$rid"
check_counts "$dir"
r="$dir/results.json"
[[ "$(jq '.total.failures' "$r")" == 0 ]] || fail "failures: $(jq -c .total.error_texts "$r")"
jq -e --argjson n "$n" '.users_started == $n and .users_never_ready == 0' "$r" >/dev/null ||
	fail "users: $(jq -c '{users_started, users_never_ready}' "$r")"
s="$(jq -c .edge_sessions "$r")"
jq -e --argjson n "$n" '.edge_sessions | .held_peak == $n and .held_now == $n and
	.opened == $n and .connects == $n and .drops == 0 and .open_failures == 0 and
	.unexpected_frames == 0 and .polls >= $n and
	.closes_answered == $n and .closes_unanswered == 0' "$r" >/dev/null || fail "sessions: $s"
jq -e --argjson n "$n" '.edge_sessions | .peer_pings_sent > $n and
	.peer_pings_delivered >= .peer_pings_sent - $n and
	.peer_pings_answered >= .peer_pings_sent - $n and
	.pushed + .drained >= 2 * .peer_pings_answered' "$r" >/dev/null || fail "traffic: $s"
c="$(stat_of "$dir" WS 120_edge_session)"
((c == n)) || fail "120_edge_session: $c, want $n"
p="$(stat_of "$dir" WS 130_edge_ping_peer)"
d="$(stat_of "$dir" DELIVER 131_edge_peer_delivered)"
((p == $(jq .edge_sessions.peer_pings_answered "$r") && d == $(jq .edge_sessions.peer_pings_delivered "$r"))) ||
	fail "stats ($p pings, $d deliveries) differ from the counters: $s"
# the two legs are on one clock: a delivery never takes longer than its answer
jq -e '[.stats[] | select(.name == "131_edge_peer_delivered")][0].latency_actual_ms.p50 <=
	[.stats[] | select(.name == "130_edge_ping_peer")][0].latency_actual_ms.p50' "$r" >/dev/null ||
	fail "delivery median above the round trip's"
# what the sessions cost, sampled per step, in results.json and the summary
jq -e --argjson n "$n" '.edge_steps.steps | length >= 1 and (last | .sessions_held == $n and
	.users == $n and .medload_cpu_share > 0 and .medload_rss_kib > 0 and
	.mediator_cpu_share > 0 and .mediator_rss_kib > 50000)' "$r" >/dev/null ||
	fail "edge_steps: $(jq -c .edge_steps "$r")"
# every step's limit follows its figures: medload or the mediator at 90 %
# of a core, else the machine with 95 % of its cores busy, else none
jq -e '.edge_steps.steps | all(.machine_cpu_busy >= 0 and .machine_cpu_busy <= 1 and
	.limit == (if .medload_cpu_share >= 0.9 then "medload" elif .mediator_cpu_share >= 0.9
	then "mediator" elif .machine_cpu_busy >= 0.95 then "machine" else null end))' "$r" >/dev/null ||
	fail "edge_steps limits: $(jq -c .edge_steps "$r")"
# (with --report the printed summary is the report's: its table)
grep -q '^edge sessions per step' "$RUN_TMP/out.txt" || fail "no sessions table in the summary"
grep -q '^Sessions per step' "$RUN_TMP/$rid/summary.txt" || fail "no sessions table in summary.txt"
# and in the report, with the mediator's own trace analysis beside it
grep -q "^edge sessions: $n held at most" "$RUN_TMP/report/report.txt" &&
	grep -q '^edge sessions per step' "$RUN_TMP/report/report.txt" &&
	grep -q 'medload RSS KiB' "$RUN_TMP/report/report.md" &&
	grep -q 'Edge sessions' "$RUN_TMP/report/index.html" ||
	fail "the report lacks the sessions: $(ls "$RUN_TMP/report")"
grep -q 'Dispatcher.handle_message' "$RUN_TMP/report/report.txt" ||
	fail "the report lacks the mediator's trace analysis"
sleep 1
tail -n +"$((m0 + 1))" "$MEDLOAD_MEDIATOR_LOG" >"$RUN_TMP/m.log"
if grep -E ' ERROR |Traceback' "$RUN_TMP/m.log" |
	grep -v -E 'Unexpected Websocket message type received: (8|257)' >"$RUN_TMP/errors"; then
	fail "the mediator logged errors: $(head -c 300 "$RUN_TMP/errors")"
fi

# the same with every core kept busy by other work (one busy loop a core,
# for 40 s at most): the mediator, taking a few agents, stays under 90 %
# of a core, so the steps name the machine as the limit. Agents are asked
# for at 10 a second with --max-setups 2: never more than two set up at
# once (their setup spans, from the journal), the starts wait for them
# (counted), and none of them fails
burn=()
trap 'kill "${burn[@]}" 2>/dev/null || true; rm -rf "$RUN_TMP"' EXIT
for _ in $(seq "$(nproc)"); do
	timeout 40 sh -c 'while :; do :; done' &
	burn+=($!)
done
rid="itest-edge-ws-busy-$(date +%s)-$$"
edge_sessions_run "$rid" --stages 25s:6 --spawn-rate 10 --max-setups 2 --think-min 4s \
	--think-max 8s --request-timeout 30s --mediator-pid "$(cat "$MEDLOAD_STACK_DIR/pids/mediator.pid")" ||
	fail "medload run on a busy machine exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
kill "${burn[@]}" 2>/dev/null || true
wait "${burn[@]}" 2>/dev/null || true
b="$RUN_TMP/$rid/results.json"
jq -e '.edge_steps.steps | last | .machine_cpu_busy >= 0.95 and .mediator_cpu_share < 0.9 and
	.limit == "machine"' "$b" >/dev/null || fail "busy machine: $(jq -c .edge_steps "$b")"
grep -q -E '^ +1 +6 .* machine$' "$RUN_TMP/$rid/summary.txt" ||
	fail "the summary does not name the machine: $(grep -A3 '^Sessions per step' "$RUN_TMP/$rid/summary.txt")"
jq -e '.total.failures == 0 and .users_started == 6 and .users_never_ready == 0 and
	.ramp.max_setups == 2 and .ramp.spawns_held > 0 and .ramp.held_s > 0' "$b" >/dev/null ||
	fail "--max-setups 2: $(jq -c '{ramp, users_started, users_never_ready, f: .total.error_texts}' "$b")"
# a user sets up from its first request's due time to its keylist's answer
most="$(awk -F'\t' '$1 == "R" && $6 ~ /^10[0-2]_edge_/ {
	if (!($7 in s) || $2 < s[$7]) s[$7] = $2
	if ($6 == "102_edge_keylist" && $9 == "ok") e[$7] = $4
} END { for (u in s) if (u in e) { print s[u], 1; print e[u], -1 } }' "$RUN_TMP/$rid/journal.tsv" |
	sort -k1,1n -k2,2n | awk '{ c += $2; if (c > m) m = c } END { print m + 0 }')"
((most >= 1 && most <= 2)) || fail "--max-setups 2: $most users set up at once"
grep -q '^Ramp: at most 2 users setting up at once' "$RUN_TMP/$rid/summary.txt" ||
	fail "summary.txt lacks the ramp: $(grep -i ramp "$RUN_TMP/$rid/summary.txt")"
echo "ok: $n agents held sessions; $p peer pings answered, $d delivered; $s; on a busy machine: $(jq -c '.edge_steps.steps | last | {machine_cpu_busy, limit}' "$b")"
