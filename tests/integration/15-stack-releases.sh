#!/usr/bin/env bash
# Every ACA-Py release an operator runs: the releases of stack/acapy-versions
# that the runner's passes do not bring up (0.8.2 and 0.11.0 in the seed
# pass, 0.12.8 in the latest pass) start from their pinned constraints, run
# a short real workflow (stack/drive-sample), and their analysis lines up
# with the 0.12.0 sample key for key under compare: the same groups, none
# only on one side (message types normalised, endpoints out of outcomes,
# start-up probes set aside). A stack of its own, on ports of its own.
# shellcheck source=tests/integration/lib-stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
MEDLOAD="$MEDLOAD_REPO/medload"
tmp="$(mktemp -d)"
own="$tmp/stack"
trap 'MEDLOAD_STACK_DIR="$own" "$STACK/down" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
case "${MEDLOAD_ACAPY_RELEASE:-seed}" in
latest) releases="0.12.8" ;;
*) releases="0.8.2 0.11.0" ;;
esac
# ports of its own: the runner's stack stays up beside this one
off=137
export MEDLOAD_STACK_DIR="$own"
export MEDLOAD_MEDIATOR_HTTP_PORT=$((${MEDLOAD_MEDIATOR_HTTP_PORT:-3000} + off))
export MEDLOAD_MEDIATOR_WS_PORT=$((${MEDLOAD_MEDIATOR_WS_PORT:-3001} + off))
export MEDLOAD_MEDIATOR_ADMIN_PORT=$((${MEDLOAD_MEDIATOR_ADMIN_PORT:-3002} + off))
export MEDLOAD_MULTI_HTTP_PORT=$((${MEDLOAD_MULTI_HTTP_PORT:-9004} + off))
export MEDLOAD_MULTI_ADMIN_PORT=$((${MEDLOAD_MULTI_ADMIN_PORT:-9014} + off))
"$MEDLOAD" analyze --format json "$MEDLOAD_REPO/tests/data/acapy-0.12.0-traces.ndjson" \
	>"$tmp/base.json" 2>/dev/null || fail "cannot analyze the 0.12.0 sample"
for rel in $releases; do
	rm -rf "$own"
	"$STACK/up" --acapy "$rel" --trace-to log >"$tmp/up-$rel.log" 2>&1 ||
		fail "release $rel did not start: $(tail -n 2 "$tmp/up-$rel.log")"
	"$STACK/drive-sample" --tenants 2 --pings 2 >"$tmp/drive-$rel.log" 2>&1 ||
		fail "release $rel: the sample workflow failed: $(tail -n 2 "$tmp/drive-$rel.log")"
	"$STACK/down" >/dev/null 2>&1
	"$MEDLOAD" analyze --format json "$own/logs/mediator.log" "$own/logs/multi.log" \
		>"$tmp/$rel.json" 2>"$tmp/$rel.err" || fail "release $rel: analyze failed: $(tail -n 2 "$tmp/$rel.err")"
	jq -e '.events.skipped > 0 and .events.rejected == 0' "$tmp/$rel.json" >/dev/null ||
		fail "release $rel: its log is not read clean: $(jq -c .events "$tmp/$rel.json")"
	"$MEDLOAD" compare --format json -o "$tmp/cmp-$rel.json" "$tmp/base.json" "$tmp/$rel.json" \
		2>"$tmp/cmp-$rel.err" || true
	only="$(jq '.summary.baseline_only + .summary.contender_only' \
		"$tmp/cmp-$rel.json" 2>/dev/null)" || fail "release $rel: no comparison: $(cat "$tmp/cmp-$rel.err")"
	both="$(jq '.summary.matched' "$tmp/cmp-$rel.json")"
	[[ "$only" == 0 && "$both" -ge 12 ]] ||
		fail "release $rel does not line up with 0.12.0: $only of $both groups on one side only"
	note "release $rel: $both groups line up with 0.12.0"
done
echo "ok: $releases start from their pins and line up with 0.12.0 key for key"
