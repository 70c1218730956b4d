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
printf 'PASS %s: basic auth enforced at %s (401 without/with wrong credentials, APIs pass as elastic)\n' "$name" "$url"
