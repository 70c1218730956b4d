#!/bin/sh
# collect-metrics.sh: medload collect --metrics. Real ACA-Py traces (0.12.0
# and 1.7.0) and bad bodies are POSTed; /metrics (checked by promtool when
# installed) must give per label what the posted lines say and what the
# collector's /_status and file say. Hostile labels and a flood of labels
# cannot break a scrape. The forwarder's server is away (a closed port),
# so the backlog grows; a scrape during the drain after SIGTERM still
# answers (stopping 1), and nothing listens after the exit. Bad input: a
# port in use, an address not allowed, a malformed address.
. "$(dirname "$0")/../lib.sh"
port=$((19500 + $$ % 150))
mport=$((port + 160))
dead=$((port + 320))
url=http://127.0.0.1:$port
murl=http://127.0.0.1:$mport/metrics
out=$TMP/traces.ndjson
: >"$TMP/posted"
for f in acapy-0.12.0-traces.ndjson acapy-1.7.0-traces.ndjson; do
	head -40 "$REPO/tests/data/$f" >>"$TMP/posted"
done

"$MEDLOAD" collect --listen "127.0.0.1:$port" -o "$out" --max-body 4096 \
    --es "http://127.0.0.1:$dead" --drain 3s --metrics "127.0.0.1:$mport" \
    2>"$TMP/collect.err" &
cpid=$!
wait_for 50 curl -sf -o /dev/null "$murl"
while read -r l; do
	printf '%s' "$l" | curl -s -o /dev/null -XPOST --data-binary @- "$url/acapy.events"
done <"$TMP/posted"
curl -s -o /dev/null -XPOST --data-binary 'not json' "$url/acapy.events"
curl -s -o /dev/null -XPOST --data-binary '[1]' "$url/acapy.events"
head -c 6000 /dev/zero | tr '\0' a | curl -s -o /dev/null -XPOST --data-binary @- "$url/acapy.events"
# a label with a quote, a backslash and a control character, and an outcome
# with a newline: escaped, the scrape stays valid
curl -s -o /dev/null -XPOST --data-binary \
    '{"handler":"x\"y\\\u0001z","outcome":"a\nb","elapsed_milli":7,"timestamp":1}' \
    "$url/acapy.events"
sleep 1.5
curl -sf "$murl" >"$TMP/m1" && pass collect-metrics-scrape ||
    fail collect-metrics-scrape "no answer on $murl: $(cat "$TMP/collect.err")"
curl -s "$url/_status" >"$TMP/status"
if command -v promtool >/dev/null; then
	promtool check metrics <"$TMP/m1" >"$TMP/lint" 2>&1 &&
	    pass collect-metrics-promtool ||
	    fail collect-metrics-promtool "$(head -c 300 "$TMP/lint")"
fi
python3 - "$TMP/m1" "$TMP/posted" "$TMP/status" "$out" <<'PY' >"$TMP/cmp" 2>&1 &&
import json, os, re, sys
text, posted, status, spool = sys.argv[1:5]
m = {}
for line in open(text):
    if line.startswith("#") or not line.strip():
        continue
    k, v = line.rsplit(" ", 1)
    m[k] = float(v)
def get(name, **labels):
    # the sum over the series of name whose labels include these
    tot = 0
    for k, v in m.items():
        n = k.split("{", 1)[0]
        if n != name:
            continue
        ls = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', k))
        if all(ls.get(a) == b for a, b in labels.items()):
            tot += v
    return tot
st = json.load(open(status))
evs = [json.loads(l) for l in open(posted)]
for e in evs:  # ACA-Py 0.12 writes ellapsed_milli
    e.setdefault("elapsed_milli", e.get("ellapsed_milli"))
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append("%s: /metrics %s, want %s" % (what, got, exp))
for lab in sorted({e["handler"] for e in evs}):
    mine = [e for e in evs if e["handler"] == lab]
    want("received " + lab, get("medload_collect_events_received_total", label=lab), len(mine))
    want("spooled " + lab, get("medload_collect_events_spooled_total", label=lab), len(mine))
    want("histogram count " + lab, get("medload_collect_outcome_duration_seconds_count", label=lab), len(mine))
    fast = len([e for e in mine if e["elapsed_milli"] <= 5])
    want("le=0.005 " + lab, get("medload_collect_outcome_duration_seconds_bucket", label=lab, le="0.005"), fast)
    want("+Inf " + lab, get("medload_collect_outcome_duration_seconds_bucket", label=lab, le="+Inf"), len(mine))
    s = sum(e["elapsed_milli"] for e in mine) / 1000
    if abs(get("medload_collect_outcome_duration_seconds_sum", label=lab) - s) > 1e-3:
        bad.append("sum %s" % lab)
