#!/usr/bin/env bash
# medload run --scenario seed: the Locust file's loop, request for request
# (wallet once; then connect unless connected, list, invite-and-fetch for
# even users, ping the active connections, each followed by a think), no
# mediation, Locust-compatible CSV headers; open pacing at a fixed rate
# with task starts on schedule.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
mapfile -t ka < <(admin_key_args)
rid="itest-seed-$(date +%s)-$$"
"$MEDLOAD" run --scenario seed --step-time 8s --step-load 2 --time-limit 16s \
	--spawn-rate 4 --think-min 0.5s --think-max 1s --out-dir "$RUN_TMP" \
	--run-id "$rid" --progress none "${ka[@]}" >"$RUN_TMP/out.txt" \
	2>"$RUN_TMP/err.txt" || fail "medload run exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
check_counts "$dir"
check_target_series "$dir" 8 2 16
check_no_secrets "$dir"
names="$(jq -r '.stats[] | .name' "$dir/results.json" | sort -u | tr '\n' ' ')"
for n in 000_create_wallet 001_connect_to_mediator 002_connections_list 011_create_invitation \
	012_receive_invitation 013_connection_fetch 021_ping_mediator 022_ping_other; do
	[[ " $names" == *" $n "* ]] || fail "no $n in the results (have: $names)"
done
[[ " $names" == *" 003_request_mediation "* ]] && fail "the seed scenario requested mediation"
[[ "$(jq '.total.failures' "$dir/results.json")" == 0 ]] || fail "failures: $(jq -c .errors "$dir/results.json")"

# Each user's requests follow the seed's loop (012 is sent with the
# invited user's token, so it is journaled under that user).
python3 - "$dir/journal.tsv" <<'PY' || fail "a user's requests do not follow the seed's loop"
import re, sys
seq = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "R" and f[5] != "012_receive_invitation":
        seq.setdefault(f[6], []).append((int(f[2]), f[5][:3]))
loop = re.compile(r"^000(( 001)? 002( 011)?( 013)?( 021)?( 022)?)*( 001)?$")
bad = 0
for user, reqs in seq.items():
    names = " ".join(n for _, n in sorted(reqs))
    num = int(user.rsplit("-", 1)[1])
    lists = names.split().count("002")
    # the first users (spawned at 0 s) have time for several loops
    ok = loop.match(names) and names.count("001") == 1 and (lists >= 2 or num > 2)
    ok = ok and (("011" in names) == (num % 2 == 0))
    if not ok:
        print("user %s: %s" % (user, names), file=sys.stderr)
        bad += 1
sys.exit(1 if bad or not seq else 0)
PY
[[ "$(jq '.users_never_connected' "$dir/results.json")" == 0 ]] ||
	fail "users never connected: $(jq -c .users_never_connected_by_step "$dir/results.json")"

# the CSV headers are Locust's, byte for byte (tests/data/locust holds
# files Locust 2.47 wrote)
for f in stats stats_history failures exceptions; do
	cmp -s <(head -n 1 "$dir/medload_${f}.csv") <(head -n 1 "$MEDLOAD_REPO/tests/data/locust/acapy_${f}.csv") ||
		fail "${f}.csv header differs from Locust's: $(head -n 1 "$dir/medload_${f}.csv" | od -c | head -n 3)"
done
cmp -s <(head -n 1 "$dir/medload_waits.csv") <(head -n 1 "$MEDLOAD_REPO/tests/data/locust/acapy_stats.csv") ||
	fail "waits.csv header differs from stats.csv's"

# open pacing at 4 tasks/s once users are ready: the loop's tasks start on
# schedule
rid2="$rid-open"
"$MEDLOAD" run --scenario seed --step-time 4s --step-load 2 --time-limit 8s \
	--spawn-rate 4 --pacing open --rate 4 --out-dir "$RUN_TMP" --run-id "$rid2" \
	--progress none "${ka[@]}" >"$RUN_TMP/out2.txt" 2>"$RUN_TMP/err2.txt" ||
	fail "open-paced run exited $?: $(tail -n 2 "$RUN_TMP/err2.txt")"
lists="$(stat_of "$RUN_TMP/$rid2" GET 002_connections_list)"
((lists >= 1)) || fail "no list in the open-paced run"
late="$(jq '.task_start_lateness_us.p99' "$RUN_TMP/$rid2/results.json")"
jq -e '.task_start_lateness_us.p99 < 20000' "$RUN_TMP/$rid2/results.json" >/dev/null ||
	fail "task starts late: p99 $late us"
echo "ok: the seed's loop for every user, Locust headers, $lists lists open-paced, start lateness p99 ${late}us"
