#!/usr/bin/env bash
# medload run --shard: two shards of one run (same --run-id, the seed
# scenario against the real agents) run side by side, then run --merge
# joins their journals. The merged counts are the sums of the shards' (per
# load step too, each shard timed from its own start), the
# merged per-second target users follow the step formula of the whole run
# (each shard's are half of it), every journal line is in the merge, and no
# user was driven by both shards (user pairs alternate between shards).
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
mapfile -t ka < <(admin_key_args)
rid="itest-shards-$(date +%s)-$$"
# whole run: 4 users for 6 s, then 8 (2 then 4 per shard); 4 loop tasks a
# second in all (the seed's loop: connect, list, invite/fetch, ping)
for i in 1 2; do
	timeout 120 "$MEDLOAD" run --scenario seed --shard "$i/2" --run-id "$rid" \
		--step-time 6s --step-load 4 --time-limit 12s --spawn-rate 8 \
		--pacing open --rate 4 --out-dir "$RUN_TMP" --progress none "${ka[@]}" \
		>"$RUN_TMP/out-$i.txt" 2>"$RUN_TMP/err-$i.txt" &
	pids[i]=$!
done
for i in 1 2; do
	wait "${pids[i]}" || fail "shard $i/2 exited $?: $(tail -n 2 "$RUN_TMP/err-$i.txt")"
done
base="$RUN_TMP/$rid"
s1="$base/shard-1" s2="$base/shard-2"
for d in "$s1" "$s2"; do
	check_counts "$d"
	[[ "$(jq '.total.failures' "$d/results.json")" == 0 ]] ||
		fail "$d: failures: $(jq -c .errors "$d/results.json")"
done
for i in 1 2; do
	head -n 1 "$base/shard-$i/journal.tsv" | grep -q "run_id=$rid shard=$i/2 " ||
		fail "shard $i journal header: $(head -n 1 "$base/shard-$i/journal.tsv")"
done

"$MEDLOAD" run --merge --out-dir "$RUN_TMP" "$s1" "$s2" >"$RUN_TMP/merge.txt" 2>"$RUN_TMP/merge.err" ||
	fail "run --merge exited $?: $(tail -n 2 "$RUN_TMP/merge.err")"
m="$base"
[[ -s "$m/results.json" ]] || fail "the merge wrote no results.json"
jq -e --arg r "$rid" '.run_id == $r and .merged_from == 2' "$m/results.json" >/dev/null ||
	fail "merged results.json: run id or merged_from wrong"

# counts: the merge's equal the sums of the shards'
sum() { jq -s "map($1) | add" "$s1/results.json" "$s2/results.json"; }
for f in .total.count .total.failures; do
	a="$(sum "$f")" b="$(jq "$f" "$m/results.json")"
	[[ "$a" == "$b" ]] || fail "merged $f is $b, the shards' sum $a"
done
per_name() {
	jq -r '.stats[] | "\(.method) \(.name) \(.count)"' "$@" |
		awk '{n[$1 " " $2] += $3} END {for (k in n) print k, n[k]}' | sort
}
a="$(per_name "$s1/results.json" "$s2/results.json")" b="$(per_name "$m/results.json")"
[[ "$a" == "$b" ]] || fail "per-name counts differ: shards $(tr '\n' ';' <<<"$a"), merge $(tr '\n' ';' <<<"$b")"
# per load step: the whole run's targets; each shard's requests counted
# from its own start, so a step's figures are the sums of the shards' in
# it (requests, failures, users, per name) and it is complete when both
# shards' were
[[ "$(jq -c '[.steps[] | [.step, .users_target]]' "$m/results.json")" == '[[1,4],[2,8]]' ]] ||
	fail "merged steps: $(jq -c '[.steps[] | [.step, .users_target, .complete]]' "$m/results.json")"
step_sums='[.[0].steps, .[1].steps] | transpose | map(select(.[0] != null and .[1] != null) |
	{step: .[0].step, complete: (.[0].complete and .[1].complete),
	 requests: (.[0].requests + .[1].requests), failures: (.[0].failures + .[1].failures),
	 users_actual: (.[0].users_actual + .[1].users_actual),
	 client: ([.[0].client, .[1].client] | map(to_entries[] | {key, value: .value.count}) |
		group_by(.key) | map({key: .[0].key, value: (map(.value) | add)}) | from_entries)})'
step_merged='[.steps[] | {step, complete, requests, failures, users_actual,
	client: (.client | map_values(.count))}]'
