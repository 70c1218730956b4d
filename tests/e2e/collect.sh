#!/bin/sh
# collect.sh: medload collect as ACA-Py and misbehaving clients meet it:
# answers by case, events on disk before the 200 (checked across kill -9),
# a connection flood bounded without losing service, SIGTERM exits cleanly.
. "$(dirname "$0")/../lib.sh"
port=$((19700 + $$ % 200))
url=http://127.0.0.1:$port
out=$TMP/traces.ndjson
ev="$REPO/tests/data/acapy-1.7.0-traces.ndjson"

start() {
	"$MEDLOAD" collect --listen "127.0.0.1:$port" -o "$out" "$@" 2>"$TMP/collect.err" &
	cpid=$!
	wait_for 50 curl -s -o /dev/null "$url/_status"
}
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }

start --max-body 4096
[ "$(head -1 "$ev" | code -XPOST -H 'Content-Type: application/json' --data-binary @- "$url/acapy.events")" = 200 ] &&
    pass collect-200 || fail collect-200 "an event was not accepted"
[ "$(code -XPOST --data-binary 'not json' "$url/acapy.events")" = 400 ] && pass collect-400 || fail collect-400 "bad JSON not refused"
[ "$(code -XPOST --data-binary '[1,2]' "$url/acapy.events")" = 400 ] && pass collect-400-array || fail collect-400-array "array accepted"
[ "$(code -XPOST --data-binary '{"a":1} {"b":2}' "$url/acapy.events")" = 400 ] && pass collect-400-two || fail collect-400-two "two objects accepted"
head -c 10000 /dev/zero | tr '\0' a >"$TMP/big"
[ "$(code -XPOST --data-binary @"$TMP/big" "$url/acapy.events")" = 413 ] && pass collect-413 || fail collect-413 "large body not refused"
[ "$(code "$url/elsewhere")" = 404 ] && pass collect-404 || fail collect-404 "unknown GET path"
[ "$(code -XPUT --data-binary '{}' "$url/acapy.events")" = 405 ] && pass collect-405 || fail collect-405 "PUT accepted"
curl -s "$url/_status" >"$TMP/status"
grep -q '"written":1,"bad_json":3,"too_large":1' "$TMP/status" && pass collect-status || fail collect-status "$(cat "$TMP/status")"
line=$(head -1 "$out")
echo "$line" | jq -e '.medload.path == "/acapy.events" and .medload.received != null and ."@timestamp" == "2026-11-29T07:56:43.428392Z" and .elapsed_milli == 0' >/dev/null &&
    pass collect-line || fail collect-line "stored line: $line"
kill -TERM $cpid
wait $cpid
rc=$?
[ $rc = 0 ] && pass collect-sigterm || fail collect-sigterm "exit $rc"
grep -q 'received 5, stored 1, bad 3, too large 1, refused 2' "$TMP/collect.err" && pass collect-summary || fail collect-summary "$(cat "$TMP/collect.err")"

# Acknowledged events survive kill -9: 8 clients post 40 events each; every
# event answered 200 must be in the file.
: >"$out"
start
python3 - "$url" "$ev" "$TMP/acked" <<'PY' &
import json, sys, threading, urllib.request
url, src, acked = sys.argv[1], sys.argv[2], sys.argv[3]
events = [l for l in open(src)][:320]
lock = threading.Lock(); ok = []
def client(part):
    for i, e in enumerate(part):
        tagged = json.loads(e); tagged["msg_id"] = "kill9-%s" % tagged["msg_id"] + "-%d-%d" % (id(part) % 997, i)
        body = json.dumps(tagged).encode()
        try:
            r = urllib.request.urlopen(urllib.request.Request(url + "/acapy.events", data=body,
                headers={"Content-Type": "application/json"}), timeout=5)
            if r.status == 200:
                with lock: ok.append(tagged["msg_id"])
        except Exception:
            pass
