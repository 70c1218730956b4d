#!/usr/bin/env bash
# medload run --scenario seed: the Locust file's workflow and request names
# (no mediation), Locust-compatible CSV headers, open pacing at a fixed rate
# with task starts on schedule, results readable by jq.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
mapfile -t ka < <(admin_key_args)
rid="itest-seed-$(date +%s)-$$"
"$MEDLOAD" run --scenario seed --step-time 6s --step-load 2 --time-limit 12s \
	--spawn-rate 4 --pacing open --rate 4 --out-dir "$RUN_TMP" --run-id "$rid" \
	--progress none "${ka[@]}" >"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" ||
	fail "medload run exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
check_counts "$dir"
check_target_series "$dir" 6 2 12
check_no_secrets "$dir"
names="$(jq -r '.stats[] | .name' "$dir/results.json" | sort -u | tr '\n' ' ')"
for n in 000_create_wallet 001_connect_to_mediator 002_connections_list 011_create_invitation \
	012_receive_invitation 013_connection_fetch 021_ping_mediator 022_ping_other; do
	[[ " $names" == *" $n "* ]] || fail "no $n in the results (have: $names)"
done
[[ " $names" == *" 003_request_mediation "* ]] && fail "the seed scenario requested mediation"
[[ "$(jq '.total.failures' "$dir/results.json")" == 0 ]] || fail "failures: $(jq -c .errors "$dir/results.json")"

h="$(head -n 1 "$dir/medload_stats.csv")"
[[ "$h" == 'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%' ]] ||
	fail "stats.csv header differs from Locust's: $h"
h="$(head -n 1 "$dir/medload_failures.csv")"
[[ "$h" == 'Method,Name,Error,Occurrences' ]] || fail "failures.csv header: $h"
h="$(head -n 1 "$dir/medload_stats_history.csv")"
[[ "$h" == 'Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size' ]] ||
	fail "stats_history.csv header: $h"

# open pacing at 4 tasks/s once users are ready: about 4 pings per second
pings="$(jq '[.stats[] | select(.name | test("^02[12]_")) | .count] | add' "$dir/results.json")"
((pings >= 20 && pings <= 48)) || fail "$pings pings in 12 s at 4/s"
late="$(jq '.task_start_lateness_us.p99' "$dir/results.json")"
jq -e '.task_start_lateness_us.p99 < 20000' "$dir/results.json" >/dev/null || fail "task starts late: p99 $late us"
echo "ok: seed names, Locust headers, $pings pings, start lateness p99 ${late}us"