a="$(jq -Ssc "$step_sums" "$s1/results.json" "$s2/results.json")" b="$(jq -Sc "$step_merged" "$m/results.json")"
[[ "$a" == "$b" ]] || fail "merged steps are not the shards' sums: shards $a, merge $b"
pings="$(jq '[.stats[] | select(.name | test("^02[12]_")) | .count] | add // 0' "$m/results.json")"
lists="$(jq '[.stats[] | select(.name == "002_connections_list" and .method == "GET") | .count] | add // 0' "$m/results.json")"
# about a quarter of 48 tasks are lists (fewer when wallets come slowly:
# on a busy machine the users became ready late and 1 list was made)
# (none when no wallet was ready within the 12 s)
slow="$(jq '.users_never_ready // 0' "$m/results.json")"
((lists <= 24 && (lists >= 1 || slow > 0))) ||
	fail "$lists lists in 12 s at 4 tasks/s over both shards ($slow users never ready)"

# every journal line is in the merge
lines="$(cat "$s1/journal.tsv" "$s2/journal.tsv" | grep -c '^R')"
[[ "$(jq '.journal_lines' "$m/results.json")" == "$lines" ]] ||
	fail "merge replayed $(jq '.journal_lines' "$m/results.json") journal lines, the shards have $lines"

# a damaged line in a shard's journal is skipped, named, and counted; the
# other lines still merge
cp -r "$s1" "$RUN_TMP/damaged-1"
awk 'NR == 5 {print "R\tnot\ta journal line"} {print}' "$s1/journal.tsv" >"$RUN_TMP/damaged-1/journal.tsv"
"$MEDLOAD" run --merge --out-dir "$RUN_TMP/dm" "$RUN_TMP/damaged-1" "$s2" >/dev/null 2>"$RUN_TMP/dm.err" ||
	fail "merge with a damaged line exited $?: $(tail -n 2 "$RUN_TMP/dm.err")"
grep -q "damaged-1/journal.tsv:5: not a journal line (skipped)" "$RUN_TMP/dm.err" ||
	fail "the damaged line is not named: $(cat "$RUN_TMP/dm.err")"
[[ "$(jq '.journal_lines_skipped' "$RUN_TMP/dm/$rid/results.json")" == 1 ]] ||
	fail "merge did not count the skipped line"
[[ "$(jq '.journal_lines' "$RUN_TMP/dm/$rid/results.json")" == "$lines" ]] ||
	fail "merge with a damaged line replayed $(jq '.journal_lines' "$RUN_TMP/dm/$rid/results.json") lines, want $lines"

# target users: the whole run's formula in the merge, half of it per shard
check_target_series "$m" 6 4 12
for d in "$s1" "$s2"; do
	bad="$(jq -r '.series[] | select(.t < 11) |
		select(.target_users != ((((.t / 6) | floor) + 1) * 2)) | .t' "$d/results.json" | head -n 3)"
	[[ -z "$bad" ]] || fail "$d: target users not half the formula at seconds: $bad"
done

# users: each shard drove its own pairs (1-2, 5-6 / 3-4, 7-8), none both
for i in 1 2; do
	awk -F'\t' '$1 == "R" && $7 != "-" {print $7}' "$base/shard-$i/journal.tsv" |
		sed 's/.*-//' | sort -n -u >"$RUN_TMP/users-$i"
	[[ "$(grep -c . "$RUN_TMP/users-$i")" == 4 ]] ||
		fail "shard $i drove users $(tr '\n' ' ' <"$RUN_TMP/users-$i"), want 4"
	while read -r u; do
		(((u - 1) / 2 % 2 == i - 1)) || fail "shard $i drove user $u, another shard's"
	done <"$RUN_TMP/users-$i"
done
both="$(comm -12 "$RUN_TMP/users-1" "$RUN_TMP/users-2" | tr '\n' ' ')"
[[ -z "$both" ]] || fail "users driven by both shards: $both"
[[ "$(sort -n "$RUN_TMP/users-1" "$RUN_TMP/users-2" | tr '\n' ' ')" == "1 2 3 4 5 6 7 8 " ]] ||
	fail "the shards' users are not 1-8: $(sort -n "$RUN_TMP/users-1" "$RUN_TMP/users-2" | tr '\n' ' ')"
grep -q "medload-$rid-" "$s1/journal.tsv" || fail "tenant labels do not carry the run id"
check_no_secrets "$base"
echo "ok: 2 shards, $(jq '.total.count' "$m/results.json") requests merged ($lines journal lines), $pings pings, users 1-8 split by pairs"
