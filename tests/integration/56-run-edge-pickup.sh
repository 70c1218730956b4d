#!/usr/bin/env bash
# Pickup 2.0 and agents that go offline, on real mediators.
#
# 1. The runner's mediator (seed 0.12.0 or latest 1.7.0, no plugin): agents
#    in pairs with --edge-pickup auto ask its discover-features, which does
#    not list messagepickup/2.0, and use implicit pickup; the second agent
#    of each pair goes offline (--edge-offline) and what its peer sent
#    meanwhile is drained on reconnect: offline_sent = drained_on_reconnect
#    + offline_undrained (implicit pickup may leave some for an agent that
#    is online: a chain of pushes stalls on a busy reply buffer).
# 2. CI runs only those two releases, and neither takes acapy-plugin-pickup
#    (it imports aries_cloudagent 0.8-era modules), so the test brings up a
#    second mediator of its own, ACA-Py 0.8.2 with the plugin (stack/up
#    --acapy 0.8.2 --pickup --mediator-only; its own run dir, its ports the
#    runner's mediator's + 5, + 6, + 7, or MEDLOAD_TEST_PICKUP_PORT), stopped
#    at the end. There auto finds Pickup 2.0, and every session opening
#    asks for a status; messages queued while an agent was offline come
#    back in delivery batches acknowledged with messages-received, counted
#    exactly as above, and none left for an agent online at the end; every
#    status-request answered (but those in flight at the stop), no attachment
#    refused, no frame unexpected, no failure; the journal agrees with the
#    summary; the mediator logs no error but ACA-Py's one for each close it
#    receives (a close frame is not TEXT or BINARY).
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
n=8

# check_offline DIR MAX: the offline figures add up, at most MAX left for
# agents online at the end, every drained message timed.
check_offline() {
	local r="$1/results.json" s d
	s="$(jq -c .edge_sessions.pickup "$r")"
	jq -e --argjson h $((n / 2)) --argjson max "$2" '.edge_sessions.pickup |
		.offline_periods >= $h and .offline_sent > 0 and .drained_on_reconnect > 0 and
		.offline_sent == .drained_on_reconnect + .offline_undrained and
		.offline_undrained_online <= $max' "$r" >/dev/null || fail "offline: $s"
	d="$(stat_of "$1" DELIVER 132_edge_offline_delivered)"
	((d == $(jq .edge_sessions.pickup.drained_on_reconnect "$r"))) ||
		fail "132_edge_offline_delivered: $d, counters $s"
	# the report's summary gives the same figures
	"$MEDLOAD" report --run "$1" -o "$1-report" >"$1-report.out" 2>&1 ||
		fail "report --run: $(tail -n 2 "$1-report.out")"
	grep -qE "^pickup \((v2|implicit)\): .* $(jq .edge_sessions.pickup.offline_sent "$r") messages sent to agents offline, $d drained on reconnect, $(jq .edge_sessions.pickup.offline_undrained "$r") not drained\$" "$1-report.out" ||
		fail "the summary's pickup line: $(grep '^pickup' "$1-report.out"), counters $s"
}

# run_pickup RID WS INVITATION ARGS...: agents in pairs on WS, one of each
# pair offline every 6 s.
run_pickup() {
	local rid="$1" ws="$2" inv="$3"
	shift 3
	env -u MEDIATOR_INVITATION_URL timeout -k 5 150 "$MEDLOAD" run --scenario edge \
		--invitation-url "$inv" --edge-ws "$ws" --edge-task peer --edge-offline 6s \
		--stages 40s:$n --spawn-rate 2 --think-min 0.5s --think-max 1s \
		--request-timeout 15s --connections 8 --out-dir "$RUN_TMP" --run-id "$rid" \
		--progress none "$@" >"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" ||
		fail "medload run exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
	check_counts "$RUN_TMP/$rid"
	[[ "$(jq '.total.failures' "$RUN_TMP/$rid/results.json")" == 0 ]] ||
		fail "failures: $(jq -c .total.error_texts "$RUN_TMP/$rid/results.json")"
}

# 1. the runner's mediator: no Pickup 2.0, implicit pickup
rid="itest-pickup-implicit-$(date +%s)-$$"
run_pickup "$rid" "$MEDLOAD_MEDIATOR_WS_ENDPOINT" "$MEDIATOR_INVITATION_URL"
r="$RUN_TMP/$rid/results.json"
jq -e '.edge_sessions.pickup | .mode == "implicit" and .discover_queries >= 1 and
	.discover_v2 == 0 and .status_requests == 0 and .delivered_batches == 0' "$r" >/dev/null ||
	fail "auto on $MEDLOAD_ACAPY_RELEASE: $(jq -c .edge_sessions.pickup "$r")"
# implicit pickup releases one queued message per message the agent
# sends, and a chain of them stalls when a push meets a busy reply buffer:
# some may wait for the agent's next message (counted, not required to be 0)
check_offline "$RUN_TMP/$rid" 1000
implicit="$(jq -c '.edge_sessions.pickup | {offline_sent, drained_on_reconnect, offline_undrained, offline_undrained_online}' "$r")"

