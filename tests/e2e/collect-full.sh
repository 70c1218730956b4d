#!/bin/sh
# collect-full.sh: medload collect on a really full disk. The spool lives
# on a 64 KiB tmpfs that a filler file almost fills: once a write fails,
# the collector answers 503 with Retry-After and keeps no piece of the
# refused line; once space returns, events are stored again, and every
# acknowledged event reads back (medload analyze rejects none).
# Mounting needs root; other users run it in a user namespace (unshare).
if [ "$(id -u)" != 0 ] && [ -z "${COLLECT_FULL_NS:-}" ]; then
	if unshare -rm true 2>/dev/null; then
		COLLECT_FULL_NS=1 exec unshare -rm sh "$0"
	fi
fi
. "$(dirname "$0")/../lib.sh"
port=$((20100 + $$ % 200))
url=http://127.0.0.1:$port
dir=$TMP/full
ev="$REPO/tests/data/acapy-1.7.0-traces.ndjson"
mkdir -p "$dir"
if ! mount -t tmpfs -o size=64k tmpfs "$dir" 2>"$TMP/mount.err"; then
	fail collect-disk-full "cannot mount a tmpfs (root or user namespaces needed): $(cat "$TMP/mount.err")"
	exit 0
fi
trap 'kill $cpid 2>/dev/null; umount "$dir"; rm -rf "$TMP"' EXIT
head -c 40000 /dev/zero >"$dir/filler"
"$MEDLOAD" collect --listen "127.0.0.1:$port" -o "$dir/spool.ndjson" 2>"$TMP/collect.err" &
cpid=$!
wait_for 50 curl -s -o /dev/null "$url/_status"

# post FIRST LAST: posts events FIRST..LAST of the sample, one line
# "N CODE" each to $TMP/codes, the headers of the last answer to $TMP/h.
post() {
	sed -n "$1,$2p" "$ev" | while IFS= read -r line; do
		c=$(printf '%s' "$line" | curl -s -o /dev/null -D "$TMP/h" -w '%{http_code}' \
		    --max-time 5 -XPOST --data-binary @- "$url/acapy.events")
		echo "$(printf '%s' "$line" | jq -r .timestamp) $c"
	done >>"$TMP/codes"
}
post 1 80
ok1=$(grep -c ' 200$' "$TMP/codes")
busy=$(grep -c ' 503$' "$TMP/codes")
if [ "$ok1" -gt 0 ] && [ "$busy" -gt 0 ] && [ $((ok1 + busy)) = 80 ]; then
	pass collect-full-503; else
	fail collect-full-503 "answers on a full disk: $(cut -d' ' -f2 "$TMP/codes" | sort | uniq -c | tr '\n' ' ')"; fi
grep -qi '^Retry-After: [0-9]' "$TMP/h" && pass collect-full-retry-after ||
	fail collect-full-retry-after "the 503 has no Retry-After: $(tr '\r\n' '  ' <"$TMP/h")"
[ "$(tail -c 1 "$dir/spool.ndjson" | od -An -c | tr -d ' ')" = '\n' ] &&
	pass collect-full-no-fragment || fail collect-full-no-fragment \
	"the spool ends in a fragment: $(tail -c 60 "$dir/spool.ndjson")"
curl -s "$url/_status" | jq -e '.spool_error | test("space")' >/dev/null &&
	pass collect-full-status || fail collect-full-status "$(curl -s "$url/_status")"
rm "$dir/filler"
post 81 100
ok2=$(($(grep -c ' 200$' "$TMP/codes") - ok1))
[ "$ok2" = 20 ] && pass collect-full-recovers || fail collect-full-recovers \
	"$ok2 of 20 events stored once space returned"
kill -TERM $cpid
wait $cpid
cpid=""
grep -q 'cannot write.*space' "$TMP/collect.err" && grep -q 'writable again' "$TMP/collect.err" &&
	pass collect-full-says || fail collect-full-says "$(cat "$TMP/collect.err")"
"$MEDLOAD" analyze --format json "$dir/spool.ndjson" >"$TMP/a.json" 2>"$TMP/a.err"
acked=$((ok1 + ok2))
read=$(jq .events.read "$TMP/a.json")
rejected=$(jq .events.rejected "$TMP/a.json")
[ "$read" = "$acked" ] && [ "$rejected" = 0 ] && pass collect-full-readable ||
	fail collect-full-readable "$acked acknowledged, the spool has $read, $rejected rejected: $(head -c 300 "$TMP/a.err")"
# The very events acknowledged, each once (timestamps are unique in the sample).
grep ' 200$' "$TMP/codes" | cut -d' ' -f1 | sort >"$TMP/want"
jq -r .timestamp "$dir/spool.ndjson" | sort >"$TMP/got"
cmp -s "$TMP/want" "$TMP/got" && pass collect-full-same-events ||
	fail collect-full-same-events "$(diff "$TMP/want" "$TMP/got" | head -5 | tr '\n' ' ')"
