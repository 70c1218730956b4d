#!/usr/bin/env bash
# medload collect between real agents and a real OpenSearch: the stack's
# mediator and multi-agent trace into the collector (restarted for this
# test with --trace-to), which forwards to OpenSearch; every event the
# agents sent is stored once and found once. Then the spool: events that
# arrive while the server is down (and across a kill -9 of the collector)
# are forwarded, exactly once, when it comes back. A real Prometheus
# (Debian's) scrapes the collector's --metrics while the agents post: its
# HTTP API gives the counts the collector's summary, the file and
# OpenSearch give, by trace label, and a latency quantile in the bucket of
# the exact one; the last scrape comes after SIGTERM, during the shutdown.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
load_stack_env
M="$MEDLOAD_REPO/medload"
T=$(mktemp -d)
rel="${MEDLOAD_ACAPY_RELEASE:-seed}"
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
cport=$(test_port 10 $((19701 + $$ % 100)))
idx="medload-traces-col$$"
mport=$(test_port 11 $((19801 + $$ % 100)))
pport=$(test_port 12 $((19901 + $$ % 100)))
cpid="" ppid="" prom=""
restore() {
	[[ -n "$cpid" ]] && kill "$cpid" 2>/dev/null
	[[ -n "$ppid" ]] && kill "$ppid" 2>/dev/null
	[[ -n "$prom" ]] && kill "$prom" 2>/dev/null
	# Give the next tests the stack they expect: agents tracing to logs.
	"$STACK/agents" stop >/dev/null 2>&1 || true
	"$STACK/up" --acapy "$rel" >"$T/restore.log" 2>&1 || echo "could not restore the stack: $(tail -3 "$T/restore.log")" >&2
	curl -s -XDELETE "$os/$idx,$idx-spool" >/dev/null
	curl -s -XDELETE "$os/_index_template/medload-$idx" >/dev/null
	curl -s -XDELETE "$os/_index_template/medload-$idx-spool" >/dev/null
	rm -rf "$T"
}
trap restore EXIT

command -v prometheus >/dev/null || fail "prometheus is not installed (tools/setup-deps)"
cat >"$T/prom.yml" <<YML
global: {scrape_interval: 500ms, scrape_timeout: 400ms}
scrape_configs:
  - job_name: medload-collect
    static_configs: [{targets: ["127.0.0.1:$mport"]}]
YML
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$T/prom.log" 2>&1 &
prom=$!
waitfor 20 curl -sf -o /dev/null "http://127.0.0.1:$pport/-/ready" ||
	fail "prometheus did not start: $(tail -3 "$T/prom.log")"
"$M" collect --listen "127.0.0.1:$cport" -o "$T/agents.ndjson" --es "$os" --index "$idx" --run-id it24 \
	--metrics "127.0.0.1:$mport" 2>"$T/collect.err" &
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

# What Prometheus scraped from --metrics, against the collector's counts.
q() { curl -sfG "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // "none"'; }
got=$(q 'sum(max_over_time(medload_collect_events_spooled_total[5m]))')
[[ "$got" == "$lines" ]] || fail "Prometheus counts $got spooled events, the collector stored $lines ($(tail -3 "$T/prom.log"))"
got=$(q 'sum(max_over_time(medload_collect_events_received_total[5m]))')
[[ "$got" == "$lines" ]] || fail "Prometheus counts $got received events, the collector $lines"
got=$(q 'sum(max_over_time(medload_collect_events_forwarded_total[5m]))')
[[ "$got" == "$lines" ]] || fail "Prometheus counts $got forwarded events, the collector $lines"
got=$(q 'max_over_time(medload_collect_stopping[5m])')
[[ "$got" == 1 ]] || fail "Prometheus never scraped the collector while it stopped ($got)"
for lab in mediator.trace multi.agent.trace; do
	want=$(jq -r --arg l "$lab" 'select(.handler == $l) | .handler' "$T/agents.ndjson" | wc -l)
	got=$(q "max_over_time(medload_collect_events_spooled_total{label=\"$lab\"}[5m])")
	[[ "$got" == "$want" ]] || fail "Prometheus counts $got $lab events, the file holds $want"
	got=$(q "sum(max_over_time(medload_collect_outcome_duration_seconds_count{label=\"$lab\"}[5m]))")
	[[ "$got" == "$want" ]] || fail "Prometheus histograms hold $got $lab events, the file $want"
done
jq -r 'select(.handler == "mediator.trace") | (.elapsed_milli // .ellapsed_milli)' "$T/agents.ndjson" >"$T/elapsed"
est=$(q 'histogram_quantile(0.95, sum by (le) (max_over_time(medload_collect_outcome_duration_seconds_bucket{label="mediator.trace"}[5m])))')
python3 - "$T/elapsed" "$est" <<'PY' || fail "Prometheus p95 of mediator.trace is $est s, not in the bucket of the exact one"
import bisect, math, sys
v = sorted(float(x) / 1000 for x in open(sys.argv[1]))
exact = v[max(0, math.ceil(0.95 * len(v)) - 1)]
est = float(sys.argv[2])
le = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
i = bisect.bisect_left(le, exact)
lo = le[i - 1] if i > 0 else 0.0
hi = le[i] if i < len(le) else float("inf")
sys.exit(0 if lo <= est <= hi else 1)
PY
kill "$prom" 2>/dev/null; wait "$prom" 2>/dev/null; prom=""

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
echo "real agents -> collector -> OpenSearch: $lines events stored and found once, Prometheus agrees (p95 of mediator.trace $est s); 120 spooled events survived kill -9 and an outage"
