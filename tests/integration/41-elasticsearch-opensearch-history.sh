#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $vars of their own
# medload nightly with its history in a real OpenSearch and Elasticsearch
# index (--history-es, --history-index): nights appended and read back
# oldest first, the baseline is the newest passing night taken from the
# analysis stored in the index (the report folder's copy is gone), a
# failed night is never a baseline, documents that are not nights are
# reported and skipped, a passing night whose analysis is corrupt is passed
# over, and the trend covers the nights.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
T=$(mktemp -d)
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
idx="medload-history-it$$"
cleanup() {
	for u in "$os" "$es"; do curl -s -o /dev/null --max-time 10 -X DELETE "$u/$idx" || true; done
	rm -rf "$T"
}
trap cleanup EXIT

"$M" analyze --format json -o "$T/a.json" "$D/acapy-0.12.0-traces.ndjson" || fail "analyze 0.12.0 sample"
"$M" analyze --format json -o "$T/b.json" "$D/acapy-1.7.0-traces.ndjson" || fail "analyze 1.7.0 sample"

for url in "$os" "$es"; do
	name="$(curl -s --max-time 10 "$url" | jq -r '.version.distribution // "elasticsearch"')"
	H=(--history-es "$url" --history-index "$idx")
	# night DIR TIME [args...]: sets rc
	night() {
		local dir="$1" when="$2"
		shift 2
		rc=0
		"$M" nightly "${H[@]}" --out "$T/$name-$dir" --time "$when" "$@" \
			>"$T/$name-$dir.out" 2>"$T/$name-$dir.err" || rc=$?
	}
	curl -s -o /dev/null -X DELETE "$url/$idx" || true

	# Night 1 on a missing index: an empty history, no baseline; the index is made with its mapping.
	night n1 2026-01-01T03:00:00Z --analysis "$T/a.json" --threshold 'count > 10' --no-charts
	[[ "$rc" == 0 ]] || fail "$name night 1: exit $rc: $(tail -2 "$T/$name-n1.err")"
	grep -q 'baseline: none' "$T/$name-n1.out" || fail "$name night 1 had a baseline: $(cat "$T/$name-n1.out")"
	[[ "$(curl -s "$url/$idx/_mapping" | jq -r ".\"$idx\".mappings.properties.time.type")" == date ]] ||
		fail "$name: the history index has no date mapping for time"
	t1="$(curl -s "$url/$idx/_search" | jq -r '.hits.hits[0]._source.time')"
	# the report folder's analysis goes: the baseline must come from the index
	rm "$T/$name-n1/analysis.json"

	# Night 2 breaches a threshold: compared with night 1's analysis from the index; it fails.
	night n2 2026-01-02T03:00:00Z --analysis "$T/b.json" --threshold 'count < 10' --no-charts
	[[ "$rc" == 5 ]] || fail "$name night 2: exit $rc, want 5: $(tail -2 "$T/$name-n2.err")"
	[[ "$(jq -r .baseline.name "$T/$name-n2/compare.json")" == "history night $t1" ]] ||
		fail "$name night 2 baseline: $(jq -r .baseline.name "$T/$name-n2/compare.json")"
	jq -e --slurpfile a "$T/a.json" '.baseline.events == $a[0].events.accepted' "$T/$name-n2/compare.json" >/dev/null ||
		fail "$name night 2: the baseline is not night 1's analysis"

	# Odd documents: another schema, a night without labels, a newer passing night whose analysis is corrupt.
	put() { curl -s -o "$T/put" -w '%{http_code}' -H 'Content-Type: application/json' \
		-X POST "$url/$idx/_doc?refresh=wait_for" -d "$1"; }
	[[ "$(put '{"schema":"other/1","time":"2026-01-02T04:00:00Z","verdict":"pass"}')" == 201 ]] ||
		fail "$name: cannot index an odd document: $(cat "$T/put")"
	[[ "$(put '{"schema":"medload.night/1","time":"2026-01-02T05:00:00Z","verdict":7,"labels":[]}')" == 201 ]] ||
		fail "$name: cannot index a night with a numeric verdict: $(cat "$T/put")"
	[[ "$(put '{"schema":"medload.night/1","time":"2026-01-02T06:00:00Z","verdict":"pass","labels":[],
		"analysis":"/nonexistent/analysis.json","analysis_json":"{\"schema\": \"medload.analysis/1\", \"gro"}')" == 201 ]] ||
		fail "$name: cannot index a corrupt night: $(cat "$T/put")"

	# Night 3: the newest readable passing night is night 1.
	night n3 2026-01-03T03:00:00Z --analysis "$T/a.json" --threshold 'count > 10'
	[[ "$rc" == 0 ]] || fail "$name night 3: exit $rc: $(tail -2 "$T/$name-n3.err")"
	[[ "$(jq -r .baseline.name "$T/$name-n3/compare.json")" == "history night $t1" ]] ||
		fail "$name night 3 baseline: $(jq -r .baseline.name "$T/$name-n3/compare.json")"
	[[ "$(grep -c 'not a night record' "$T/$name-n3.err")" == 2 ]] ||
		fail "$name night 3: odd documents not reported: $(cat "$T/$name-n3.err")"
	grep -q 'history night 2026-01-02T06:00:00Z: /nonexistent/analysis.json: cannot open' "$T/$name-n3.err" ||
		fail "$name night 3: the corrupt night was not reported: $(cat "$T/$name-n3.err")"
	# START groups and groups without latency are matched but not judged.
	[[ "$(jq '.summary | .unchanged + .not_judged == .matched and .unchanged > 0 and .worse == 0 and .better == 0 and .verdict == "unchanged"' "$T/$name-n3/compare.json")" == true ]] ||
		fail "$name night 3: the same analysis as its baseline is not unchanged: $(jq -c .summary "$T/$name-n3/compare.json")"

	# Read back: nights oldest first, each with its analysis; the trend has the three real nights.
	n="$(curl -s "$url/$idx/_count" | jq .count)"
	[[ "$n" == 6 ]] || fail "$name: $n documents in the history index, want 6"
	v="$(jq -r '[.nights[] | select(.labels | length > 0) | .verdict] | join(" ")' "$T/$name-n3/trend.json")"
	[[ "$v" == "pass fail pass" ]] || fail "$name trend verdicts: $v"
	jq -e '[.nights[].time] | . == sort' "$T/$name-n3/trend.json" >/dev/null || fail "$name: nights not oldest first"
	pts="$(jq '[.labels[0].points[]] | length' "$T/$name-n3/trend.json")"
	[[ "$pts" == 3 ]] || fail "$name: $pts trend points, want 3"
	[[ -s "$T/$name-n3/trend-latency-0.png" || -s "$T/$name-n3/charts/trend-latency-0.png" ]] ||
		fail "$name: no trend chart: $(ls "$T/$name-n3" | tr '\n' ' ')"
	curl -s "$url/$idx/_search" -H 'Content-Type: application/json' \
		-d '{"query":{"term":{"time":"2026-01-03T03:00:00Z"}}}' |
		jq -r '.hits.hits[0]._source.analysis_json' >"$T/stored.json"
	cmp -s <(jq -S .groups "$T/stored.json") <(jq -S .groups "$T/a.json") ||
		fail "$name: the analysis stored with night 3 differs from its input"
	curl -s -o /dev/null -X DELETE "$url/$idx"
	note "$name: 3 nights, baseline from the index, odd documents skipped"
done
echo "history in OpenSearch and Elasticsearch: append, read back, last passing baseline, odd documents skipped"
