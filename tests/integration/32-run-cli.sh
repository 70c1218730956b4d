#!/usr/bin/env bash
# medload run's configuration and failure modes against the real stack:
# --env-file with the seed's .env, --print-config masking and sources, the
# invitation fetched from the mediator's admin API, an unreachable admin API
# (exit 6), a bad YAML file (exit 2, line and column), proxy variables
# ignored (a dead proxy in every variable changes nothing: preflight,
# invitation and load go straight to the agents), SIGINT mid-run (summary
# written, exit 0).
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
mapfile -t ka < <(admin_key_args)

cat >"$RUN_TMP/.env" <<ENV
# the seed's .env.sample, filled in
MEDIATOR_INVITATION_URL="$MEDIATOR_INVITATION_URL"
STEP_TIME=7
STEP_LOAD=3
SPAWN_RATE=10
TIME_LIMIT=21
LOCUST_HOST=$LOCUST_HOST
ENV
out="$(env -u STEP_TIME -u MEDIATOR_INVITATION_URL MEDLOAD_ADMIN_API_KEY=s3cret-value \
	"$MEDLOAD" run --env-file "$RUN_TMP/.env" --step-load 4 --print-config)" || fail "print-config failed"
grep -q 's3cret-value' <<<"$out" && fail "print-config shows the API key"
grep -q '^step_time: "7s"  # env-file ' <<<"$out" || fail "step_time not from the env file: $(grep step_time <<<"$out")"
grep -q '^step_load: "4"  # flag --step-load' <<<"$out" || fail "flag does not win over the env file"
grep -q '^# admin_api_key: "\*\*\*\*\*\*\*\*"' <<<"$out" || fail "API key not shown masked"
out="$(STEP_LOAD=5 "$MEDLOAD" run --env-file "$RUN_TMP/.env" --dry-run)" || fail "dry-run failed"
grep -Eq '^3 +14 +21 +15 ' <<<"$out" || fail "dry-run with env STEP_LOAD=5 over the env file: $out"

printf 'step_time: 30s\nstep_load: [1, 2]\n' >"$RUN_TMP/bad.yaml"
rc=0
err="$("$MEDLOAD" run --config "$RUN_TMP/bad.yaml" --dry-run 2>&1)" || rc=$?
((rc == 2)) || fail "bad YAML: exit $rc, want 2"
grep -q "bad.yaml:2:12: step_load: expected a whole number, got a sequence" <<<"$err" || fail "bad YAML message: $err"

rc=0
err="$("$MEDLOAD" run --admin-url http://127.0.0.1:9 --invitation-url "$MEDIATOR_INVITATION_URL" \
	--out-dir "$RUN_TMP" --time-limit 5s 2>&1)" || rc=$?
((rc == 6)) || fail "unreachable admin API: exit $rc, want 6 ($err)"
grep -q 'http://127.0.0.1:9/status/ready' <<<"$err" || fail "the error does not name the URL: $err"

# proxy variables are ignored: all of them name a dead port, yet the
# preflight, the invitation from the mediator's admin API and the load work
dead=http://127.0.0.1:9
rid="itest-proxy-$(date +%s)-$$"
rc=0
env -u MEDIATOR_INVITATION_URL -u no_proxy -u NO_PROXY \
	http_proxy=$dead HTTP_PROXY=$dead https_proxy=$dead HTTPS_PROXY=$dead \
	ALL_PROXY=$dead all_proxy=$dead \
	"$MEDLOAD" run --mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL" \
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE" --scenario seed \
	--time-limit 8s --step-load 2 --spawn-rate 2 --think-min 1s --think-max 1s --grace 5s \
	--out-dir "$RUN_TMP" --run-id "$rid" --progress none "${ka[@]}" \
	>"$RUN_TMP/proxy-out.txt" 2>"$RUN_TMP/proxy-err.txt" || rc=$?
((rc == 0)) || fail "with a dead proxy in the environment: exit $rc: $(tail -n 1 "$RUN_TMP/proxy-err.txt")"
dir="$RUN_TMP/$rid"
check_counts "$dir"
pw="$(stat_of "$dir" POST 000_create_wallet)"
((pw >= 2)) || fail "with a dead proxy in the environment: only $pw wallets"
for n in 000_create_wallet 001_connect_to_mediator; do
	[[ "$(stat_of "$dir" POST "$n" failures)" == 0 ]] ||
		fail "with a dead proxy in the environment: $n failed: $(jq -c .errors "$dir/results.json")"
done
((pw == $(stat_of "$dir" POST 001_connect_to_mediator))) ||
	fail "with a dead proxy in the environment: not every user connected to the mediator"

# invitation from the mediator's admin API; SIGINT after a few seconds
rid="itest-cli-$(date +%s)-$$"
env -u MEDIATOR_INVITATION_URL "$MEDLOAD" run --mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL" \
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE" --scenario seed \
	--time-limit 60s --step-load 2 --spawn-rate 2 --think-min 1s --think-max 1s --grace 5s \
	--out-dir "$RUN_TMP" --run-id "$rid" --progress plain "${ka[@]}" \
	>"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" &
pid=$!
sleep 6
kill -INT "$pid"
t0=$SECONDS
rc=0
wait "$pid" || rc=$?
((rc == 130)) || fail "interrupted run exited $rc, want 130: $(tail -n 2 "$RUN_TMP/err.txt")"
grep -q '^Interrupted at [0-9]* s of 60 s planned' "$RUN_TMP/out.txt" ||
	fail "the end table does not say the run was interrupted"
((SECONDS - t0 <= 7)) || fail "interrupted run took $((SECONDS - t0)) s to stop (grace 5 s)"
dir="$RUN_TMP/$rid"
jq -e '.interrupted == true' "$dir/results.json" >/dev/null || fail "results.json does not say interrupted"
check_counts "$dir"
check_no_secrets "$dir"
w="$(stat_of "$dir" POST 000_create_wallet)"
((w >= 2)) || fail "only $w wallets before the interrupt"
[[ "$(stat_of "$dir" POST 001_connect_to_mediator failures)" == 0 ]] ||
	fail "connecting with the fetched invitation failed"
echo "ok: env-file/flags precedence, masked key, YAML error, exit 6, proxies ignored ($pw wallets), invitation fetched, SIGINT ($w wallets)"
