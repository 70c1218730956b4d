#!/usr/bin/env bash
# Damaged answers from the multi-tenant agent: the fault proxy sits in front
# of the real multi-agent's admin API and damages every third answer of the
# workflow (cut short, bytes changed, JSON values of another type, members
# dropped, deep nesting; /status is left alone). The run completes (exit 0),
# the damage is counted as failures by kind in the summary and the journal,
# the journal equals the summary, and no escape character from a damaged
# answer reaches the terminal or the run's files.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
mapfile -t ka < <(admin_key_args)
port=$(test_port 45 $((19500 + $$ % 200)))
python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$LOCUST_HOST" --port "$port" \
	--match '^(?!GET /status)' --corrupt-every 3 --seed 7 --log "$RUN_TMP/proxy.log" \
	--lifetime 120 >"$RUN_TMP/proxy.out" 2>&1 &
ppid=$!
trap 'kill $ppid 2>/dev/null; rm -rf "$RUN_TMP"' EXIT
for _ in $(seq 50); do grep -q ready "$RUN_TMP/proxy.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$RUN_TMP/proxy.out" || fail "fault proxy did not start"

rid="itest-corrupt-$(date +%s)-$$"
rc=0
timeout -k 5 90 "$MEDLOAD" run --admin-url "http://127.0.0.1:$port" --scenario mediation \
	--step-time 6s --step-load 2 --time-limit 18s --spawn-rate 4 --think-min 0.5s \
	--think-max 1s --request-timeout 5s --wait-timeout 8s --retries 1 --grace 5s \
	--out-dir "$RUN_TMP" --run-id "$rid" --progress plain "${ka[@]}" \
	>"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" || rc=$?
dir="$RUN_TMP/$rid"
# 0, or 1 when the damage left no user set up (the run then says so)
((rc == 0)) || { ((rc == 1)) && grep -q 'no user finished its setup' "$RUN_TMP/err.txt" &&
	jq -e '.users_never_ready == .users_started' "$dir/results.json" >/dev/null; } ||
	fail "run through damaged answers: exit $rc: $(tail -n 3 "$RUN_TMP/err.txt")"
check_counts "$dir"
check_no_secrets "$dir"
d="$(grep -c '^damaged' "$RUN_TMP/proxy.log")"
((d >= 3)) || fail "the proxy damaged only $d answers"
f="$(jq '.total.failures' "$dir/results.json")"
((f > 0)) || fail "$d damaged answers, but no failure counted"
grep -q 'Failures by kind' "$RUN_TMP/out.txt" || fail "no failures table in the summary"
bf="$(awk -F'\t' '$1 == "R" && $9 != "ok"' "$dir/journal.tsv" | wc -l)"
((bf > 0)) || fail "no failed request in the journal"
esc="$(grep -rla $'\x1b' "$RUN_TMP/out.txt" "$RUN_TMP/err.txt" "$dir" || true)"
[[ -z "$esc" ]] ||
	fail "an escape character from a damaged answer reached the output: $esc: $(grep -rha -m 2 $'\x1b' $esc | cat -v | cut -c1-300)"
w="$(stat_of "$dir" POST 000_create_wallet)"
echo "ok: $d damaged answers, $f failures counted, $w wallets, run completed"
