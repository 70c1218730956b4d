#!/bin/sh
# threads.sh: `analyze` on one thread and on several, with the inputs cut
# into chunks in odd places (MEDLOAD_CHUNK_BYTES), gives the same stdout,
# stderr and exit status byte for byte: mixed shapes, CRLF, no final
# newline, lines longer than a chunk and than 16 MiB, tiny and empty
# files, gzip, damaged gzip, a missing file, standard input, filters that
# leave everything out, the rejects shown. `--flows` the same, its
# exchanges fed in input order by the reading thread: generated traces of
# two agents (tests/tools/gen-flows.py), the real samples, damaged ids;
# several files (one log per agent, damaged, gzipped, cut, missing,
# standard input among them) merged by event time, on one thread and
# parsed on several.
# Then the golden files at 1 and at 4 threads with 97-byte chunks.
. "$(dirname "$0")/../lib.sh"
D=$REPO/tests/golden/data
R=$REPO/tests/data
cat "$R/acapy-0.12.0-traces.ndjson" "$D/logstash-from-1.7.0.ndjson" \
	"$D/hits-from-0.12.0.ndjson" "$R/acapy-1.7.0-mediator.log" \
	"$D/rejects.ndjson" "$D/hostile.ndjson" >"$TMP/mixed"
sed 's/$/\r/' "$TMP/mixed" >"$TMP/crlf"
head -c -1 "$TMP/mixed" >"$TMP/nonl"
head -3 "$R/acapy-1.7.0-traces.ndjson" | jq -c '. + {pad: ("x" * 5000)}' \
	>"$TMP/long"
{ head -c 17000000 /dev/zero | tr '\0' 'a'; echo
	head -2 "$R/acapy-1.7.0-traces.ndjson"
	head -c 16777300 /dev/zero | tr '\0' 'b'; } >"$TMP/huge"
head -1 "$R/acapy-1.7.0-traces.ndjson" | head -c -1 >"$TMP/tiny"
: >"$TMP/empty"
printf '\n \n\t\r\n\n' >"$TMP/blanks"
gzip -c "$TMP/mixed" >"$TMP/mixed.gz"
mkdir "$TMP/gen"
python3 "$REPO/tests/tools/gen-flows.py" "$TMP/gen" --offset-ms 2500 \
	--seed 9 --concurrent 50 --rounds 40
gzip -c "$TMP/gen/all.ndjson" >"$TMP/gen/all.ndjson.gz"
# Ids lost, emptied, cut by a NUL, relays, events late, odd labels,
# outcomes and types: what flows makes of each must not depend on threads.
damage() {
	jq -c 'input_line_number as $i |
	if $i % 7 == 0 then .msg_id = "N/A"
	elif $i % 11 == 0 then del(.msg_id)
	elif $i % 13 == 0 then .thread_id = "x\u0000y"
	elif $i % 17 == 0 then .msg_id += "\u0000tail"
	elif $i % 19 == 0 then .timestamp -= 100
	elif $i % 23 == 0 then .handler = ""
	elif $i % 29 == 0 then .outcome += ".http://e\u001b[31m"
	elif $i % 31 == 0 then .traced_type = 5
	elif $i % 37 == 0 then .msg_id = ""
	elif $i % 41 == 0 then .thread_id = .msg_id
	else . end' "$1"
}
damage "$TMP/gen/all.ndjson" >"$TMP/gen/damaged.json"
{ head -2000 "$TMP/gen/damaged.json"; cat "$D/rejects.ndjson"
	tail -n +2001 "$TMP/gen/damaged.json"; } >"$TMP/gen/damaged.ndjson"
head -c $(($(wc -c <"$TMP/mixed.gz") / 2)) "$TMP/mixed.gz" >"$TMP/cut.gz"
# One log per agent, damaged, with rejects and log lines in between, one
# of them gzipped: several files are merged by event time.
damage "$TMP/gen/multi.ndjson" >"$TMP/gen/multi-d.json"
damage "$TMP/gen/mediator.ndjson" >"$TMP/gen/mediator-d.json"
{ head -700 "$TMP/gen/multi-d.json"; cat "$D/rejects.ndjson"
	tail -n +701 "$TMP/gen/multi-d.json"; } >"$TMP/gen/multi-d.ndjson"
{ head -5 "$TMP/gen/mediator-d.json"; cat "$D/hostile.ndjson"
	head -40 "$R/acapy-1.7.0-mediator.log"
	tail -n +6 "$TMP/gen/mediator-d.json"; cat "$D/rejects.ndjson"; } |
	gzip -c >"$TMP/gen/mediator-d.ndjson.gz"
