#!/usr/bin/env bash
# The stack with PostgreSQL wallets (`stack/up --wallet postgres`, as the
# seed's mediator runs): a second stack on its own ports and run dir, a
# private PostgreSQL cluster, both agents on askar's postgres storage; a
# short `medload run --scenario mediation` against it creates tenants whose
# wallets are databases in that cluster, gets mediation granted and pings
# without failures. The second stack is stopped and removed at the end.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
export MEDLOAD_STACK_DIR="${MEDLOAD_STACK_DIR:-$MEDLOAD_REPO/.stack/itest}-pg"
export MEDLOAD_MEDIATOR_HTTP_PORT=3130 MEDLOAD_MEDIATOR_WS_PORT=3131
export MEDLOAD_MEDIATOR_ADMIN_PORT=3132 MEDLOAD_MULTI_HTTP_PORT=9144
export MEDLOAD_MULTI_ADMIN_PORT=9154 MEDLOAD_PG_PORT=5453
cleanup() {
	"$STACK/down" >"$RUN_TMP/down.log" 2>&1 || echo "stack/down failed" >&2
	rm -rf "$MEDLOAD_STACK_DIR" "$RUN_TMP"
}
trap cleanup EXIT
rm -rf "$MEDLOAD_STACK_DIR"
# shellcheck disable=SC2086 # the runner's stack/up arguments (release)
"$STACK/up" ${MEDLOAD_TEST_UP_ARGS:---acapy seed} --wallet postgres >"$RUN_TMP/up.log" 2>&1 ||
	fail "stack/up --wallet postgres: $(tail -n 1 "$RUN_TMP/up.log")"
grep -q 'postgres running on 127.0.0.1:5453' "$RUN_TMP/up.log" || fail "no private PostgreSQL: $(cat "$RUN_TMP/up.log")"
load_stack_env
mapfile -t ka < <(admin_key_args)

rid="itest-pg-$(date +%s)-$$"
"$MEDLOAD" run --scenario mediation --step-time 5s --step-load 2 --time-limit 15s \
	--spawn-rate 2 --think-min 1s --think-max 2s --out-dir "$RUN_TMP" --run-id "$rid" \
	--progress none "${ka[@]}" >"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" ||
	fail "run against the postgres stack failed: $(tail -n 2 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
check_counts "$dir"
check_no_secrets "$dir"
w="$(stat_of "$dir" POST 000_create_wallet)"
((w >= 4)) || fail "only $w wallets created in 15 s (step load 2 every 5 s)"
f="$(jq '.total.failures' "$dir/results.json")"
[[ "$f" == 0 ]] || fail "$f failures: $(grep -A5 'Failures by kind' "$RUN_TMP/out.txt")"
g="$(stat_of "$dir" PUT 005_default_mediator)"
((g >= 2)) || fail "mediation made default for only $g tenants"
r="$(stat_of "$dir" POST 003_request_mediation)"
((r >= g && r <= w)) || fail "$r mediation requests for $w wallets and $g default mediators"
# every tenant wallet is a database of its own in the private cluster
dbs="$(PGPASSWORD="$(cat "$MEDLOAD_STACK_DIR/secrets/pg-password")" psql -h 127.0.0.1 -p 5453 \
	-U medload -d postgres -Atc "select count(*) from pg_database where datname like 'medload-$rid-%'")" ||
	fail "cannot query the private PostgreSQL"
((dbs == w)) || fail "$dbs tenant databases in PostgreSQL for $w wallets created"
echo "ok: $w tenant wallets as PostgreSQL databases, $g mediators made default, 0 failures"
