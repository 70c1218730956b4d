#!/usr/bin/env bash
# Faults between medload and a real Elasticsearch, injected by a proxy in
# front of it (tests/tools/faultproxy.py): 429 with Retry-After is retried
# and the result is complete; a server that stops answering mid-export gives
# a partial result (exit 4, "partial": true, one-line message) and the scroll
# context is released; Ctrl-C mid-export does the same. A server that
# repeats itself cannot keep medload reading: one stuck on a scroll page,
# or whose pages hold more hits than it counted, gives a partial result
# (exit 4) with a message, at once; one that sends a composite after_key
# again ends aggs mode with an error. ingest sends again the items an
# index write block refuses for now, and counts them failed when the
# block stays.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
T=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
idx="medload-traces-fault$$"
"$M" ingest --es "$es" --index "$idx" "$D/acapy-0.12.0-traces.ndjson" "$D/acapy-1.7.0-traces.ndjson" >/dev/null 2>&1 ||
	fail "ingest failed"
"$M" analyze --es "$es" --index "$idx" --mode raw --format json >"$T/direct.json" || fail "direct analysis failed"

port=$(test_port 20 $((19200 + $$ % 500)))
proxy() { # proxy NAME ARGS...: starts the fault proxy, waits until it listens
	local name=$1
	shift
	python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$es" --port "$port" \
		--log "$T/$name.log" --lifetime 120 "$@" >"$T/$name.out" 2>&1 &
	pids+=($!)
	for _ in $(seq 50); do grep -q ready "$T/$name.out" 2>/dev/null && return 0; sleep 0.1; done
	fail "fault proxy did not start"
}
open_scrolls() { curl -s "$es/_nodes/stats/indices/search" | jq '[.nodes[].indices.search.scroll_current] | add'; }

# 1. The first two searches get 429 + Retry-After: medload waits and retries.
proxy p429 --match 'POST /.*_search' --fail-first 2 --status 429 --retry-after 1
"$M" analyze --es "http://127.0.0.1:$port" --index "$idx" --mode raw --batch 100 --format json >"$T/r429.json" 2>"$T/err" ||
	fail "429 twice: exit $?: $(cat "$T/err")"
[[ $(grep -c -- '-> 429' "$T/p429.log") == 2 ]] || fail "expected two 429 answers: $(cat "$T/p429.log")"
[[ $(jq .events.accepted "$T/r429.json") == $(jq .events.accepted "$T/direct.json") ]] ||
	fail "after retries: $(jq .events.accepted "$T/r429.json") events, want $(jq .events.accepted "$T/direct.json")"
[[ $(jq .source.partial "$T/r429.json") == false ]] || fail "after retries the result must not be partial"
kill "${pids[-1]}"; sleep 0.3

# 2. After the first scroll page the server answers 503 for good.
port=$((port + 1))
proxy p503 --match 'POST /_search/scroll' --fail-after 1 --status 503
rc=0
"$M" analyze --es "http://127.0.0.1:$port" --index "$idx" --mode raw --batch 100 --format json >"$T/r503.json" 2>"$T/err" || rc=$?
[[ $rc == 4 ]] || fail "server gone mid-export: exit $rc, want 4: $(cat "$T/err")"
[[ $(jq .source.partial "$T/r503.json") == true ]] || fail "the result must say partial"
got=$(jq .events.read "$T/r503.json")
((got >= 200 && got < 574)) || fail "partial result holds $got events, want 200 <= n < 574"
grep -q 'HTTP 503: injected_fault: fault injected by the test proxy' "$T/err" ||
	fail "the server's error is not shown in one line: $(cat "$T/err")"
[[ $(wc -l <"$T/err") -le 3 ]] || fail "error output longer than 3 lines: $(cat "$T/err")"
grep -q 'DELETE /_search/scroll -> 200' "$T/p503.log" || fail "scroll not released: $(cat "$T/p503.log")"
[[ $(open_scrolls) == 0 ]] || fail "$(open_scrolls) scroll contexts left open on the server"
kill "${pids[-1]}"; sleep 0.3

# 3. Ctrl-C while a scroll page is slow to come.
port=$((port + 1))
proxy pint --match 'POST /_search/scroll' --delay 3
rc=0
"$M" analyze --es "http://127.0.0.1:$port" --index "$idx" --mode raw --batch 100 --format json >"$T/rint.json" 2>"$T/err" &
mpid=$!
sleep 1.5
kill -INT $mpid
wait $mpid || rc=$?
[[ $rc == 4 ]] || fail "Ctrl-C: exit $rc, want 4: $(cat "$T/err")"
[[ $(jq .source.partial "$T/rint.json") == true ]] || fail "Ctrl-C: the result must say partial"
sleep 0.5
grep -q 'DELETE /_search/scroll -> 200' "$T/pint.log" || fail "Ctrl-C: scroll not released: $(cat "$T/pint.log")"
[[ $(open_scrolls) == 0 ]] || fail "Ctrl-C: $(open_scrolls) scroll contexts left open"

kill "${pids[-1]}"; sleep 0.3

# 4. A server stuck on one scroll page: the first scroll answer, again and again.
port=$((port + 1))
proxy prep --match 'POST /_search/scroll' --replay 1
rc=0
timeout -k 5 60 "$M" analyze --es "http://127.0.0.1:$port" --index "$idx" --mode raw --batch 100 --format json \
	>"$T/rrep.json" 2>"$T/err" || rc=$?
[[ $rc == 4 ]] || fail "a repeated scroll page: exit $rc, want 4: $(tail -c 300 "$T/err")"
[[ $(jq .source.partial "$T/rrep.json") == true ]] || fail "a repeated scroll page: the result must say partial"
[[ $(jq .events.read "$T/rrep.json") == 200 ]] ||
	fail "a repeated scroll page: $(jq .events.read "$T/rrep.json") events read, want the 200 before the repeat"
