#!/usr/bin/env bash
# One answer cannot exhaust medload's memory. The fault proxy in front of
# the real OpenSearch and Elasticsearch makes answers 40 MB larger with a
# member of many small objects (parsed whole into a json-c tree, such an
# answer took 4 GB): aggs mode (composite, series and outcome answers),
# raw mode (scroll pages and the scroll's release), ingest and the
# collector's forwarder (_bulk answers) still give their full result in a
# bounded memory; an answer that is parsed whole (the count, the nightly
# history) is refused with a message saying it is too large. Peak RSS of
# each medload stays under 200 MiB.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
T=$(mktemp -d)
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
idx="medload-traces-mem$$"
pad=40000000
limit=200	# MiB
pid="" cpid=""
cleanup() {
	[[ -n "$pid" ]] && kill "$pid" 2>/dev/null
	[[ -n "$cpid" ]] && kill "$cpid" 2>/dev/null
	for u in "$os" "$es"; do
		curl -s -o /dev/null --max-time 10 -X DELETE "$u/$idx,$idx-in,$idx-col,$idx-hist?ignore_unavailable=true" || true
		for t in "$idx" "$idx-in" "$idx-col"; do
			curl -s -o /dev/null --max-time 10 -X DELETE "$u/_index_template/medload-$t" || true
		done
	done
	rm -rf "$T"
}
trap cleanup EXIT
port="$(free_port 50)"
proxy() { # proxy UPSTREAM ARGS...: (re)starts the padding proxy on port
	[[ -n "$pid" ]] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
	local up=$1
	shift
	: >"$T/p.log"
	python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$up" --port "$port" \
		--pad "$pad" --log "$T/p.log" --lifetime 200 "$@" >"$T/p.out" 2>&1 &
	pid=$!
	for _ in $(seq 50); do grep -q ready "$T/p.out" 2>/dev/null && return 0; sleep 0.1; done
	fail "fault proxy did not start: $(cat "$T/p.out")"
}
# measure NAME ARGS...: medload ARGS through the proxy (URL in ARGS), stdout to
# T/NAME.json, stderr to T/err; sets rc and rss (peak, MiB)
measure() {
	local name=$1 out
	shift
	out=$(python3 - "$T/$name.json" "$T/err" "$M" "$@" <<'PY'
import resource, subprocess, sys
with open(sys.argv[1], "wb") as o, open(sys.argv[2], "wb") as e:
    rc = subprocess.run(sys.argv[3:], stdout=o, stderr=e, timeout=150).returncode
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
)
	read -r rc rss <<<"$out"
}
padded() { grep -c '^padded to' "$T/p.log" || true; }
P="http://127.0.0.1:$port"
for url in "$os" "$es"; do
	name="$(curl -s --max-time 10 "$url" | jq -r '.version.distribution // "elasticsearch"')"
	"$M" ingest --es "$url" --index "$idx" "$D/acapy-0.12.0-traces.ndjson" "$D/acapy-1.7.0-traces.ndjson" >"$T/ingest" 2>&1 ||
		fail "$name ingest: $(cat "$T/ingest")"
	"$M" analyze --es "$url" --index "$idx" --mode aggs --format json >"$T/aggs-direct.json" || fail "$name: direct aggs"

	# 1. Aggs mode: the group, series and outcome answers are 40 MB larger; the report is the same.
	proxy "$url" --match '_search' --match-body '"composite"|"spec"|"outcomes"'
	measure aggs analyze --es "$P" --index "$idx" --mode aggs --format json
	[[ $rc == 0 ]] || fail "$name aggs through padded answers: exit $rc: $(tail -c 300 "$T/err")"
	(($(padded) >= 5)) || fail "$name aggs: the proxy padded $(padded) answers: $(cat "$T/p.log")"
	((rss < limit)) || fail "$name aggs through $(padded) answers of 40 MB: peak RSS $rss MiB (limit $limit)"
	cmp -s <(jq -S .groups "$T/aggs.json") <(jq -S .groups "$T/aggs-direct.json") ||
		fail "$name aggs: the groups differ from the direct analysis"
	note "$name aggs: $(padded) answers of 40 MB, peak RSS $rss MiB"

	# 2. Raw mode: scroll pages and the scroll's release are 40 MB larger.
	proxy "$url" --match '/_search/scroll'
	measure raw analyze --es "$P" --index "$idx" --mode raw --batch 100 --format json
	[[ $rc == 0 ]] || fail "$name raw through padded pages: exit $rc: $(tail -c 300 "$T/err")"
	((rss < limit)) || fail "$name raw through $(padded) pages of 40 MB: peak RSS $rss MiB (limit $limit)"
	[[ $(jq .events.accepted "$T/raw.json") == 574 ]] || fail "$name raw: $(jq .events.accepted "$T/raw.json") events, want 574"
	grep -q 'DELETE /_search/scroll' "$T/p.log" || fail "$name raw: the scroll was not released"
	note "$name raw: $(padded) answers of 40 MB, peak RSS $rss MiB"

	# 3. The count is parsed whole: refused as too large, in bounded memory.
	proxy "$url" --match '_search' --match-body '"track_total_hits"'
	measure count analyze --es "$P" --index "$idx" --mode aggs --format json
	[[ $rc == 3 ]] || fail "$name padded count: exit $rc, want 3: $(tail -c 300 "$T/err")"
	grep -q '^medload: POST http://127.0.0.1:[0-9]*/.*: the answer is larger than 4 MiB' "$T/err" ||
		fail "$name padded count: $(cat "$T/err")"
	((rss < limit)) || fail "$name padded count: peak RSS $rss MiB (limit $limit)"

	# 4. ingest: the _bulk answers are 40 MB larger.
	proxy "$url" --match 'POST /_bulk'
	measure ingest ingest --es "$P" --index "$idx-in" "$D/acapy-0.12.0-traces.ndjson"
	[[ $rc == 0 ]] || fail "$name ingest through padded answers: exit $rc: $(cat "$T/err")"
	grep -q 'indexed 276, rejected 0' "$T/ingest.json" || fail "$name ingest: $(cat "$T/ingest.json")"
	((rss < limit)) || fail "$name ingest through $(padded) answers of 40 MB: peak RSS $rss MiB (limit $limit)"
	note "$name ingest: $(padded) answers of 40 MB, peak RSS $rss MiB"

	# 5. nightly: the history's search answer is 40 MB larger: refused as too large.
	"$M" nightly --history-es "$url" --history-index "$idx-hist" --analysis "$T/aggs-direct.json" \
		--out "$T/$name-n1" --no-charts >/dev/null 2>"$T/err" || fail "$name first night: $(cat "$T/err")"
	proxy "$url" --match '_search'
	measure night nightly --history-es "$P" --history-index "$idx-hist" --analysis "$T/aggs-direct.json" \
		--out "$T/$name-n2" --no-charts
	[[ $rc == 3 ]] || fail "$name nightly through a padded history: exit $rc, want 3: $(cat "$T/err")"
	grep -q '^medload: history: POST .*: the answer is larger than 4 MiB' "$T/err" || fail "$name nightly: $(cat "$T/err")"
	((rss < limit)) || fail "$name nightly through a padded history: peak RSS $rss MiB (limit $limit)"
