#!/usr/bin/env bash
# What analyze --es and nightly --es say about the indices, on the real
# OpenSearch and Elasticsearch: the default index list
# (logs-generic-default,logstash-*,medload-traces*) tolerates its missing
# parts and is refused, naming them all, only when none exists; an
# explicit --index that matches nothing is refused naming it and what the
# server has; --run-id matches on an index made by dynamic mapping (text
# with a .keyword sub-field), and an id that cannot be matched is an error,
# never ignored; no accepted event comes with a hint of what the index
# holds (labels, times, run ids).
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
T=$(mktemp -d)
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
idx="medload-traces-idx$$"
dyn="medload-dyn$$"
txt="medload-text$$"
files=("$D/acapy-0.12.0-traces.ndjson" "$D/acapy-1.7.0-traces.ndjson")
cleanup() {
	for u in "$os" "$es"; do
		curl -s -o /dev/null --max-time 10 -X DELETE "$u/$idx,$dyn,$txt,$txt-none?ignore_unavailable=true" || true
		curl -s -o /dev/null --max-time 10 -X DELETE "$u/_index_template/medload-$idx" || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
# run NAME ARGS...: medload ARGS, stdout to T/NAME.json, stderr to T/err; sets rc
run() {
	local name=$1
	shift
	rc=0
	"$M" "$@" >"$T/$name.json" 2>"$T/err" || rc=$?
}
none_checked=0
for url in "$os" "$es"; do
	name="$(curl -s --max-time 10 "$url" | jq -r '.version.distribution // "elasticsearch"')"
	# 1. None of the default indices exists (a fresh server): refused, naming them all.
	present=$(curl -s "$url/_resolve/index/logs-generic-default,logstash-*,medload-traces*?ignore_unavailable=true" |
		jq '[.indices, .aliases, .data_streams] | map(length) | add')
	if [[ "$present" == 0 ]]; then
		run none analyze --es "$url" --format json
		[[ $rc == 3 ]] || fail "$name, no default index: exit $rc, want 3: $(cat "$T/err")"
		grep -q 'none of the default indices exists (logs-generic-default,logstash-\*,medload-traces\*); the server has ' "$T/err" ||
			fail "$name, no default index: $(cat "$T/err")"
		none_checked=$((none_checked + 1))
	fi
	"$M" ingest --es "$url" --index "$idx" "${files[@]}" >"$T/ingest" 2>&1 || fail "$name ingest: $(cat "$T/ingest")"

	# 2. The default list with logs-generic-default and logstash-* missing: read, in both modes and by nightly.
	for m in raw aggs; do
		run default analyze --es "$url" --mode "$m" --format json
		[[ $rc == 0 ]] || fail "$name default indices, --mode $m: exit $rc: $(cat "$T/err")"
		(($(jq .events.accepted "$T/default.json") >= 574)) ||
			fail "$name default indices, --mode $m: $(jq .events.accepted "$T/default.json") events, want >= 574"
		[[ $(jq -r .source.index "$T/default.json") == 'medload-traces*' ]] ||
			fail "$name default indices, --mode $m: source.index $(jq .source.index "$T/default.json")"
	done
	run nightly nightly --es "$url" --since 2000-01-01T00:00:00Z --out "$T/$name-night" --history "$T/$name-hist.jsonl" --no-charts
	[[ $rc == 0 ]] || fail "$name nightly --es without --index: exit $rc: $(cat "$T/err")"
	(($(jq .events.accepted "$T/$name-night/analysis.json") >= 574)) || fail "$name nightly: too few events"
	# nightly's default window (the last 24 h) holds none of the sample's events: the hint says when they are
	run night0 nightly --es "$url" --index "$idx" --out "$T/$name-night0" --history "$T/$name-hist.jsonl" --no-charts
	[[ $rc == 1 ]] || fail "$name nightly, last 24 h: exit $rc, want 1: $(cat "$T/err")"
	grep -q "^medload: hint: nothing in $idx matches the filters; it holds 574 events: times 2026-11-29T" "$T/err" ||
		fail "$name nightly, last 24 h: no hint: $(cat "$T/err")"

	# 3. An explicit --index that matches nothing: refused naming it and what exists.
	run nope analyze --es "$url" --index 'nope-*' --format json
	[[ $rc == 3 ]] || fail "$name --index nope-*: exit $rc, want 3: $(cat "$T/err")"
	grep -q '^medload: --index nope-\*: no index, alias or data stream matches it; the server has .*medload' "$T/err" ||
		fail "$name --index nope-*: $(cat "$T/err")"
	run nope2 analyze --es "$url" --index "$idx,nope" --format json
	[[ $rc == 3 ]] && grep -q "^medload: --index $idx,nope: no index, alias or data stream nope; the server has " "$T/err" ||
		fail "$name --index $idx,nope: exit $rc: $(cat "$T/err")"

	# 4. Nothing accepted: a hint of what the index holds, in both modes.
	for m in raw aggs; do
		run label analyze --es "$url" --index "$idx" --mode "$m" --label mediatr.trace --format json
		[[ $rc == 1 ]] || fail "$name --label mediatr.trace --mode $m: exit $rc, want 1: $(cat "$T/err")"
		grep -q "^medload: hint: nothing in $idx matches the filters; it holds 574 events: labels .*mediator.trace (260).*; times 2026-" "$T/err" ||
			fail "$name --label mediatr.trace --mode $m: no hint: $(cat "$T/err")"
		run since analyze --es "$url" --index "$idx" --mode "$m" --since -1m --format json
		[[ $rc == 1 ]] || fail "$name --since -1m --mode $m: exit $rc, want 1: $(cat "$T/err")"
		grep -q "^medload: hint: nothing in $idx matches the filters; it holds 574 events: times 2026-11-.* to 2026-11-" "$T/err" ||
			fail "$name --since -1m --mode $m: no hint: $(cat "$T/err")"
	done

	# 5. --run-id on an index made by dynamic mapping (no template: medload.run_id is text + .keyword).
	"$M" ingest --no-template --run-id run-a --es "$url" --index "$dyn" "${files[0]}" >"$T/ingest" 2>&1 || fail "$name ingest run-a"
	"$M" ingest --no-template --run-id run-b --es "$url" --index "$dyn" "${files[1]}" >"$T/ingest" 2>&1 || fail "$name ingest run-b"
	[[ $(curl -s "$url/$dyn/_mapping" | jq -r ".\"$dyn\".mappings.properties.medload.properties.run_id.type") == text ]] ||
		fail "$name: dynamic mapping did not make medload.run_id text"
	want=$("$M" analyze --format json "${files[0]}" | jq .events.accepted)
	for m in raw aggs; do
		run runa analyze --es "$url" --index "$dyn" --mode "$m" --run-id run-a --format json
		[[ $rc == 0 ]] || fail "$name --run-id run-a --mode $m: exit $rc: $(cat "$T/err")"
		[[ $(jq .events.accepted "$T/runa.json") == "$want" ]] ||
			fail "$name --run-id run-a --mode $m on text: $(jq .events.accepted "$T/runa.json") events, want $want"
		[[ $(jq -r .source.run_id "$T/runa.json") == run-a ]] || fail "$name --mode $m: source.run_id $(jq .source.run_id "$T/runa.json")"
		# "run" is a word of both ids: the analysed text would match it
		run runw analyze --es "$url" --index "$dyn" --mode "$m" --run-id run --format json
		[[ $rc == 1 ]] || fail "$name --run-id run --mode $m: exit $rc, want 1 (no events)"
		grep -q "; run ids run-b (298), run-a (276)$" "$T/err" || fail "$name --run-id run --mode $m: hint: $(cat "$T/err")"
	done
	# medload.run_id as text without a keyword sub-field: no term can match it
	curl -s -o /dev/null -X PUT "$url/$txt" -H 'Content-Type: application/json' \
		-d '{"mappings":{"properties":{"medload":{"properties":{"run_id":{"type":"text"}}}}}}'
	"$M" ingest --no-template --run-id run-a --es "$url" --index "$txt" "${files[0]}" >"$T/ingest" 2>&1 || fail "$name ingest text"
	run text analyze --es "$url" --index "$txt" --run-id run-a --format json
	[[ $rc == 3 ]] && grep -q '^medload: --run-id run-a: medload.run_id is not a keyword field and has no .keyword sub-field' "$T/err" ||
		fail "$name --run-id on text without keyword: exit $rc: $(cat "$T/err")"
	# an index without the field at all, and one that maps it (the template) for no event
	"$M" ingest --no-template --es "$url" --index "$txt-none" "${files[0]}" >"$T/ingest" 2>&1 || fail "$name ingest none"
	run absent analyze --es "$url" --index "$txt-none" --run-id run-a --format json
	[[ $rc == 3 ]] && grep -q '^medload: --run-id run-a: the index has no medload.run_id field' "$T/err" ||
		fail "$name --run-id on an index without it: exit $rc: $(cat "$T/err")"
	run mapped analyze --es "$url" --index "$idx" --run-id run-a --format json
	[[ $rc == 1 ]] && grep -q "^medload: hint: nothing in $idx matches the filters; it holds 574 events: labels .*; run ids none" "$T/err" ||
		fail "$name --run-id on an index that maps it for no event: exit $rc: $(cat "$T/err")"
	curl -s -o /dev/null -X DELETE "$url/$idx,$dyn,$txt,$txt-none?ignore_unavailable=true"
	note "$name: default indices, --index, --run-id on text, hints"
done
echo "default index list tolerated, unmatched --index named, --run-id on dynamic mapping, hints (no-default-index case on $none_checked fresh servers)"