grep -q '^medload: slice 0: the server sent page 2 again as page 3 (the same 100 hits); stopping after 200 hits$' "$T/err" ||
	fail "a repeated scroll page: $(cat "$T/err")"
[[ $(grep -c 'replayed answer' "$T/prep.log") == 1 ]] ||
	fail "medload asked for $(grep -c 'replayed answer' "$T/prep.log") repeated pages, want 1"
sleep 0.5
grep -q 'DELETE /_search/scroll -> 200' "$T/prep.log" || fail "repeated page: scroll not released: $(cat "$T/prep.log")"
[[ $(open_scrolls) == 0 ]] || fail "repeated page: $(open_scrolls) scroll contexts left open"
kill "${pids[-1]}"; sleep 0.3

# 5. Pages that hold more hits than the count says (150 of 574): stopped past the count and its margin.
port=$((port + 1))
proxy ptot --match 'POST /.*_search' --set-total 150
rc=0
timeout -k 5 60 "$M" analyze --es "http://127.0.0.1:$port" --index "$idx" --mode raw --batch 100 --format json \
	>"$T/rtot.json" 2>"$T/err" || rc=$?
[[ $rc == 4 ]] || fail "more hits than counted: exit $rc, want 4: $(tail -c 300 "$T/err")"
[[ $(jq .events.read "$T/rtot.json") == 200 ]] ||
	fail "more hits than counted: $(jq .events.read "$T/rtot.json") events read, want 200 (150 and a margin of 7 + a page)"
grep -q '^medload: slice 0: the server sent more hits than the 150 it counted; stopping after 200 hits$' "$T/err" ||
	fail "more hits than counted: $(cat "$T/err")"
kill "${pids[-1]}"; sleep 0.3

# 6. Aggs mode: a composite page whose after_key comes again.
port=$((port + 1))
proxy pagg --match '_search' --match-body '"composite"' --replay 1
rc=0
timeout -k 5 60 "$M" analyze --es "http://127.0.0.1:$port" --index "$idx" --mode aggs --format json \
	>"$T/ragg.json" 2>"$T/err" || rc=$?
[[ $rc == 3 ]] || fail "a repeated after_key: exit $rc, want 3: $(tail -c 300 "$T/err")"
grep -q '^medload: composite aggregation: the server sent the after_key {"label":.*} again; stopping$' "$T/err" ||
	fail "a repeated after_key: $(cat "$T/err")"
[[ $(grep -c 'replayed answer' "$T/pagg.log") == 1 ]] ||
	fail "medload asked for $(grep -c 'replayed answer' "$T/pagg.log") repeated composite pages, want 1"

kill "${pids[-1]}"; sleep 0.3

# 7. ingest into an index that refuses writes for 2 s (the block a full
# disk puts on it: _bulk answers 200 with a 429 for every item): the
# items go again and all are indexed. Then a block that stays: after
# six sends the items count as failed, exit 4, the reason said.
src="$D/acapy-0.12.0-traces.ndjson"
ib="$idx-block"
block() { curl -s -XPUT -H 'Content-Type: application/json' "$es/$ib/_settings" \
	-d "{\"index.blocks.read_only_allow_delete\": $1}" >/dev/null; }
"$M" ingest --es "$es" --index "$ib" "$D/acapy-1.7.0-traces.ndjson" >"$T/ib0" 2>&1 || fail "ingest (block, first): $(cat "$T/ib0")"
before=$(curl -s "$es/$ib/_count" | jq .count)
block true
(sleep 2; block null) &
rc=0
timeout -k 5 60 "$M" ingest --es "$es" --index "$ib" --batch-bytes 20000 "$src" >"$T/ib1" 2>"$T/ib1.err" || rc=$?
wait $!
n=$(grep -c . "$src")
[[ $rc == 0 ]] || fail "ingest through a 2 s write block: exit $rc: $(cat "$T/ib1" "$T/ib1.err")"
grep -q "indexed $n, rejected 0 (not trace events), failed 0 (not indexed) of $n records" "$T/ib1" ||
	fail "ingest through a 2 s write block: $(cat "$T/ib1" "$T/ib1.err")"
after=$(curl -s "$es/$ib/_count" | jq .count)
((after == before + n)) || fail "ingest through a 2 s write block: $after documents, want $before + $n"
block true
rc=0
timeout -k 5 90 "$M" ingest --es "$es" --index "$ib" --batch-bytes 1000000 "$src" >"$T/ib2" 2>"$T/ib2.err" || rc=$?
block null
[[ $rc == 4 ]] || fail "ingest into a write block that stays: exit $rc, want 4: $(cat "$T/ib2" "$T/ib2.err")"
grep -q "indexed 0, rejected 0 (not trace events), failed $n (not indexed) of $n records" "$T/ib2" ||
	fail "ingest into a write block that stays: $(cat "$T/ib2")"
grep -q 'refused by the server: refused for now (429 or 5xx) on each of 6 sends over 15 s' "$T/ib2.err" ||
	fail "ingest into a write block that stays: the reason is not said: $(cat "$T/ib2.err")"
curl -s -XDELETE "$es/$ib" >/dev/null
curl -s -XDELETE "$es/_index_template/medload-$ib" >/dev/null

curl -s -XDELETE "$es/$idx" >/dev/null
curl -s -XDELETE "$es/_index_template/medload-$idx" >/dev/null
echo "ingest sends items refused for now again; 429 retried, server loss, Ctrl-C, a repeated page and too many hits give partial results, scrolls released; a repeated after_key stops"