ts = [threading.Thread(target=client, args=(events[k::8],)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
open(acked, "w").write("\n".join(ok) + "\n")
PY
ppid=$!
# Kill it mid-stream: once some events are in (at most 5 s).
some_in() { [ "$(curl -s "$url/_status" | jq .written)" -ge 40 ] 2>/dev/null; }
wait_for 50 some_in
kill -9 $cpid
wait $ppid
wait $cpid 2>/dev/null
n=$(grep -c kill9 "$TMP/acked")
missing=$(python3 - "$TMP/acked" "$out" <<'PY'
import json, sys
acked = [l.strip() for l in open(sys.argv[1]) if l.strip()]
stored = set()
for l in open(sys.argv[2]):
    try: stored.add(json.loads(l)["msg_id"])
    except ValueError: pass
print(sum(1 for a in acked if a not in stored))
PY
)
if [ "$n" -gt 0 ] && [ "$missing" = 0 ]; then pass collect-kill9-keeps-acked; else
	fail collect-kill9-keeps-acked "$missing of $n acknowledged events missing"; fi

# A flood of idle connections is bounded; the server keeps answering.
: >"$out"
start --max-connections 64
python3 - "$port" <<'PY' &
import socket, time
socks = []
for _ in range(300):
    try:
        s = socket.create_connection(("127.0.0.1", int(__import__("sys").argv[1])), timeout=1)
        socks.append(s)
    except OSError:
        pass
time.sleep(3)
PY
fpid=$!
sleep 1.5
kill $fpid 2>/dev/null
wait $fpid 2>/dev/null
sleep 0.5
[ "$(head -1 "$ev" | code -XPOST --data-binary @- "$url/acapy.events")" = 200 ] &&
    pass collect-after-flood || fail collect-after-flood "no service after a connection flood"
kill -TERM $cpid
wait $cpid

# A spool whose last line lost its end (the disk filled, or medload died
# mid-write): at start the collector cuts that fragment, says so, and the
# events that follow are stored on lines of their own.
head -3 "$ev" >"$out"
head -4 "$ev" | tail -1 | head -c 100 >>"$out"
start
[ "$(head -5 "$ev" | tail -1 | code -XPOST --data-binary @- "$url/acapy.events")" = 200 ] || fail collect-torn-post "not stored"
kill -TERM $cpid
wait $cpid
expect_grep collect-torn-says 'cut a torn last line (100 bytes at offset' "$TMP/collect.err"
"$MEDLOAD" analyze --format json "$out" >"$TMP/torn.json" 2>"$TMP/torn.err"
[ "$(jq -c '[.events.read, .events.rejected]' "$TMP/torn.json")" = "[4,0]" ] &&
    pass collect-torn-repaired || fail collect-torn-repaired "$(jq -c .events "$TMP/torn.json") $(head -c 200 "$TMP/torn.err")"

# Every stored line is valid UTF-8 and JSON, whichever way it is built: a
# URL path with %ff, %c0%80 or control characters, on the fast path and on
# the json-c path (a body with its own "medload" member), and a run id.
: >"$out"
start --run-id "$(printf 'r\377\001')"
e1=$(head -1 "$ev")
e2=$(printf '%s' "$e1" | jq -c '. + {medload: {mine: 1}}')
codes=""
for p in '/acapy.events%ff' '/a%c0%80' '/a%01%1b%22%5c'; do
	codes="$codes$(printf '%s' "$e1" | code -XPOST --data-binary @- "$url$p")"
	codes="$codes$(printf '%s' "$e2" | code -XPOST --data-binary @- "$url$p")"
done
kill -TERM $cpid
wait $cpid
[ "$codes" = 200200200200200200 ] || fail collect-utf8-answers "answers $codes"
python3 - "$out" >"$TMP/utf8" 2>&1 <<'PY'
import json, sys
paths = []
for raw in open(sys.argv[1], "rb"):
    doc = json.loads(raw.decode("utf-8", "strict"))
    paths.append(doc["medload"]["path"] + " " + doc["medload"]["run_id"])
print(len(paths), len(set(paths)), sorted(set(paths)))
PY
expect_grep collect-utf8-lines "^6 3 " "$TMP/utf8"
"$MEDLOAD" analyze --format json "$out" >"$TMP/utf8.json" 2>"$TMP/utf8.err"
[ "$(jq -c '[.events.read, .events.rejected]' "$TMP/utf8.json")" = "[6,0]" ] &&
    pass collect-utf8-analyze || fail collect-utf8-analyze "$(jq -c .events "$TMP/utf8.json") $(head -c 300 "$TMP/utf8.err")"

# FILE.offset (what the forwarder has sent) is ignored when it does not
# fall after a whole line (the spool was cut or replaced). No server
# listens: pending_bytes is what is left to send.
head -3 "$ev" >"$out"
size=$(wc -c <"$out")
first=$(head -1 "$ev" | wc -c)
dead=http://127.0.0.1:$((port + 1))
for case in "$first:$((size - first))" "$((first + 5)):$size" "$((size + 10)):$size"; do
	printf '%s\n' "${case%%:*}" >"$out.offset"
	start --es "$dead"
	got=$(curl -s "$url/_status" | jq .pending_bytes)
	kill -TERM $cpid
	wait $cpid
	[ "$got" = "${case#*:}" ] && pass "collect-offset-${case%%:*}" ||
	    fail "collect-offset-${case%%:*}" "pending $got, want ${case#*:}"
done
