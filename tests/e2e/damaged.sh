#!/bin/sh
# damaged.sh: analyses and histories damaged in the ways fuzzing found
# (JSON null where a label belongs, numbers where objects belong, a time
# series spanning 10^19 seconds): compare, report and nightly finish, in
# bounded time, with their documented status, and say what they skipped.
. "$(dirname "$0")/../lib.sh"
"$MEDLOAD" analyze --format json -o "$TMP/a.json" \
	"$REPO/tests/data/acapy-0.12.0-traces.ndjson"
"$MEDLOAD" analyze --format json -o "$TMP/b.json" \
	"$REPO/tests/data/acapy-1.7.0-traces.ndjson"
# null labels, a key that is a number, percentiles that are a number
jq '.groups[0].key.label = null | .groups[1].key = 7 |
	.groups[2].percentiles = 3' "$TMP/b.json" >"$TMP/nulls.json"
expect_rc damaged-compare 0 timeout 30 "$MEDLOAD" compare "$TMP/a.json" \
	"$TMP/nulls.json"
expect_grep damaged-compare-table 'Dispatcher.handle_message.END' "$TMP/out"
expect_rc damaged-compare-json 0 timeout 30 "$MEDLOAD" compare --format json \
	"$TMP/nulls.json" "$TMP/a.json"
# an outcome series claiming 10^19 seconds: the chart is refused, the
# report is written
jq '.outcomes.series[0].points[-1].ts = 12345678901234567890' "$TMP/a.json" \
	>"$TMP/span.json"
expect_rc damaged-report-span 0 timeout 60 "$MEDLOAD" report \
	--out "$TMP/rep" "$TMP/span.json"
expect_grep damaged-report-refused 'chart: outcomes: ' "$TMP/err"
if [ -s "$TMP/rep/report.md" ]; then pass damaged-report-written
else fail damaged-report-written "no report.md"; fi
# a history whose nights have a null label
"$MEDLOAD" nightly --analysis "$TMP/a.json" --history "$TMP/h.jsonl" \
	--out "$TMP/n1" --time 2026-11-27T03:00:00Z --no-charts >/dev/null 2>&1
"$MEDLOAD" nightly --analysis "$TMP/b.json" --history "$TMP/h.jsonl" \
	--out "$TMP/n2" --time 2026-11-28T03:00:00Z --no-charts >/dev/null 2>&1
jq -c '.labels[0].label = null' "$TMP/h.jsonl" \
	>"$TMP/hd.jsonl"
expect_rc damaged-nightly 0 timeout 60 "$MEDLOAD" nightly \
	--analysis "$TMP/a.json" --history "$TMP/hd.jsonl" --out "$TMP/n3" \
	--time 2026-11-29T03:00:00Z
if [ -s "$TMP/n3/nightly.md" ]; then pass damaged-nightly-written
else fail damaged-nightly-written "no nightly.md"; fi
