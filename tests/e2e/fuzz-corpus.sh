#!/bin/sh
# fuzz-corpus.sh: replays the fuzz harnesses' kept corpora and every input
# that once crashed one (tests/fuzz/corpus/NAME, tests/fuzz/regress/NAME)
# through the harness code built with the normal compiler (no clang, no
# libFuzzer: `make units` builds build/tests/replay_NAME). One check per
# harness: every input replayed, no oracle broken, no sanitizer report.
. "$(dirname "$0")/../lib.sh"
bin=${UNIT_DIR:-$REPO/build/tests}
for src in "$REPO"/tests/fuzz/fuzz_*.c; do
	n=$(basename "$src" .c)
	if [ ! -x "$bin/replay_$n" ]; then
		fail "fuzz-corpus-$n" "$bin/replay_$n is not built (make units)"
		continue
	fi
	"$bin/replay_$n" "$REPO/tests/fuzz/corpus/$n" \
		"$REPO/tests/fuzz/regress/$n" </dev/null >"$TMP/out" \
		2>"$TMP/err"
	rc=$?
	kept=$(ls "$REPO/tests/fuzz/corpus/$n" 2>/dev/null | wc -l)
	if [ $rc = 0 ] && [ "$kept" -gt 0 ] &&
	    grep -q ' inputs replayed' "$TMP/err"; then
		pass "fuzz-corpus-$n"
	else
		fail "fuzz-corpus-$n" "exit $rc, $kept inputs kept: $(grep -m3 \
		    'oracle\|runtime error\|ERROR' "$TMP/err" | head -c 400)"
	fi
done
