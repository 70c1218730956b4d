#!/usr/bin/env bash
# analyze --es --flows against the real OpenSearch and Elasticsearch: the
# synthetic two-agent traces (tests/tools/gen-flows.py: known hops, a
# 2.5 s clock offset, known losses), ingested in shuffled order, come out
# exactly as from the file (the scroll sorted by event time); the real
# samples' pings are complete; --slices over 1 and --mode aggs are refused.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
idx="medload-traces-flows$$"
ridx="medload-traces-flowsreal$$"
python3 "$MEDLOAD_REPO/tests/tools/gen-flows.py" "$T" --offset-ms 2500 --seed 4 --concurrent 20 --rounds 10
python3 - "$T/all.ndjson" "$T/shuffled.ndjson" <<'PY'
import random, sys
lines = open(sys.argv[1]).readlines()
random.Random(2).shuffle(lines)
open(sys.argv[2], "w").writelines(lines)
PY
"$M" analyze --flows --format json "$T/all.ndjson" >"$T/file.json" || fail "file analysis failed"
"$M" analyze --flows --format json "$D/acapy-1.7.0-traces.ndjson" >"$T/rfile.json" || fail "file analysis failed"

for url in "$os" "$es"; do
	"$M" ingest --es "$url" --index "$idx" "$T/shuffled.ndjson" >"$T/ingest" 2>&1 ||
		fail "ingest into $url: $(cat "$T/ingest")"
	"$M" ingest --es "$url" --index "$ridx" "$D/acapy-1.7.0-traces.ndjson" >"$T/ingest" 2>&1 ||
		fail "ingest into $url: $(cat "$T/ingest")"
	"$M" analyze --es "$url" --index "$idx" --flows --format json >"$T/es.json" 2>"$T/err" ||
		fail "analyze --es $url --flows: $(cat "$T/err")"
	out=$(python3 "$MEDLOAD_REPO/tests/tools/check-flows.py" es "$T/expect.json" "$T/es.json")
	grep -q '^FAIL' <<<"$out" && fail "$url: $(grep '^FAIL' <<<"$out" | head -3)"
	cmp -s <(jq -S .flows "$T/es.json") <(jq -S .flows "$T/file.json") ||
		fail "$url: the flows differ from the file's: $(diff <(jq -S .flows "$T/es.json") <(jq -S .flows "$T/file.json") | head -5)"
	"$M" analyze --es "$url" --index "$ridx" --flows --format json >"$T/res.json" 2>"$T/err" ||
		fail "analyze --es $url --flows (real): $(cat "$T/err")"
	cmp -s <(jq -S .flows "$T/res.json") <(jq -S .flows "$T/rfile.json") ||
		fail "$url: the real sample's flows differ from the file's"
	rc=0
	"$M" analyze --es "$url" --index "$idx" --flows --slices 2 >/dev/null 2>"$T/err" || rc=$?
	((rc == 2)) || fail "--flows --slices 2: exit $rc, want 2"
	rc=0
	"$M" analyze --es "$url" --index "$idx" --flows --mode aggs >/dev/null 2>"$T/err" || rc=$?
	((rc == 2)) || fail "--flows --mode aggs: exit $rc, want 2"
	curl -s -X DELETE "$url/$idx,$ridx" >/dev/null
done
echo "ok: shuffled synthetic traces and the 1.7.0 sample give the file's flows from OpenSearch and Elasticsearch"
