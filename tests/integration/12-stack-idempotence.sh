#!/usr/bin/env bash
# stack/up twice leaves running agents alone; stack/down leaves no recorded pid
# alive and frees the ports; stack/up brings it back (for the tests after this).
# shellcheck source=tests/integration/lib-stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
load_stack_env
pids="$MEDLOAD_STACK_DIR/pids"
read -r -a up_args <<<"${MEDLOAD_TEST_UP_ARGS:---acapy $MEDLOAD_ACAPY_RELEASE --trace-to $MEDLOAD_TRACE_TARGET}"

m1="$(cat "$pids/mediator.pid")"
a1="$(cat "$pids/multi.pid")"
"$STACK/up" "${up_args[@]}" >/dev/null 2>&1 || fail "second stack/up failed"
[[ "$(cat "$pids/mediator.pid")" == "$m1" && "$(cat "$pids/multi.pid")" == "$a1" ]] ||
	fail "second stack/up restarted the agents"
kill -0 "$m1" "$a1" 2>/dev/null || fail "agents died after the second stack/up"
"$STACK/status" >/dev/null || fail "stack/status says not running"

# stack/down stops the engines too; keep them for later tests when they run
if [[ -z "${MEDLOAD_OS_URL:-}${MEDLOAD_ES_URL:-}" ]]; then
	"$STACK/down" >/dev/null 2>&1 || fail "stack/down failed"
else
	"$STACK/agents" stop >/dev/null 2>&1 || fail "stack/agents stop failed"
fi
for p in "$m1" "$a1"; do
	kill -0 "$p" 2>/dev/null && fail "pid $p still alive after stop"
done
[[ ! -e "$pids/mediator.pid" && ! -e "$pids/multi.pid" ]] || fail "pid files left after stop"
"$STACK/status" >/dev/null 2>&1 && fail "stack/status exit 0 with agents stopped"
st="$("$STACK/status" 2>/dev/null || true)"
grep -q '^mediator *stopped' <<<"$st" || fail "stack/status does not say stopped: $st"
for port in "${MEDLOAD_MEDIATOR_ADMIN_URL##*:}" "${LOCUST_HOST##*:}"; do
	c="$(http_code "http://127.0.0.1:$port/status/live")"
	[[ "$c" == 000 ]] || fail "port $port still answers ($c) after stop"
done
grep -q MEDLOAD_MEDIATOR_ADMIN_URL < <("$STACK/env") && fail "stack/env describes stopped agents"
"$STACK/agents" stop >/dev/null 2>&1 || fail "stopping an already stopped stack fails"

t0=$SECONDS
"$STACK/up" "${up_args[@]}" >/dev/null 2>&1 || fail "stack/up after stop failed"
m2="$(cat "$pids/mediator.pid")"
if [[ "$m2" == "$m1" ]] || ! kill -0 "$m2" 2>/dev/null; then
	fail "no new mediator after restart"
fi
echo "ok: idempotent up, clean stop, warm restart in $((SECONDS - t0))s"