gzip -c "$TMP/gen/multi.ndjson" | head -c 15000 \
	>"$TMP/gen/cut.gz"

# run NAME ARGS...: the analysis with the environment of the variant.
run() {
	name=$1
	shift
	"$MEDLOAD" analyze "$@" <"$TMP/mixed" >"$TMP/$name.out" \
		2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}

# same CASE ARGS...: every variant's output equals one thread's.
same() {
	c=$1
	shift
	MEDLOAD_THREADS=1 run "$c-ref" "$@"
	bad=""
	for v in 4:1 4:7 3:333 2:4096 4:; do
		t=${v%:*} k=${v#*:}
		MEDLOAD_THREADS=$t MEDLOAD_CHUNK_BYTES=$k run "$c-$t-$k" "$@"
		for f in out err rc; do
			cmp -s "$TMP/$c-ref.$f" "$TMP/$c-$t-$k.$f" ||
				bad="$bad $t threads, chunk '$k': $f differs;"
		done
	done
	MEDLOAD_CHUNK_BYTES=5 run "$c-opt" --threads 4 "$@"
	cmp -s "$TMP/$c-ref.out" "$TMP/$c-opt.out" ||
		bad="$bad --threads 4: out differs;"
	if [ -z "$bad" ]; then pass "threads-$c"; else fail "threads-$c" "$bad"; fi
}

same mixed --format json "$TMP/mixed"
same crlf --format json "$TMP/crlf"
same nonl --by label,outcome,endpoint --format csv "$TMP/nonl"
same odd --format json --show-rejects 100 "$TMP/long" "$TMP/huge" \
	"$TMP/tiny" "$TMP/empty" "$TMP/blanks"
same gz --format json "$TMP/mixed.gz" "$TMP/cut.gz" "$TMP/nope" "$TMP/mixed"
same left-out --label 'nothing*' --outcome '*END' "$TMP/mixed"
same filtered --outcome '*END' --since 2020-01-01T00:00:00Z "$TMP/mixed"
same stdin --show-rejects 3 -
same text --show-rejects 0 "$TMP/mixed" "$TMP/crlf" "$TMP/mixed.gz"
same limit --max-groups 5 --format json "$TMP/mixed" "$TMP/crlf"
same limit-text --max-groups 2 --by outcome "$TMP/mixed.gz"
same flows --flows --format json "$R/acapy-0.12.0-traces.ndjson"
same flows-gen --flows --format json "$TMP/gen/all.ndjson"
same flows-gen-text --flows "$TMP/gen/all.ndjson.gz"
same flows-gen-csv --flows --format csv --flow-timeout 20ms \
	"$TMP/gen/all.ndjson"
same flows-damaged --flows --format json --show-rejects 100 \
	"$TMP/gen/damaged.ndjson"
same flows-filtered --flows --format json --outcome '*.START' \
	"$TMP/gen/all.ndjson"
same flows-mixed --flows --format json --show-rejects 100 "$TMP/mixed"
same flows-crlf --flows "$TMP/crlf"
same flows-odd --flows --format json --show-rejects 100 "$TMP/huge"
same flows-cut --flows --format json "$TMP/cut.gz"
same flows-stdin --flows --show-rejects 3 -
G=$TMP/gen
same flows-files --flows --format json "$G/multi.ndjson" "$G/mediator.ndjson"
same flows-files-text --flows "$G/mediator.ndjson" "$G/all.ndjson.gz" \
	"$G/multi.ndjson"
same flows-files-damaged --flows --format json --show-rejects 100 \
	"$G/multi-d.ndjson" "$TMP/nope" "$G/mediator-d.ndjson.gz" "$G/cut.gz" \
	"$TMP/empty" "$TMP/huge" "$TMP/crlf" "$TMP/cut.gz"
same flows-files-stdin --flows --format csv --show-rejects 7 \
	"$G/mediator-d.ndjson.gz" - "$TMP/tiny" "$G/multi-d.ndjson"
same flows-files-filtered --flows --format json --outcome '*.START' \
	--show-rejects 20 "$TMP/mixed" "$G/multi-d.ndjson" \
	"$G/mediator-d.ndjson.gz"
same flows-files-left-out --flows --label 'nothing*' "$D/hostile.ndjson" \
	"$G/multi-d.ndjson" "$TMP/mixed.gz" "$G/mediator-d.ndjson.gz"
same flows-files-samples --flows --format json --show-rejects 100 \
	"$R"/acapy-*-traces.ndjson "$R"/acapy-*.log
for f in "$R"/acapy-*-traces.ndjson "$R"/acapy-*.log; do
	v=$(basename "$f")
	same "flows-$v" --flows --format json "$f"
done

# The cases above hold what they are meant to.
expect_grep threads-ref-gz-cut 'cut.gz: corrupt compressed data after line' \
	"$TMP/gz-ref.err"
expect_grep threads-ref-gz-missing 'nope: cannot open' "$TMP/gz-ref.err"
expect_grep threads-ref-huge 'huge:1: record rejected (line_too_long)' \
	"$TMP/odd-ref.err"
expect_grep threads-ref-huge-last 'huge:4: record rejected (line_too_long)' \
	"$TMP/odd-ref.err"
expect_grep threads-ref-left-out 'the filters left out' \
	"$TMP/left-out-ref.err"
expect_grep threads-ref-limit '"groups_overflow"' "$TMP/limit-ref.out"
expect_grep threads-ref-crlf '"accepted":' "$TMP/crlf-ref.out"
if [ "$(jq '.events.accepted' "$TMP/mixed-ref.out")" -gt 500 ] &&
	[ "$(jq '.events.rejected' "$TMP/mixed-ref.out")" -gt 5 ]; then
	pass threads-ref-mixed
else fail threads-ref-mixed "$(jq -c .events "$TMP/mixed-ref.out")"; fi

# The flows cases hold exchanges, complete and not, and rejects.
flows_has() {
	if jq -e "$2" "$TMP/$1-ref.out" >/dev/null 2>&1; then
		pass "threads-ref-$1"
	else fail "threads-ref-$1" "$(jq -c "$3" "$TMP/$1-ref.out")"; fi
}
lost='([.flows.incomplete[]] | add)'
flows_has flows-gen '.flows.exchanges_total > 300 and .flows.complete > 300
	and '"$lost"' > 5' '.flows | del(.exchanges, .examples)'
flows_has flows-damaged '.flows.exchanges_total > 300 and
	.events.rejected > 5 and '"$lost"' > '"$(jq "$lost" \
	"$TMP/flows-gen-ref.out")" \
	'{events, f: (.flows | del(.exchanges, .examples))}'
flows_has flows-mixed '.flows.exchanges_total > 10 and .events.rejected > 5' \
	'{events, f: (.flows | del(.exchanges, .examples))}'
flows_has flows-acapy-1.7.0-mediator.log '.flows.complete > 10' '.flows'
flows_has flows-files '.flows.exchanges_total > 300 and .flows.complete >
	300 and .source.inputs == ["'"$G"'/multi.ndjson", "'"$G"'/mediator.ndjson"]' \
	'{events, f: (.flows | del(.exchanges, .examples))}'
flows_has flows-files-damaged '.flows.exchanges_total > 300 and
	.events.rejected > 10 and (.source.errors | length) == 3' \
	'{events, errors: .source.errors}'
flows_has flows-files-filtered '.flows.exchanges_total > 100 and
	.events.filtered_out > 1000 and .events.rejected > 10' '.events'
flows_has flows-files-samples '.flows.complete > 10' '.flows'
expect_grep threads-ref-files-rejects 'mediator-d.ndjson.gz:[0-9]*: record rej' \
	"$TMP/flows-files-damaged-ref.err"
expect_grep threads-ref-files-left-out 'the filters left out' \
	"$TMP/flows-files-left-out-ref.err"
expect_grep threads-ref-files-stdin 'Exchanges across agents: [1-9]\|exchange' \
	"$TMP/flows-files-stdin-ref.out"
expect_grep threads-ref-flows-text 'Exchanges across agents: [1-9]' \
	"$TMP/flows-gen-text-ref.out"
expect_grep threads-ref-flows-stdin 'Exchanges across agents: [1-9]' \
	"$TMP/flows-stdin-ref.out"

# The golden files, on one thread and on four with tiny chunks.
for v in 1: 4:97; do
	MEDLOAD_THREADS=${v%:*} MEDLOAD_CHUNK_BYTES=${v#*:} \
		sh "$REPO/tests/golden/run" >"$TMP/golden" 2>&1
	if grep -q '^FAIL' "$TMP/golden" || ! grep -q '^PASS' "$TMP/golden"
	then fail "threads-golden-$v" "$(grep -A5 '^FAIL' "$TMP/golden" |
		head -20)"
	else pass "threads-golden-$v"; fi
done
