#!/usr/bin/env bash
# The mediator's endpoint is dead (its invitation names a port nobody
# listens on): no user ever connects. Every failure counts: the waits that
# timed out are in the Aggregated row, results.json's total, the progress
# line and the failures CSV; the users never ready are counted by the step
# they were stuck at; and the run exits 1 (nothing was measured), not 0.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
mapfile -t ka < <(admin_key_args)

# The stack's invitation with its service endpoint moved to a dead port.
dead="$(python3 - "$MEDIATOR_INVITATION_URL" <<'PY'
import base64, json, sys, urllib.parse
url = sys.argv[1]
q = urllib.parse.urlparse(url)
params = urllib.parse.parse_qs(q.query)
key = "c_i" if "c_i" in params else "oob"
raw = params[key][0]
inv = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
if "serviceEndpoint" in inv:
    inv["serviceEndpoint"] = "http://127.0.0.1:9"
for s in inv.get("services", []):
    if isinstance(s, dict):
        s["serviceEndpoint"] = "http://127.0.0.1:9"
enc = base64.urlsafe_b64encode(json.dumps(inv).encode()).decode().rstrip("=")
print("%s://%s%s?%s=%s" % (q.scheme, q.netloc, q.path, key, enc))
PY
)" || fail "cannot rewrite the invitation"

rid="itest-dead-$(date +%s)-$$"
rc=0
"$MEDLOAD" run --scenario mediation --invitation-url "$dead" --step-time 4s \
	--step-load 2 --time-limit 14s --spawn-rate 4 --wait-timeout 3s --retries 0 \
	--request-timeout 5s --grace 2s --out-dir "$RUN_TMP" --run-id "$rid" \
	--progress plain --traces "$MEDLOAD_MULTI_LOG" --report "$RUN_TMP/dead-report" \
	--report-wait 0s "${ka[@]}" >"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" || rc=$?
((rc == 1)) || fail "a run where no user connected exited $rc, want 1: $(tail -n 3 "$RUN_TMP/err.txt")"
grep -q 'no user finished its setup' "$RUN_TMP/err.txt" || fail "no message says nothing was measured"
dir="$RUN_TMP/$rid"
# the failed run is reported all the same: the traces may say why
[[ -s "$RUN_TMP/dead-report/report.txt" && -s "$dir/analysis.json" ]] ||
	fail "a run where no user connected wrote no report: $(tail -n 3 "$RUN_TMP/err.txt")"
check_counts "$dir"
started="$(jq '.users_started' "$dir/results.json")"
never="$(jq '.users_never_ready' "$dir/results.json")"
((started > 0 && never == started)) || fail "users never ready: $never of $started"
stuck="$(jq '.users_never_ready_by_step["002_connections_list"] // 0' "$dir/results.json")"
((stuck > 0)) || fail "no user counted at 002_connections_list: $(jq -c .users_never_ready_by_step "$dir/results.json")"
waits="$(stat_of "$dir" WAIT 002_connections_list failures)"
total="$(jq '.total.failures' "$dir/results.json")"
((waits > 0)) || fail "no WAIT 002_connections_list failures"
((total >= waits)) || fail "results.json total.failures $total leaves out the $waits failed waits"
agg="$(awk -F, '$2 == "Aggregated" {print $4}' "$dir/medload_waits.csv")"
[[ "$agg" == "$(jq .total_waits.failures "$dir/results.json")" && "$agg" -ge "$waits" ]] ||
	fail "medload_waits.csv Aggregated failures $agg, results.json $(jq -c .total_waits "$dir/results.json")"
agg="$(awk -F, '$2 == "Aggregated" {print $4}' "$dir/medload_stats.csv")"
[[ "$agg" == "$(jq .total_requests.failures "$dir/results.json")" ]] ||
	fail "medload_stats.csv Aggregated failures $agg, results.json $(jq .total_requests.failures "$dir/results.json")"
grep -q 'never finished their setup (002_connections_list: [1-9]' "$RUN_TMP/out.txt" ||
	fail "the printed verdict does not say where users were stuck: $(grep users: "$RUN_TMP/out.txt")"
grep -q 'Users: .* never ready (002_connections_list' "$dir/summary.txt" ||
	fail "summary.txt does not say where users were stuck"
last="$(grep -E 'fail(ures)? [0-9]+' "$RUN_TMP/err.txt" | tail -n 1)"
[[ -n "$last" && ! "$last" =~ fail(ures)?\ 0([^0-9]|$) ]] ||
	fail "the last progress line shows no failures: $last"
grep -q 'timeout' "$dir/medload_failures.csv" || fail "medload_failures.csv lists no wait timeout"

# The agents trace to their log, not to medload: a one-shot run with
# --collect gets no trace, and says where the agents do send them.
port=$((19850 + $$ % 100))
"$MEDLOAD" run --scenario mediation --step-time 4s --step-load 2 --time-limit 4s \
	--spawn-rate 4 --out-dir "$RUN_TMP" --run-id "$rid-hint" --progress none \
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL" \
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE" \
	--collect "127.0.0.1:$port" --report "$RUN_TMP/hint-report" --report-wait 0s \
	"${ka[@]}" >"$RUN_TMP/hint.out" 2>"$RUN_TMP/hint.err" || true
grep -q "collected 0 trace events" "$RUN_TMP/hint.err" || fail "no count of collected events: $(tail -n 3 "$RUN_TMP/hint.err")"
grep -q "hint: no agent sent a trace to --collect 127.0.0.1:$port: the multi-tenant agent traces to log" \
	"$RUN_TMP/hint.err" || fail "no hint of where the agents trace: $(grep -i hint "$RUN_TMP/hint.err")"
grep -q 'the mediator traces to log' "$RUN_TMP/hint.err" || fail "the hint does not name the mediator's target"
echo "ok: $never of $started users never ready, $total failures counted ($waits failed waits); the no-trace hint names both agents' targets"
