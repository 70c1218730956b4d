#!/usr/bin/env bash
# ingest builds its _bulk requests on several threads and sends them in
# input order, on the real OpenSearch and Elasticsearch: the golden
# suite's mixed-shape inputs (events, Logstash documents, hits, log lines,
# rejects, hostile names), CRLF, gzip, a cut gzip, a missing file and a
# line over 16 MiB, loaded with --threads 1, at the default threads and
# with --threads 4 and chunks cut in odd places (MEDLOAD_CHUNK_BYTES):
# the same summary and messages, the same documents (the events repeated
# across the files overwrite each other in the same order), and
# `analyze --es` of the index equals `analyze` of the files. Then
# Ctrl-C in the middle of a load: it stops, exit 4, the summary adds up.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
G="$MEDLOAD_REPO/tests/golden/data"
T=$(mktemp -d)
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
pre="medload-traces-thr$$"
names=("$pre-1" "$pre-d" "$pre-4" "$pre-f" "$pre-int")
cleanup() {
	local u n
	for u in "$os" "$es"; do
		for n in "${names[@]}"; do
			curl -s -o /dev/null --max-time 10 -X DELETE "$u/$n?ignore_unavailable=true" || true
			curl -s -o /dev/null --max-time 10 -X DELETE "$u/_index_template/medload-$n" || true
		done
	done
	rm -rf "$T"
}
trap cleanup EXIT

cat "$D/acapy-0.12.0-traces.ndjson" "$G/logstash-from-1.7.0.ndjson" \
	"$G/hits-from-0.12.0.ndjson" "$D/acapy-1.7.0-mediator.log" \
	"$G/rejects.ndjson" "$G/hostile.ndjson" >"$T/mixed"
sed 's/$/\r/' "$T/mixed" >"$T/crlf"
gzip -c "$T/mixed" >"$T/mixed.gz"
head -c $(($(wc -c <"$T/mixed.gz") / 2)) "$T/mixed.gz" >"$T/cut.gz"
{ head -c 17000000 /dev/zero | tr '\0' 'a'; echo
	head -3 "$D/acapy-1.7.0-traces.ndjson"; } >"$T/huge"
for _ in $(seq 60); do cat "$T/mixed"; done >"$T/big"
inputs=("$T/mixed" "$T/huge" "$T/nope" "$T/cut.gz" "$T/crlf" "$D/acapy-1.7.0-traces.ndjson" "$T/mixed.gz")

# load NAME INDEX VAR=VALUE [ARGS...]: ingest the inputs with VAR set;
# T/NAME.{out,err,rc}, the index named INDEX in them.
load() {
	local name=$1 index=$2 var=$3 rc=0
	shift 3
	env "$var" "$M" ingest --es "$url" --index "$index" --show-errors 30 \
		"$@" "${inputs[@]}" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	echo "$rc" >"$T/$name.rc"
	sed -i "s/$index/INDEX/g" "$T/$name.out" "$T/$name.err"
}
# docs INDEX: every document, id and source, sorted by id.
docs() {
	curl -s "$url/$1/_search?size=10000" -H 'Content-Type: application/json' \
		-d '{"query":{"match_all":{}}}' |
		jq -S '[.hits.hits[] | {_id, _source}] | sort_by(._id)'
}

