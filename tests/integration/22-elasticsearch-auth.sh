#!/usr/bin/env bash
# Integration test: Elasticsearch with x-pack security and HTTP basic auth
# (MEDLOAD_ES_SECURITY=1). Starts its own node on MEDLOAD_ES_AUTH_PORT (9201,
# transport 9301) in its own run dir, checks 401 without / with wrong credentials
# and 200 with elastic:changeme, runs 21-elasticsearch.sh against it with
# credentials, then stops the node. Takes about 30 s and ~750 MB while it runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
name=22-elasticsearch-auth
fail() {
	printf 'FAIL %s: %s\n' "$name" "$*" >&2
	exit 1
}

base="${MEDLOAD_STACK_DIR:-$repo/.stack}"
export MEDLOAD_STACK_DIR="$base/es-auth"
export MEDLOAD_ES_PORT="${MEDLOAD_ES_AUTH_PORT:-9201}"
export MEDLOAD_ES_TRANSPORT_PORT="${MEDLOAD_ES_AUTH_TRANSPORT_PORT:-9301}"
export MEDLOAD_ES_SECURITY=1
export MEDLOAD_ES_PASSWORD="${MEDLOAD_ES_AUTH_PASSWORD:-changeme}"
url="http://127.0.0.1:$MEDLOAD_ES_PORT"

stop() { "$repo/stack/elasticsearch" stop >/dev/null 2>&1 || true; }
trap stop EXIT
"$repo/stack/elasticsearch" start >"$(mktemp)" 2>&1 ||
	fail "could not start a secured Elasticsearch on $url; see $MEDLOAD_STACK_DIR/elasticsearch/logs/medload.log"

code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url/_cluster/health" || true)"
[[ "$code" == 401 ]] || fail "no credentials: expected HTTP 401, got $code"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -u elastic:wrong-password "$url/_cluster/health" || true)"
[[ "$code" == 401 ]] || fail "wrong password: expected HTTP 401, got $code"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -u "elastic:$MEDLOAD_ES_PASSWORD" "$url/" || true)"
[[ "$code" == 200 ]] || fail "elastic:<password>: expected HTTP 200, got $code"

out="$(MEDLOAD_ES_URL="$url" MEDLOAD_ES_USER=elastic "$here/21-elasticsearch.sh" 2>&1)" ||
	fail "API checks with basic auth: ${out##*FAIL 21-elasticsearch: }"
# medload with real basic auth: the password comes from the environment or a
# file, works, and never appears in any output or message.
M="$repo/medload"
T="$(mktemp -d)"
trap 'rm -rf "$T"; stop' EXIT
secret="$MEDLOAD_ES_PASSWORD"
"$M" ingest --es "$url" --user elastic --index medload-traces-auth "$repo/tests/data/acapy-1.7.0-traces.ndjson" >"$T/o1" 2>"$T/e1" ||
	fail "medload ingest with basic auth: $(cat "$T/e1")"
printf '%s\n' "$secret" >"$T/pw"
MEDLOAD_ES_PASSWORD= "$M" analyze --es "$url" --user elastic --password-file "$T/pw" --index medload-traces-auth --format json >"$T/o2" 2>"$T/e2" ||
	fail "medload analyze with --password-file: $(cat "$T/e2")"
[[ "$(jq .events.accepted "$T/o2")" == 298 ]] || fail "analyze with auth: $(jq .events.accepted "$T/o2") events, want 298"
rc=0
MEDLOAD_ES_PASSWORD="wrong-$secret" "$M" analyze --es "$url" --user elastic --index medload-traces-auth >"$T/o3" 2>"$T/e3" || rc=$?
[[ $rc == 3 ]] || fail "wrong password: exit $rc, want 3"
grep -q 'HTTP 401' "$T/e3" || fail "wrong password: no 401 in the message: $(cat "$T/e3")"
rc=0
"$M" analyze --es "$url" --index medload-traces-auth >"$T/o4" 2>"$T/e4" || rc=$?
[[ $rc == 3 ]] || fail "no credentials: exit $rc, want 3"
rc=0
MEDLOAD_ES_PASSWORD= "$M" analyze --es "$url" --user elastic --index medload-traces-auth >"$T/o5" 2>"$T/e5" || rc=$?
[[ $rc == 2 ]] && grep -q 'needs a password' "$T/e5" || fail "--user without a password: exit $rc: $(cat "$T/e5")"
if grep -l -F -- "$secret" "$T"/o* "$T"/e* >/dev/null; then
	fail "the password appears in medload's output: $(grep -l -F -- "$secret" "$T"/o* "$T"/e*)"
fi

printf 'PASS %s: basic auth enforced at %s (401 without/with wrong credentials, APIs pass as elastic)\n' "$name" "$url"
