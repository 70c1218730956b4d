#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $vars of their own
# stack/drive-sample makes both agents write trace events to their logs
# (--trace-to log) with the elapsed field the release uses.
# shellcheck source=tests/integration/lib-stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
load_stack_env
[[ "$MEDLOAD_TRACE_TARGET" == log ]] || fail "stack runs with trace target $MEDLOAD_TRACE_TARGET, this test needs log"

m0="$(wc -l <"$MEDLOAD_MEDIATOR_LOG")"
a0="$(wc -l <"$MEDLOAD_MULTI_LOG")"
out="$("$STACK/drive-sample" --tenants 2 --pings 1 --timeout 60 2>&1)" ||
	fail "drive-sample failed: $(tail -n 1 <<<"$out")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tail -n +"$((m0 + 1))" "$MEDLOAD_MEDIATOR_LOG" >"$tmp/m.log"
tail -n +"$((a0 + 1))" "$MEDLOAD_MULTI_LOG" >"$tmp/a.log"
"$STACK/lib/extract-traces.sh" --tag "$MEDLOAD_TRACE_TAG" "$tmp/m.log" >"$tmp/m.ndjson"
"$STACK/lib/extract-traces.sh" --tag "$MEDLOAD_TRACE_TAG" "$tmp/a.log" >"$tmp/a.ndjson"
nm="$(wc -l <"$tmp/m.ndjson")"
na="$(wc -l <"$tmp/a.ndjson")"
((nm >= 20)) || fail "only $nm mediator trace events"
((na >= 20)) || fail "only $na multi-agent trace events"
jq -e . "$tmp/m.ndjson" "$tmp/a.ndjson" >/dev/null || fail "a trace event is not JSON"

# any FILE FILTER [jq args...]: true when some event matches the filter
# (jq 1.6's -e reflects only the last input, so count the matches instead).
any() {
	local file="$1" filter="$2"
	shift 2
	[[ -n "$(jq -c "$@" "select($filter)" "$file" | head -n 1)" ]]
}

f="$MEDLOAD_ACAPY_ELAPSED_FIELD"
case "$f" in
ellapsed_milli) other=elapsed_milli ;;
elapsed_milli) other=ellapsed_milli ;;
*) fail "unknown elapsed field $f" ;;
esac
for side in m a; do
	file="$tmp/$side.ndjson"
	[[ "$side" == m ]] && label=mediator.trace || label=multi.agent.trace
	bad="$(jq -r --arg l "$label" 'select(.handler != $l) | .handler' "$file" | sort -u | head -n 3)"
	[[ -z "$bad" ]] || fail "$label log has events with handler $bad"
	n="$(jq -r --arg f "$f" 'select(has($f) and (.[$f] | type == "number") and (.[$f] | floor == .)) | 1' "$file" | wc -l)"
	[[ "$n" == "$(wc -l <"$file")" ]] || fail "$label: not every event has integer $f"
	any "$file" 'has($o)' --arg o "$other" && fail "$label: events carry $other"
	any "$file" '(.timestamp | type) != "number" or (.str_time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\\.[0-9]{6}") | not)' &&
		fail "$label: bad timestamp/str_time"
done
# the ping to the mediator is handled there, with a positive duration
any "$tmp/m.ndjson" '.traced_type == "https://didcomm.org/trust_ping/1.0/ping" and .outcome == "Dispatcher.handle_message.END" and .[$f] > 0' \
	--arg f "$f" || fail "no mediator Dispatcher.handle_message.END for trust_ping/1.0/ping with $f > 0"
any "$tmp/m.ndjson" '.traced_type == "https://didcomm.org/routing/1.0/forward"' ||
	fail "the mediator traced no routing/1.0/forward (tenant-to-tenant messages must pass through it)"
any "$tmp/a.ndjson" '.outcome == "OutboundTransportManager.DELIVER.END.\($ep)"' --arg ep "$MEDLOAD_MEDIATOR_ENDPOINT" ||
	fail "the multi-agent traced no delivery to $MEDLOAD_MEDIATOR_ENDPOINT"
# one exchange joins across agents by thread_id
shared="$(comm -12 <(jq -r 'select(.thread_id != "N/A") | .thread_id' "$tmp/m.ndjson" | sort -u) \
	<(jq -r 'select(.thread_id != "N/A") | .thread_id' "$tmp/a.ndjson" | sort -u) | wc -l)"
((shared >= 3)) || fail "only $shared thread_ids appear in both agents' traces"
echo "ok: $nm mediator + $na multi-agent events, $f, $shared shared threads"
