#!/usr/bin/env bash
# medload report --locust PREFIX --es URL against the real OpenSearch and
# Elasticsearch: a real Locust run's CSV files (tests/data/locust) and its
# traces, ingested with another day's (tests/data/acapy-0.12.0-traces),
# read back for the run's window only (or all of them with --all-traces),
# with the same figures as the trace file analyzed directly.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
L="$MEDLOAD_REPO/tests/data/locust"
OLD="$MEDLOAD_REPO/tests/data/acapy-0.12.0-traces.ndjson"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
idx="medload-traces-locust$$"

"$M" report --locust "$L/acapy" --traces "$L/traces.ndjson.gz" -o "$T/file" -q 2>"$T/err" ||
	fail "report from the trace file: $(cat "$T/err")"
for url in "$os" "$es"; do
	"$M" ingest --es "$url" --index "$idx" "$L/traces.ndjson.gz" "$OLD" >"$T/ingest" 2>&1 ||
		fail "ingest into $url: $(cat "$T/ingest")"
	grep -q "indexed 1224, rejected 0" "$T/ingest" || fail "ingest into $url: $(cat "$T/ingest")"
	"$M" report --locust "$L/acapy" --es "$url" --index "$idx" -o "$T/es" -q 2>"$T/err" ||
		fail "report --locust --es $url: $(cat "$T/err")"
	grep -q '^medload analysis: 948 events accepted' "$T/es/report.txt" ||
		fail "$url: not the run's 948 events: $(grep 'events accepted' "$T/es/report.txt")"
	# the same tables as from the file (the source line aside)
	diff <(sed -n '/^== Load run/,/^== Charts/p' "$T/file/report.txt" | grep -v '^medload analysis\|^source') \
		<(sed -n '/^== Load run/,/^== Charts/p' "$T/es/report.txt" | grep -v '^medload analysis\|^source') >"$T/diff" ||
		fail "$url: the report differs from the file's: $(head -n 20 "$T/diff")"
	"$M" report --locust "$L/acapy" --es "$url" --index "$idx" --all-traces -o "$T/all" -q 2>"$T/err" ||
		fail "report --all-traces --es $url: $(cat "$T/err")"
	grep -q '^medload analysis: 1224 events accepted' "$T/all/report.txt" ||
		fail "$url --all-traces: $(grep 'events accepted' "$T/all/report.txt")"
	curl -s -X DELETE "$url/$idx" >/dev/null
done
echo "report --locust --es: the run's window read back from both engines"
