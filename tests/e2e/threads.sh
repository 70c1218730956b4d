#!/bin/sh
# threads.sh: `analyze` on one thread and on several, with the inputs cut
# into chunks in odd places (MEDLOAD_CHUNK_BYTES), gives the same stdout,
# stderr and exit status byte for byte: mixed shapes, CRLF, no final
# newline, lines longer than a chunk and than 16 MiB, tiny and empty
# files, gzip, damaged gzip, a missing file, standard input, filters that
# leave everything out, the rejects shown. Then the golden files at 1 and
# at 4 threads with 97-byte chunks.
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
head -c $(($(wc -c <"$TMP/mixed.gz") / 2)) "$TMP/mixed.gz" >"$TMP/cut.gz"

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

# The golden files, on one thread and on four with tiny chunks.
for v in 1: 4:97; do
	MEDLOAD_THREADS=${v%:*} MEDLOAD_CHUNK_BYTES=${v#*:} \
		sh "$REPO/tests/golden/run" >"$TMP/golden" 2>&1
	if grep -q '^FAIL' "$TMP/golden" || ! grep -q '^PASS' "$TMP/golden"
	then fail "threads-golden-$v" "$(grep -A5 '^FAIL' "$TMP/golden" |
		head -20)"
	else pass "threads-golden-$v"; fi
done
