#!/usr/bin/env bash
# medload collect between real agents and a real OpenSearch: the stack's
# mediator and multi-agent trace into the collector (restarted for this
# test with --trace-to), which forwards to OpenSearch; every event the
# agents sent is stored once and found once. Then the spool: events that
# arrive while the server is down (and across a kill -9 of the collector)
# are forwarded, exactly once, when it comes back.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
load_stack_env
M="$MEDLOAD_REPO/medload"
T=$(mktemp -d)
rel="${MEDLOAD_ACAPY_RELEASE:-seed}"
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
cport=$(test_port 10 $((19701 + $$ % 100)))
idx="medload-traces-col$$"
cpid="" ppid=""
restore() {
	[[ -n "$cpid" ]] && kill "$cpid" 2>/dev/null
	[[ -n "$ppid" ]] && kill "$ppid" 2>/dev/null
	# Give the next tests the stack they expect: agents tracing to logs.
	"$STACK/agents" stop >/dev/null 2>&1 || true
	"$STACK/up" --acapy "$rel" >"$T/restore.log" 2>&1 || echo "could not restore the stack: $(tail -3 "$T/restore.log")" >&2
	curl -s -XDELETE "$os/$idx,$idx-spool" >/dev/null
	curl -s -XDELETE "$os/_index_template/medload-$idx" >/dev/null
	curl -s -XDELETE "$os/_index_template/medload-$idx-spool" >/dev/null
	rm -rf "$T"
}
trap restore EXIT

"$M" collect --listen "127.0.0.1:$cport" -o "$T/agents.ndjson" --es "$os" --index "$idx" --run-id it24 2>"$T/collect.err" &
cpid=$!
waitfor 10 curl -sf -o /dev/null "http://127.0.0.1:$cport/_status" || fail "collector did not start: $(cat "$T/collect.err")"
"$STACK/agents" stop >/dev/null 2>&1 || true
"$STACK/up" --acapy "$rel" --trace-to "http://127.0.0.1:$cport/" >"$T/up.log" 2>&1 ||
	fail "agents tracing to the collector did not start: $(tail -3 "$T/up.log")"
"$STACK/drive-sample" --tenants 2 --pings 2 >"$T/drive.log" 2>&1 || fail "drive-sample failed: $(tail -3 "$T/drive.log")"
sleep 1
kill -TERM "$cpid"
wait "$cpid" || fail "collector exit status $?"
cpid=""
lines=$(wc -l <"$T/agents.ndjson")
((lines > 50)) || fail "only $lines events reached the collector"
grep -q "received $lines, stored $lines, bad 0" "$T/collect.err" || fail "collector summary: $(cat "$T/collect.err")"
grep -q "forwarded $lines, 0 bytes left" "$T/collect.err" || fail "not all forwarded: $(cat "$T/collect.err")"
curl -s -XPOST "$os/$idx/_refresh" >/dev/null
n=$(curl -s "$os/$idx/_count" | jq .count)
[[ "$n" == "$lines" ]] || fail "OpenSearch holds $n events, the collector stored $lines"
labels=$(jq -r .handler "$T/agents.ndjson" | sort -u | tr '\n' ' ')
[[ "$labels" == "ArgParse mediator.trace multi.agent.trace " || "$labels" == "mediator.trace multi.agent.trace " ]] ||
	fail "labels seen: $labels"
jq -e 'select(.medload.run_id != "it24" or .medload.path != "/acapy.events")' "$T/agents.ndjson" >/dev/null &&
	fail "events without the run id or the tag's path"
a=$("$M" analyze --format json "$T/agents.ndjson" | jq .events.accepted)
b=$("$M" analyze --es "$os" --index "$idx" --mode raw --run-id it24 --format json | jq .events.accepted)
[[ "$a" == "$b" && "$a" -gt 0 ]] || fail "analysis of the file ($a) and of OpenSearch ($b) differ"

# The spool: the server is away (nothing listens on pport) while 120 events
# arrive; the collector is killed with -9 and restarted; then the server
# comes back (a plain forwarding proxy appears on pport).
pport=$((cport + 150))
"$M" collect --listen "127.0.0.1:$cport" -o "$T/spool.ndjson" --es "http://127.0.0.1:$pport" --index "$idx-spool" 2>"$T/c2.err" &
cpid=$!
waitfor 10 curl -sf -o /dev/null "http://127.0.0.1:$cport/_status" || fail "collector did not start"
head -120 "$MEDLOAD_REPO/tests/data/acapy-0.12.0-traces.ndjson" | while read -r ev; do
	curl -sf -o /dev/null -XPOST --data-binary "$ev" "http://127.0.0.1:$cport/acapy.events" || echo x
done >"$T/posterrors"
[[ ! -s "$T/posterrors" ]] || fail "$(wc -l <"$T/posterrors") events refused while the server was down"
pending=$(curl -s "http://127.0.0.1:$cport/_status" | jq .pending_bytes)
((pending > 0)) || fail "nothing pending while the server is down"
kill -9 "$cpid"; wait "$cpid" 2>/dev/null || true; cpid=""
[[ $(wc -l <"$T/spool.ndjson") == 120 ]] || fail "spool holds $(wc -l <"$T/spool.ndjson") events after kill -9, want 120"
python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$os" --port "$pport" --log "$T/proxy.log" --lifetime 60 >"$T/proxy.out" 2>&1 &
ppid=$!
waitfor 10 grep -q ready "$T/proxy.out" || fail "proxy did not start"
"$M" collect --listen "127.0.0.1:$cport" -o "$T/spool.ndjson" --es "http://127.0.0.1:$pport" --index "$idx-spool" 2>"$T/c3.err" &
cpid=$!
waitfor 30 bash -c "[[ \$(curl -s http://127.0.0.1:$cport/_status | jq .pending_bytes) == 0 ]]" ||
	fail "the spool was not forwarded after the server came back"
kill -TERM "$cpid"; wait "$cpid"; cpid=""
curl -s -XPOST "$os/$idx-spool/_refresh" >/dev/null
n=$(curl -s "$os/$idx-spool/_count" | jq .count)
[[ "$n" == 120 ]] || fail "after the outage OpenSearch holds $n events, want 120 (each once)"
echo "real agents -> collector -> OpenSearch: $lines events stored and found once; 120 spooled events survived kill -9 and an outage"
