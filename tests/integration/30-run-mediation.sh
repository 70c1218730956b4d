#!/usr/bin/env bash
# medload run --scenario mediation: tenants created, mediator connections
# active, mediation granted, tenant pairs connected through the mediator,
# pings observed in the mediator's traces by thread id; journal counts equal
# the summary's; per-second target users follow the step formula.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
[[ "$MEDLOAD_TRACE_TARGET" == log ]] || fail "needs --trace-to log"

m0="$(wc -l <"$MEDLOAD_MEDIATOR_LOG")"
dry="$("$MEDLOAD" run --dry-run --step-time 8s --step-load 2 --time-limit 16s)" || fail "dry-run failed"
grep -Eq '^1 +0 +8 +2 ' <<<"$dry" || fail "dry-run step 1 is not 0-8 s with 2 users: $dry"
grep -Eq '^2 +8 +16 +4 ' <<<"$dry" || fail "dry-run step 2 is not 8-16 s with 4 users: $dry"

mapfile -t ka < <(admin_key_args)
rid="itest-med-$(date +%s)-$$"
"$MEDLOAD" run --scenario mediation --step-time 8s --step-load 2 --time-limit 16s \
	--spawn-rate 4 --think-min 1s --think-max 2s --out-dir "$RUN_TMP" --run-id "$rid" \
	--progress plain "${ka[@]}" >"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" ||
	fail "medload run exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
for f in config.yaml schedule.txt journal.tsv results.json summary.txt \
	medload_stats.csv medload_waits.csv medload_stats_history.csv \
	medload_failures.csv medload_exceptions.csv; do
	[[ -s "$dir/$f" ]] || fail "run dir lacks $f"
done
grep -q 'Aggregated' "$RUN_TMP/out.txt" || fail "no end table on stdout"
# one table on stdout (from the intended start), both in summary.txt
grep -q 'Response times in ms from the actual start' "$RUN_TMP/out.txt" &&
	fail "two end tables on stdout"
grep -q 'Response times in ms from the actual start' "$dir/summary.txt" ||
	fail "summary.txt lacks the actual-start table"
# the last progress line: the users at the end and the most planned
grep -q '^medload run: done in [0-9]*s: requests [0-9]* failures [0-9]*, users [0-9]* at the end (at most 4 planned)$' \
	"$RUN_TMP/err.txt" || fail "final progress line: $(grep 'done in' "$RUN_TMP/err.txt")"
grep -q 'users [0-9]*/0 ' "$RUN_TMP/err.txt" && fail "a progress line reads users N/0: $(grep 'users [0-9]*/0 ' "$RUN_TMP/err.txt" | tail -1)"
jq -e --arg r "$rid" '.schema == "medload.run/1" and .run_id == $r' "$dir/results.json" >/dev/null ||
	fail "results.json schema/run id wrong"
check_counts "$dir"
check_target_series "$dir" 8 2 16
check_no_secrets "$dir"

w="$(stat_of "$dir" POST 000_create_wallet)"
((w >= 4)) || fail "only $w wallets created"
for n in 000_create_wallet 001_connect_to_mediator 003_request_mediation 005_default_mediator; do
	m=POST
	[[ "$n" == 005_default_mediator ]] && m=PUT
	f="$(stat_of "$dir" "$m" "$n" failures)"
	[[ "$f" == 0 ]] || fail "$n: $f failures"
done
g="$(stat_of "$dir" WAIT 004_mediation_granted)"
gf="$(stat_of "$dir" WAIT 004_mediation_granted failures)"
((g >= 4 && gf == 0)) || fail "mediation granted $g times with $gf failures"
a="$(stat_of "$dir" WAIT 002_connections_list)"
((a >= 4)) || fail "only $a mediator connections became active"
c="$(stat_of "$dir" WAIT 013_connection_fetch)"
((c >= 2)) || fail "only $c tenant-to-tenant connection waits ended"
p1="$(stat_of "$dir" POST 021_ping_mediator)"
p2="$(stat_of "$dir" POST 022_ping_other)"
((p1 >= 2 && p2 >= 1)) || fail "pings: $p1 to the mediator, $p2 to peers"
[[ "$(jq '.total.failures' "$dir/results.json")" == 0 ]] || fail "failures: $(jq -c .errors "$dir/results.json")"
grep -q "medload-$rid-" "$dir/journal.tsv" || fail "tenant labels do not carry the run id"

# the mediator handled our pings: their thread ids appear in its traces
sleep 2
tail -n +"$((m0 + 1))" "$MEDLOAD_MEDIATOR_LOG" >"$RUN_TMP/m.log"
"$STACK/lib/extract-traces.sh" --tag "$MEDLOAD_TRACE_TAG" "$RUN_TMP/m.log" >"$RUN_TMP/m.ndjson"
awk -F'\t' '$1 == "R" && $6 == "021_ping_mediator" && $11 != "-" {print $11}' "$dir/journal.tsv" | sort -u >"$RUN_TMP/pings"
[[ -s "$RUN_TMP/pings" ]] || fail "no ping thread ids in the journal"
jq -r 'select(.traced_type == "https://didcomm.org/trust_ping/1.0/ping") | .thread_id' "$RUN_TMP/m.ndjson" | sort -u >"$RUN_TMP/traced"
seen="$(comm -12 "$RUN_TMP/pings" "$RUN_TMP/traced" | wc -l)"
total="$(wc -l <"$RUN_TMP/pings")"
((seen == total)) || fail "only $seen of $total mediator pings found in the mediator's traces"
fw="$(jq -r .traced_type "$RUN_TMP/m.ndjson" | grep -c '^https://didcomm.org/routing/1.0/forward$' || true)"
((fw > 0)) || fail "the mediator traced no routing/1.0/forward (peer pings must pass through it)"
echo "ok: $w tenants, $g grants, $p1+$p2 pings, $seen/$total ping threads traced, $fw forwards"
