#!/bin/sh
# truth.sh: nothing silently ignored or defaulted: zero accepted events
# come with a hint of what the input holds; log text is not damage; values
# beyond the documented bounds are rejected; a repeated option is refused.
. "$(dirname "$0")/../lib.sh"
D=$REPO/tests/data

expect_rc hint-label 1 "$MEDLOAD" analyze --label mediatr.trace \
	"$D/acapy-0.12.0-traces.ndjson"
expect_grep hint-label-names 'hint: .*labels multi.agent.trace (150), mediator.trace (126)' "$TMP/err"
expect_rc hint-since 1 "$MEDLOAD" analyze --since -1m "$D/acapy-0.12.0-traces.ndjson"
expect_grep hint-since-times 'hint: .*times 2026-11-29T07:55:57.907270Z to 2026-11-29T07:56:01.027717Z' "$TMP/err"
: >"$TMP/empty"
expect_rc hint-empty 1 "$MEDLOAD" analyze "$TMP/empty"
expect_grep hint-empty-why 'hint: the input holds no records' "$TMP/err"

# A full ACA-Py log: log text is skipped, the traces are read, none rejected.
{ echo "2026-12-02 04:19:55,162 aries_cloudagent.resolver WARNING Ledger is not configured"
  echo "Successfully registered DIDIndyRegistry"
  echo "2026-12-02 04:19:56,001 aries_cloudagent.config INFO settings {'wallet.type': 'askar'}"
  cat "$D/acapy-0.12.0-mediator.log"; } >"$TMP/full.log"
expect_rc log-text-analyze 0 "$MEDLOAD" analyze --format json "$TMP/full.log"
if [ "$(jq -c '[.events.accepted, .events.rejected, .events.skipped]' "$TMP/out")" = "[126,0,3]" ]
then pass log-text-skipped; else fail log-text-skipped "$(jq -c .events "$TMP/out")"; fi
expect_rc log-text-only 1 "$MEDLOAD" analyze "$TMP/empty" "$TMP/full.log" --label nope
expect_grep log-text-summary 'the rest log lines without a trace' "$TMP/err"

# Bounds: a 1e100 ms elapsed value and a year-0 time are rejected, and text
# and JSON then agree (no 63-digit mean, no inf).
printf '%s\n' \
  '{"handler":"m","outcome":"o","timestamp":1795939000,"ellapsed_milli":1e100}' \
  '{"handler":"m","outcome":"o","str_time":"0000-01-01 00:00:00.000000Z","ellapsed_milli":5}' \
  '{"handler":"m","outcome":"o","timestamp":1795939000,"ellapsed_milli":7}' \
  '{"handler":"a\u0000b","outcome":"o","timestamp":1795939000,"ellapsed_milli":7}' >"$TMP/bounds.ndjson"
expect_rc bounds-json 0 "$MEDLOAD" analyze --format json --show-rejects 0 "$TMP/bounds.ndjson"
if [ "$(jq -c '.events.rejected_by_reason' "$TMP/out")" = '{"bad_elapsed":1,"bad_time":1}' ]
then pass bounds-rejected; else fail bounds-rejected "$(jq -c .events "$TMP/out")"; fi
if [ "$(jq -r '.window.seconds' "$TMP/out")" = 0 ]; then pass bounds-window
else fail bounds-window "window stretched: $(jq -c .window "$TMP/out")"; fi
if jq -e '[.groups[].key.label] | index("a\\u0000b") != null' "$TMP/out" >/dev/null
then pass nul-kept; else fail nul-kept "$(jq -c '[.groups[].key]' "$TMP/out")"; fi

# Repeated single-valued options are refused, never silently overridden.
expect_rc once-format 2 "$MEDLOAD" analyze --format json --format csv "$TMP/bounds.ndjson"
expect_grep once-format-why "option '--format' given twice" "$TMP/err"
expect_rc es-only-without-es 2 "$MEDLOAD" analyze --run-id x "$TMP/bounds.ndjson"
expect_grep es-only-without-es-why '--run-id goes with --es URL' "$TMP/err"

# Messages that quote outside text show control characters as escapes.
printf '"st\\e[31mep": 1\n' >"$TMP/esc.yaml"
printf 'A\033[2J=1\n' >"$TMP/esc.env"
n=0
for c in "run --config $TMP/esc.yaml --dry-run" "run --env-file $TMP/esc.env --dry-run" \
	"analyze --by lab$(printf '\033')[2Jel x" "report $TMP/x$(printf '\033')[2J.json -o $TMP/r" \
	"frob$(printf '\033')[2J"; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # words on purpose
	"$MEDLOAD" $c >/dev/null 2>"$TMP/err"
	if grep -q "$(printf '\033')" "$TMP/err"; then
		fail "escaped-message-$n" "raw escape: $(cat -v "$TMP/err")"
	elif grep -q 'x1b' "$TMP/err"; then pass "escaped-message-$n"
	else fail "escaped-message-$n" "no message: $(cat "$TMP/err")"; fi
done

# -o names: a link the user made is written through (the link stays), a
# pipe is written in place, a folder is refused; a failed write leaves the
# old file whole.
T=$REPO/tests/data/acapy-0.12.0-traces.ndjson
echo old >"$TMP/target"
ln -s "$TMP/target" "$TMP/link"
expect_rc out-link 0 "$MEDLOAD" analyze --format csv -o "$TMP/link" "$T"
if [ -L "$TMP/link" ] && grep -q '^label,' "$TMP/target"; then pass out-link-kept
else fail out-link-kept "the link was replaced or the target not written"; fi
mkfifo "$TMP/fifo"
cat "$TMP/fifo" >"$TMP/fifo.out" &
cpid=$!
expect_rc out-fifo 0 "$MEDLOAD" analyze --format csv -o "$TMP/fifo" "$T"
wait "$cpid"
if [ -p "$TMP/fifo" ] && grep -q '^label,' "$TMP/fifo.out"; then pass out-fifo-in-place
else fail out-fifo-in-place "the pipe was replaced or not written"; fi
expect_rc out-folder 3 "$MEDLOAD" analyze -o "$TMP" "$T"
expect_grep out-folder-why 'is a folder' "$TMP/err"

# Ctrl-C stops a read that never ends (/dev/zero, a silent pipe) within a
# second or two, and the partial result is written (exit 4).
for src in zero fifo; do
	if [ "$src" = fifo ]; then
		rm -f "$TMP/slow"
		mkfifo "$TMP/slow"
		sleep 30 >"$TMP/slow" &
		spid=$!
		in=$TMP/slow
	else in=/dev/zero; fi
	"$MEDLOAD" analyze --format json -o "$TMP/partial.json" "$in" 2>"$TMP/err" &
	apid=$!
	sleep 1
	kill -INT "$apid"
	n=0
	while kill -0 "$apid" 2>/dev/null && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
	if kill -0 "$apid" 2>/dev/null; then
		kill -KILL "$apid"
		fail "interrupt-$src" "still reading 3 s after SIGINT"
	else
		wait "$apid"
		rc=$?
		if [ "$rc" = 4 ] && jq -e '.source.partial == true' "$TMP/partial.json" >/dev/null
		then pass "interrupt-$src"
		else fail "interrupt-$src" "exit $rc, partial document: $(head -c 200 "$TMP/partial.json")"; fi
	fi
	[ "$src" = fifo ] && kill "$spid" 2>/dev/null
done
