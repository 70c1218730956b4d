#!/usr/bin/env bash
# medload run --scenario edge against the real mediator, a few hundred
# native DIDComm agents (MEDLOAD_TEST_EDGE_AGENTS, default 200): no
# multi-tenant agent (its admin URL points at a dead port), the invitation
# created on the mediator's admin API (with the protocol the stack's own
# invitation uses: asked to try Connections first, 1.x logs an error for
# the missing route); every agent connects (Connections
# 1.0 on 0.12, DID exchange on 1.x), gets mediation granted, adds its
# recipient key and pings the mediator; zero failures. The mediator's trace
# events show every message handled (each request's @id, from the journal,
# as the msg_id of a Dispatcher.handle_message.END), its log has no error,
# and run --traces --report analyses its traces as for the other
# scenarios. At most 8 requests are at the mediator at once (--connections):
# on a busy 2-core machine more concurrent connection requests exhaust its
# askar pool (10 s waits, then errors), which is the mediator's limit, not
# what this test is about.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
[[ "$MEDLOAD_TRACE_TARGET" == log ]] || fail "needs --trace-to log"
n="${MEDLOAD_TEST_EDGE_AGENTS:-200}"
m0="$(wc -l <"$MEDLOAD_MEDIATOR_LOG")"
rid="itest-edge-$(date +%s)-$$"
proto=connections
[[ "$MEDIATOR_INVITATION_URL" == *'?oob='* ]] && proto=oob
unset MEDIATOR_INVITATION_URL
"$MEDLOAD" run --scenario edge --protocol "$proto" --admin-url http://127.0.0.1:9 \
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL" \
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE" \
	--stages "${MEDLOAD_TEST_EDGE_SECONDS:-95}s:$n" --spawn-rate "${MEDLOAD_TEST_EDGE_RATE:-2.5}" \
	--connections 8 --think-min 15s --think-max 30s \
	--request-timeout 30s --out-dir "$RUN_TMP" --run-id "$rid" --progress plain \
	--traces "$MEDLOAD_MEDIATOR_LOG" --report "$RUN_TMP/report" --report-wait 2s \
	>"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" ||
	fail "medload run exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
check_counts "$dir"
check_no_secrets "$dir"
[[ "$(jq -r .scenario "$dir/results.json")" == edge ]] || fail "results.json scenario is not edge"
jq -e --argjson n "$n" '.users_started == $n and .users_never_ready == 0' "$dir/results.json" >/dev/null ||
	fail "users: $(jq -c '{users_started, users_never_ready, users_never_ready_by_step, e: .total.error_texts}' "$dir/results.json")"
[[ "$(jq '.total.failures' "$dir/results.json")" == 0 ]] ||
	fail "failures: $(jq -c .total.error_texts "$dir/results.json")"
steps=(100_edge_connect 101_edge_mediate 102_edge_keylist)
[[ "$(jq -r .protocol "$dir/results.json")" == oob ]] && steps+=(100_edge_connect_complete)
for s in "${steps[@]}"; do
	c="$(stat_of "$dir" POST "$s")"
	((c == n)) || fail "$s: $c requests, want $n (one per agent)"
done
p="$(stat_of "$dir" POST 110_edge_ping_mediator)"
pu="$(awk -F'\t' '$1 == "R" && $6 == "110_edge_ping_mediator" {print $7}' "$dir/journal.tsv" | sort -u | wc -l)"
((pu == n)) || fail "only $pu of $n agents pinged the mediator ($p pings)"

# every message reached the mediator's dispatcher, and nothing went wrong there
sleep 2
tail -n +"$((m0 + 1))" "$MEDLOAD_MEDIATOR_LOG" >"$RUN_TMP/m.log"
"$STACK/lib/extract-traces.sh" --tag "$MEDLOAD_TRACE_TAG" "$RUN_TMP/m.log" >"$RUN_TMP/m.ndjson"
awk -F'\t' '$1 == "R" {print $11}' "$dir/journal.tsv" | sort -u >"$RUN_TMP/ids"
jq -r 'select(.outcome == "Dispatcher.handle_message.END") | .msg_id' "$RUN_TMP/m.ndjson" | sort -u >"$RUN_TMP/handled"
total="$(wc -l <"$RUN_TMP/ids")"
seen="$(comm -12 "$RUN_TMP/ids" "$RUN_TMP/handled" | wc -l)"
((total > 0 && seen == total)) || fail "only $seen of $total messages found handled in the mediator's traces"
if grep -n -E ' ERROR |Traceback' "$RUN_TMP/m.log" >"$RUN_TMP/errors"; then
	fail "the mediator logged errors: $(head -c 300 "$RUN_TMP/errors")"
fi
# the traces were analysed as usual
[[ -s "$RUN_TMP/report/report.txt" ]] || fail "no report written: $(tail -n 2 "$RUN_TMP/err.txt")"
e="$(jq '[.groups[] | select(.key.label == "mediator.trace" and .key.outcome == "Dispatcher.handle_message.END") | .count] | add // 0' "$dir/analysis.json")"
((e >= total)) || fail "the analysis counts $e handled messages, the journal $total"
# With --collect and the mediator tracing to its log, no trace arrives: the
# hint names the mediator's target and no multi-tenant agent (an edge run
# has none).
port=$((19750 + $$ % 100))
"$MEDLOAD" run --scenario edge --protocol "$proto" --admin-url http://127.0.0.1:9 \
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL" \
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE" \
	--stages 3s:1 --spawn-rate 1 --out-dir "$RUN_TMP" --run-id "$rid-hint" --progress none \
	--collect "127.0.0.1:$port" --report "$RUN_TMP/hint-report" --report-wait 0s \
	>"$RUN_TMP/hint.out" 2>"$RUN_TMP/hint.err" || true
grep -q "hint: no agent sent a trace to --collect 127.0.0.1:$port: the mediator traces to log" \
	"$RUN_TMP/hint.err" || fail "edge: no hint naming the mediator alone: $(grep -i hint "$RUN_TMP/hint.err")"
! grep -q 'multi-tenant' "$RUN_TMP/hint.err" || fail "edge: the hint names a multi-tenant agent: $(grep -i hint "$RUN_TMP/hint.err")"
echo "ok: $n agents, $total messages, $p pings, all handled by the mediator; $e END events analysed; the no-trace hint names the mediator alone"