for url in "$os" "$es"; do
	name="$(curl -s --max-time 10 "$url" | jq -r '.version.distribution // "elasticsearch"')"
	load one "$pre-1" MEDLOAD_THREADS=1
	load def "$pre-d" MEDLOAD_THREADS=
	load four "$pre-4" MEDLOAD_CHUNK_BYTES=97 --threads 4
	[[ $(cat "$T/one.rc") == 3 ]] || fail "$name, one thread: exit $(cat "$T/one.rc"), want 3 (a missing file): $(cat "$T/one.err")"
	grep -q 'INDEX: indexed [1-9][0-9]*, rejected [1-9][0-9]* (not trace events), failed 0 (not indexed) of [0-9]* records; [0-9]* log lines' "$T/one.out" ||
		fail "$name, one thread: $(cat "$T/one.out")"
	grep -q 'nope: cannot open' "$T/one.err" || fail "$name: the missing file is not said: $(cat "$T/one.err")"
	grep -q 'cut.gz: corrupt compressed data after line' "$T/one.err" || fail "$name: the cut gzip is not said: $(cat "$T/one.err")"
	grep -q 'huge:1: line_too_long' "$T/one.err" || fail "$name: the long line is not said: $(cat "$T/one.err")"
	grep -q 'crlf:[0-9]*: invalid_json' "$T/one.err" || fail "$name: the rejects are not shown: $(cat "$T/one.err")"
	for v in def four; do
		for f in out err rc; do
			cmp -s "$T/one.$f" "$T/$v.$f" ||
				fail "$name, threads ($v): $f differs: $(diff "$T/one.$f" "$T/$v.$f" | head -5)"
		done
	done
	docs "$pre-1" >"$T/docs1"
	n=$(jq length "$T/docs1")
	((n > 500)) || fail "$name: $n documents, want more than 500"
	for i in "$pre-d" "$pre-4"; do
		docs "$i" | cmp -s - "$T/docs1" || fail "$name, $i: the documents differ from one thread's"
	done
	[[ $(curl -s "$url/$pre-4/_count" | jq .count) == "$n" ]] || fail "$name: _count is not $n"

	# analyze --es of an index equals analyze of its files.
	files=("$D/acapy-0.12.0-traces.ndjson" "$G/logstash-from-1.7.0.ndjson" "$D/acapy-1.7.0-mediator.log" "$T/huge")
	"$M" ingest --es "$url" --index "$pre-f" "${files[@]}" >"$T/f.out" 2>"$T/f.err"
	"$M" analyze --format json "${files[@]}" >"$T/files.json" 2>/dev/null
	"$M" analyze --es "$url" --index "$pre-f" --mode raw --format json >"$T/es.json" 2>"$T/err" ||
		fail "$name: analyze --es: $(cat "$T/err")"
	acc=$(jq .events.accepted "$T/files.json")
	grep -q "indexed $acc, rejected 1 " "$T/f.out" || fail "$name: $(cat "$T/f.out"), want $acc indexed"
	[[ $(curl -s "$url/$pre-f/_count" | jq .count) == "$acc" ]] || fail "$name: _count is not $acc"
	cmp -s <(jq -S '[.groups[] | del(.first, .last)]' "$T/files.json") \
		<(jq -S '[.groups[] | del(.first, .last)]' "$T/es.json") ||
		fail "$name: analyze --es of the index differs from analyze of the files"

	# Ctrl-C in the middle of a load: stops at once, exit 4, adds up.
	rc=0
	"$M" ingest --es "$url" --index "$pre-int" --threads 2 --batch-bytes 200000 \
		"$T/big" >"$T/int.out" 2>"$T/int.err" &
	mpid=$!
	sleep 1
	kill -INT $mpid
	waitfor 20 sh -c "! kill -0 $mpid 2>/dev/null" || fail "$name: ingest did not stop on Ctrl-C"
	wait $mpid || rc=$?
	[[ $rc == 4 ]] || fail "$name, Ctrl-C: exit $rc, want 4: $(cat "$T/int.out" "$T/int.err")"
	grep -q 'interrupted' "$T/int.err" || fail "$name, Ctrl-C: $(cat "$T/int.err")"
	read -r i r f t < <(sed -n 's/.*indexed \([0-9]*\), rejected \([0-9]*\) (not trace events), failed \([0-9]*\) (not indexed) of \([0-9]*\) records.*/\1 \2 \3 \4/p' "$T/int.out")
	s=$(sed -n 's/.*; \([0-9]*\) log lines.*/\1/p' "$T/int.out")
	[[ -n "$t" ]] && ((t > 0 && t < $(grep -c . "$T/big") && i + r + f + ${s:-0} == t)) ||
		fail "$name, Ctrl-C: the summary does not add up: $(cat "$T/int.out")"
done
echo "ingest on 1, 2 and 4 threads: the same documents, summary and messages on OpenSearch and Elasticsearch; analyze --es of the index equals the files'; Ctrl-C stops with exit 4"