# 2. a mediator of 0.8.2 with acapy-plugin-pickup, ports of its own
base="${MEDLOAD_TEST_PICKUP_PORT:-$((${MEDLOAD_MEDIATOR_HTTP_PORT:-3000} + 5))}"
pk_env=(MEDLOAD_STACK_DIR="$RUN_TMP/pickup-stack" MEDLOAD_MEDIATOR_HTTP_PORT="$base"
	MEDLOAD_MEDIATOR_WS_PORT=$((base + 1)) MEDLOAD_MEDIATOR_ADMIN_PORT=$((base + 2)))
trap 'env "${pk_env[@]}" "$STACK/agents" stop >/dev/null 2>&1; rm -rf "$RUN_TMP"' EXIT
env "${pk_env[@]}" "$STACK/up" --acapy 0.8.2 --pickup --mediator-only --trace-to log \
	>"$RUN_TMP/pickup-up.log" 2>&1 ||
	fail "the 0.8.2 mediator with the pickup plugin did not start: $(tail -n 1 "$RUN_TMP/pickup-up.log")"
# stack/env serves a mediator-only stack: its mediator's lines, no multi-agent's
pkenv="$(env "${pk_env[@]}" "$STACK/env")" || fail "stack/env on a --mediator-only stack: exit $?"
grep -q "^export MEDLOAD_MEDIATOR_WS_ENDPOINT=ws://127.0.0.1:$((base + 1))\$" <<<"$pkenv" &&
	grep -q '^export MEDLOAD_MEDIATOR_PID_FILE=' <<<"$pkenv" && ! grep -q 'MULTI\|LOCUST' <<<"$pkenv" ||
	fail "stack/env on a --mediator-only stack: $pkenv"
plog="$RUN_TMP/pickup-stack/logs/mediator.log"
grep -q 'acapy_plugin_pickup' <(curl -s --max-time 10 \
	-H "x-api-key: $(cat "$RUN_TMP/pickup-stack/secrets/mediator-admin-api-key")" \
	"http://127.0.0.1:$((base + 2))/plugins") || fail "the mediator did not load acapy_plugin_pickup"
rid="itest-pickup-v2-$(date +%s)-$$"
run_pickup "$rid" "ws://127.0.0.1:$((base + 1))" "$(cat "$RUN_TMP/pickup-stack/state/mediator-invitation-url")" \
	--edge-pickup-limit 5
dir="$RUN_TMP/$rid"
r="$dir/results.json"
s="$(jq -c .edge_sessions "$r")"
# (a request in flight at the stop is neither answered nor failed: at most
# one an agent)
jq -e --argjson n $n '.edge_sessions | .unexpected_frames == 0 and .open_failures == 0 and
	.drops == 0 and (.pickup | .mode == "v2" and .discover_v2 >= 1 and
	.pickup_status >= .status_requests - $n and .timeouts == 0 and .refused == 0 and
	.delivered_batches > 0 and .delivered_messages > 0 and
	.messages_received == .delivered_batches and
	.messages_received_status >= .messages_received - $n and
	.live_requests > 0 and ([.attachment_errors[]] | add) == 0)' "$r" >/dev/null ||
	fail "Pickup 2.0: $s"
# every session that opened asked for its status (the first after the query)
jq -e '.edge_sessions | .opened == .pickup.status_requests' "$r" >/dev/null ||
	fail "sessions opened vs status requests: $s"
check_offline "$dir" 0
# no agent goes offline unless it is back DUR before the end: all drained
jq -e '.edge_sessions.pickup | .offline_now == 0 and .offline_undrained == 0 and
	.offline_sent == .drained_on_reconnect' "$r" >/dev/null || fail "left undrained: $s"
for name in 140_edge_pickup_status 141_edge_pickup_delivery 142_edge_pickup_received; do
	c="$(stat_of "$dir" WS "$name")"
	((c > 0)) || fail "no $name in the results"
done
(($(stat_of "$dir" WS 142_edge_pickup_received) == $(jq .edge_sessions.pickup.messages_received_status "$r") &&
	$(stat_of "$dir" WS 140_edge_pickup_status) == $(jq .edge_sessions.pickup.pickup_status "$r"))) ||
	fail "140/142 differ from the answers counted: $s"
if grep -E ' ERROR |Traceback' "$plog" |
	grep -v -E 'Unexpected Websocket message type received: (8|257|WSMsgType.CLOSED?)' >"$RUN_TMP/errors"; then
	fail "the 0.8.2 mediator logged errors: $(head -c 300 "$RUN_TMP/errors")"
fi
echo "ok: $MEDLOAD_ACAPY_RELEASE implicit $implicit; 0.8.2+pickup $(jq -c '.edge_sessions.pickup |
	{delivered_batches, delivered_messages, duplicates, offline_sent, drained_on_reconnect, offline_undrained}' "$r")"
