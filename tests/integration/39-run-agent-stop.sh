#!/usr/bin/env bash
# The multi-agent stops in the middle of a run: the run completes (exit 0),
# the failures are counted by kind (connection errors or timeouts: ACA-Py
# 1.7 keeps its socket open for a while as it shuts down), the report is
# written, and the journal matches it. The agent is restarted at the end
# with stack/up so later tests still work (this test runs last: 39-).
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
mapfile -t ka < <(admin_key_args)
pidf="$MEDLOAD_STACK_DIR/pids/multi.pid"
[[ -s "$pidf" ]] || fail "no multi-agent pid file at $pidf"

restart() {
	# shellcheck disable=SC2086 # the runner's stack/up arguments
	"$STACK/up" ${MEDLOAD_TEST_UP_ARGS:-} >"$RUN_TMP/up.log" 2>&1 ||
		echo "restart failed: $(tail -n 1 "$RUN_TMP/up.log")" >&2
}
trap 'restart; rm -rf "$RUN_TMP"' EXIT

rid="itest-stop-$(date +%s)-$$"
"$MEDLOAD" run --scenario mediation --step-time 4s --step-load 2 --time-limit 16s \
	--spawn-rate 4 --think-min 0.5s --think-max 1s --request-timeout 3s --retries 1 \
	--grace 4s --out-dir "$RUN_TMP" --run-id "$rid" --progress none "${ka[@]}" \
	>"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" &
pid=$!
sleep 7
pg="$(cat "$pidf")"
kill -TERM -- "-$pg" 2>/dev/null || kill -TERM "$pg" || fail "cannot stop the multi-agent ($pg)"
rc=0
wait "$pid" || rc=$?
dir="$RUN_TMP/$rid"
# 0, or 1 when the agent stopped before any user was set up (said so)
((rc == 0)) || { ((rc == 1)) && grep -q 'no user finished its setup' "$RUN_TMP/err.txt" &&
	jq -e '.users_never_ready == .users_started' "$dir/results.json" >/dev/null; } ||
	fail "run with a stopped agent exited $rc: $(tail -n 2 "$RUN_TMP/err.txt")"
[[ -s "$dir/results.json" && -s "$dir/medload_stats.csv" ]] || fail "no report after the agent stopped"
check_counts "$dir"
fails="$(jq '.total.failures' "$dir/results.json")"
conn="$(jq '.errors.connection + .errors.timeout' "$dir/results.json")"
((fails > 0)) || fail "no failures counted after the agent stopped"
((conn > 0)) || fail "no connection errors or timeouts counted: $(jq -c .errors "$dir/results.json")"
grep -q 'Failures by kind' "$RUN_TMP/out.txt" || fail "the end table does not list failures by kind"
lines="$(grep -c -E $'\t(connection|timeout)\t' "$dir/journal.tsv")"
((lines > 0)) || fail "the journal holds no connection or timeout errors"
[[ "$(wc -l <"$dir/medload_failures.csv")" -gt 1 ]] || fail "medload_failures.csv is empty"
# stack/env names the agent that is down and fails, so `eval "$(stack/env)"
# && medload run` never goes on with default ports.
erc=0
"$STACK/env" >"$RUN_TMP/env.out" 2>"$RUN_TMP/env.err" || erc=$?
((erc != 0)) || fail "stack/env exits 0 with the multi-agent down"
grep -q 'multi-tenant agent is not running' "$RUN_TMP/env.err" ||
	fail "stack/env does not name the agent that is down: $(cat "$RUN_TMP/env.err")"
echo "ok: $fails failures ($conn connection or timeout) counted, report complete"