done

# 6. The collector's forwarder (OpenSearch): every _bulk answer is 40 MB larger.
proxy "$os" --match 'POST /_bulk'
cport="$(free_port 51)"
python3 - "$T/col.rss" "$M" collect --listen "127.0.0.1:$cport" -o "$T/spool.ndjson" --es "$P" \
	--index "$idx-col" --duration 12s 2>"$T/col.err" <<'PY' &
import resource, subprocess, sys
rc = subprocess.run(sys.argv[2:]).returncode
open(sys.argv[1], "w").write("%d %d\n" % (rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024))
PY
cpid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$cport/_status" && break; sleep 0.1; done
head -60 "$D/acapy-1.7.0-traces.ndjson" | while IFS= read -r ev; do
	curl -s -o /dev/null -XPOST --data-binary "$ev" "http://127.0.0.1:$cport/acapy.events"
done
wait "$cpid" || true
cpid=""
read -r rc rss <"$T/col.rss"
[[ $rc == 0 ]] || fail "collector: exit $rc: $(cat "$T/col.err")"
curl -s -o /dev/null -XPOST "$os/$idx-col/_refresh"
n=$(curl -s "$os/$idx-col/_count" | jq .count)
[[ "$n" == 60 ]] || fail "collector through padded answers: $n events forwarded, want 60"
((rss < limit)) || fail "collector through $(padded) answers of 40 MB: peak RSS $rss MiB (limit $limit)"
note "collector: $(padded) answers of 40 MB, peak RSS $rss MiB"
echo "answers 40 MB larger: aggs, raw, ingest, collector complete and the count and history refused, each under $limit MiB"