want("spooled = written", get("medload_collect_events_spooled_total"), st["written"])
want("received", get("medload_collect_events_received_total"), st["received"])
want("not_json", get("medload_collect_events_refused_total", reason="not_json"), st["bad_json"])
want("too_large", get("medload_collect_events_refused_total", reason="too_large"), st["too_large"])
want("spool bytes", get("medload_collect_spool_bytes"), os.path.getsize(spool))
want("backlog", get("medload_collect_forward_backlog_bytes"), st["pending_bytes"])
want("forward up", get("medload_collect_forward_up"), 0)
want("forwarded", get("medload_collect_events_forwarded_total"), st["forwarded"])
want("hostile label", get("medload_collect_events_spooled_total", label='x\\"y\\\\\\\\x01z'), 1)
want("hostile outcome", get("medload_collect_outcome_duration_seconds_count", outcome="a\\\\x0ab"), 1)
print("\n".join(bad) if bad else "same figures")
sys.exit(1 if bad else 0)
PY
    pass collect-metrics-figures || fail collect-metrics-figures "$(head -c 600 "$TMP/cmp")"

# A flood of labels: capped, the rest under _other, every event counted.
i=0
while [ $i -lt 80 ]; do
	curl -s -o /dev/null -XPOST --data-binary \
	    "{\"handler\":\"flood-$i\",\"outcome\":\"o-$i\",\"elapsed_milli\":1,\"timestamp\":1}" \
	    "$url/acapy.events"
	i=$((i + 1))
done
sleep 1.5
curl -s "$murl" >"$TMP/m2"
n=$(grep -c '^medload_collect_events_received_total{' "$TMP/m2")
o=$(sed -n 's/^medload_collect_events_received_total{label="_other"} //p' "$TMP/m2")
total=$(awk '/^medload_collect_events_received_total\{/ { s += $2 } END { print s }' "$TMP/m2")
st=$(curl -s "$url/_status" | jq .received)
[ "$n" -le 65 ] && [ "${o:-0}" -gt 0 ] && [ "$total" = "$st" ] &&
    pass collect-metrics-label-cap ||
    fail collect-metrics-label-cap "$n label series, _other ${o:-none}, $total counted vs $st received"

# SIGTERM: the collector stops listening and drains (3 s, the server is
# away); /metrics still answers meanwhile, then goes with the process.
kill -TERM $cpid
sleep 1.2
curl -s --max-time 2 "$murl" >"$TMP/m3"
grep -q '^medload_collect_stopping 1' "$TMP/m3" &&
    grep -q '^medload_collect_forward_backlog_bytes [1-9]' "$TMP/m3" &&
    pass collect-metrics-during-shutdown ||
    fail collect-metrics-during-shutdown "scrape while draining: $(head -c 200 "$TMP/m3")"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -XPOST -d '{}' "$url/a")" = 000 ] &&
    pass collect-metrics-closed-while-draining ||
    fail collect-metrics-closed-while-draining "the collector still takes events while draining"
wait $cpid
rc=$?
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$murl")
[ $rc = 0 ] && [ "$code" = 000 ] && pass collect-metrics-exit ||
    fail collect-metrics-exit "exit $rc, /metrics after exit: $code"

# Bad input.
expect_rc collect-metrics-port-in-use 3 "$MEDLOAD" collect --listen \
    "127.0.0.1:$port" -o "$TMP/x.ndjson" --metrics "127.0.0.1:$port" --duration 1s
expect_grep collect-metrics-port-in-use-says "cannot listen" "$TMP/err"
[ ! -e "$TMP/x.ndjson" ] || [ "$(wc -c <"$TMP/x.ndjson")" = 0 ] &&
    pass collect-metrics-port-in-use-nothing-stored ||
    fail collect-metrics-port-in-use-nothing-stored "$(head -c 100 "$TMP/x.ndjson")"
expect_rc collect-metrics-remote 2 "$MEDLOAD" collect -o "$TMP/x.ndjson" \
    --metrics 10.9.8.7:9464 --duration 1s
expect_grep collect-metrics-remote-says "not a loopback address; give --allow-remote" "$TMP/err"
expect_rc collect-metrics-remote-allowed 3 "$MEDLOAD" collect --listen \
    "127.0.0.1:$port" -o "$TMP/x.ndjson" --metrics 10.9.8.7:9464 --allow-remote --duration 1s
expect_grep collect-metrics-remote-allowed-says "not an address of this machine" "$TMP/err"
expect_rc collect-metrics-malformed 2 "$MEDLOAD" collect -o "$TMP/x.ndjson" \
    --metrics "nope" --duration 1s
expect_grep collect-metrics-malformed-says 'is not ADDR:PORT' "$TMP/err"
