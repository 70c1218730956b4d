#!/usr/bin/env bash
# Integration test: the one trace index template (queries/trace-index-template.json,
# the file `medload ingest` embeds and the compose setup service installs) on the
# local stack's Elasticsearch 8 and OpenSearch 2. For each engine, through the
# compose setup script (compose/setup/setup.sh template, which adjusts only the
# index pattern and, for logs-* patterns, adds "data_stream": {}):
#   1. plain index: PUT _index_template, index a real ACA-Py 0.12.0 event and a
#      1.7.0 event (tests/data), GET _mapping: keyword, date and double fields;
#   2. data stream (as Logstash writes to logs-generic-default): the same with
#      a Logstash-shaped document (@timestamp), the backing index's mapping.
# Needs both engines: MEDLOAD_ES_URL / MEDLOAD_OS_URL (stack/env), else
# `stack/<engine> url`. With ES security on, MEDLOAD_ES_USER/MEDLOAD_ES_PASSWORD.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
name=25-elasticsearch-opensearch-index-template
tpl="$repo/queries/trace-index-template.json"
setup="$repo/compose/setup/setup.sh"
data="$repo/tests/data"
id="it25-$(date +%s)-$$"
tmp="$(mktemp -d)"
cleanup_cmds=()

fail() {
	printf 'FAIL %s: %s\n' "$name" "$*" >&2
	exit 1
}

cleanup() {
	local c
	for c in "${cleanup_cmds[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v jq >/dev/null || fail "jq is not installed"
[[ -r "$tpl" ]] || fail "no $tpl"

# req URL AUTH METHOD PATH [BODY] -> body in $tmp/body, code in $code
req() {
	local url="$1" auth="$2" method="$3" path="$4" body="${5-}"
	local args=(-s -S --max-time 30 -X "$method" -o "$tmp/body" -w '%{http_code}')
	[[ -n "$auth" ]] && args+=(-u "$auth")
	[[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	code="$(curl "${args[@]}" "$url$path" 2>"$tmp/err")" || code=000
}

# check_mapping ENGINE WHAT: field types in $tmp/body (GET _mapping of one index)
check_mapping() {
	local engine="$1" what="$2" got
	got="$(jq -r '[.[]][0].mappings.properties as $p | [
		$p.handler.type, $p.outcome.type, $p.traced_type.type, $p.msg_id.type, $p.thread_id.type,
		$p.str_time.type, $p.timestamp.type, $p.ellapsed_milli.type, $p.elapsed_milli.type] | join(" ")' "$tmp/body")"
	[[ "$got" == "keyword keyword keyword keyword keyword date double double double" ]] ||
		fail "$engine $what: field types '$got' (handler outcome traced_type msg_id thread_id str_time timestamp ellapsed_milli elapsed_milli)"
}

# run_engine ENGINE URL AUTH
run_engine() {
	local engine="$1" url="${2%/}" auth="$3" ev012 ev17 pass
	req "$url" "$auth" GET /
	[[ "$code" == 200 ]] || fail "$engine at $url does not answer (HTTP $code)"
	pass=""
	[[ -n "$auth" ]] && pass="${auth#*:}"

	ev012="$(grep -m1 '"handler": "mediator.trace"' "$data/acapy-0.12.0-traces.ndjson")"
	ev17="$(grep -m1 '"elapsed_milli"' "$data/acapy-1.7.0-traces.ndjson")"
	[[ -n "$ev012" && -n "$ev17" ]] || fail "no sample events in tests/data"

	# 1. plain index pattern
	local tname="medload-$id-$engine" idx="medload-$id-$engine-traces"
	cleanup_cmds+=("curl -s -X DELETE ${auth:+-u '$auth'} '$url/$idx'" "curl -s -X DELETE ${auth:+-u '$auth'} '$url/_index_template/$tname'")
	ES_URL="$url" ELASTIC_PASSWORD="$pass" TEMPLATE_FILE="$tpl" TEMPLATE_NAME="$tname" \
		TRACE_INDEX_PATTERN="medload-$id-$engine-*" sh "$setup" template 2>"$tmp/setup.err" ||
		fail "$engine: setup.sh template: $(tail -n 1 "$tmp/setup.err")"
	req "$url" "$auth" GET "/_index_template/$tname"
	[[ "$code" == 200 ]] || fail "$engine: template $tname not installed (HTTP $code)"
	jq -e --slurpfile o "$tpl" '.index_templates[0].index_template.template.mappings.properties.traced_type.type == "keyword"
		and (.index_templates[0].index_template | has("data_stream") | not)' "$tmp/body" >/dev/null ||
		fail "$engine: installed template differs: $(head -c 300 "$tmp/body")"
	req "$url" "$auth" POST "/$idx/_doc?refresh=true" "$ev012"
	[[ "$code" == 201 ]] || fail "$engine: indexing the 0.12.0 event: HTTP $code: $(head -c 300 "$tmp/body")"
	req "$url" "$auth" POST "/$idx/_doc?refresh=true" "$ev17"
	[[ "$code" == 201 ]] || fail "$engine: indexing the 1.7.0 event (str_time with +0000): HTTP $code: $(head -c 300 "$tmp/body")"
	req "$url" "$auth" GET "/$idx/_mapping"
	[[ "$code" == 200 ]] || fail "$engine: GET _mapping: HTTP $code"
	check_mapping "$engine" "index"
	req "$url" "$auth" POST "/$idx/_search" '{"size":0,"query":{"term":{"handler":"mediator.trace"}},"aggs":{"t":{"min":{"field":"str_time"}}}}'
	[[ "$(jq -r '.hits.total.value // .hits.total' "$tmp/body")" == 1 ]] ||
		fail "$engine: term query on handler: $(head -c 300 "$tmp/body")"
	# str_time "2026-11-29 07:55:57.922614" (UTC) = 1795938957922 ms
	[[ "$(jq -r '.aggregations.t.value | floor' "$tmp/body")" == 1795938957922 ]] ||
		fail "$engine: str_time parsed as $(jq -c '.aggregations.t' "$tmp/body")"

	# 2. data stream, as Logstash's default output (logs-generic-default). Fixed
	# names: the local Elasticsearch has no data stream API module, so a data
	# stream cannot be deleted there; reruns reuse it instead of piling up.
	local dname="medload-it25-$engine-ds" ds="logs-medloadit25${engine}-default"
	cleanup_cmds+=("curl -s -X DELETE ${auth:+-u '$auth'} '$url/_data_stream/$ds'" "curl -s -X DELETE ${auth:+-u '$auth'} '$url/_index_template/$dname'")
	ES_URL="$url" ELASTIC_PASSWORD="$pass" TEMPLATE_FILE="$tpl" TEMPLATE_NAME="$dname" \
		TRACE_INDEX_PATTERN="logs-medloadit25${engine}-*" sh "$setup" template 2>"$tmp/setup.err" ||
		fail "$engine: setup.sh template (data stream): $(tail -n 1 "$tmp/setup.err")"
	local doc
	doc="$(jq -c '. + {"@timestamp": "2026-11-29T07:55:58.000Z", "@version": "1",
		"event": {"original": "x"}, "url": {"path": "/acapy.events"}}' <<<"$ev012")"
	req "$url" "$auth" POST "/$ds/_doc?refresh=true" "$doc"
	[[ "$code" == 201 ]] || fail "$engine: indexing into data stream $ds: HTTP $code: $(head -c 300 "$tmp/body")"
	req "$url" "$auth" GET "/_resolve/index/$ds"
	[[ "$code" == 200 ]] && [[ "$(jq -r '.data_streams[0].timestamp_field // "" | if type == "object" then .name else . end' "$tmp/body")" == "@timestamp" ]] ||
		fail "$engine: $ds is not a data stream: $(head -c 300 "$tmp/body")"
	req "$url" "$auth" GET "/$ds/_mapping"
	[[ "$code" == 200 ]] || fail "$engine: GET $ds/_mapping: HTTP $code"
	# ellapsed_milli and elapsed_milli are both mapped by the template
	check_mapping "$engine" "data stream"
	printf '%s: plain index and data stream ok\n' "$engine"
}

# shellcheck disable=SC1090
[[ -x "$repo/stack/env" ]] && eval "$("$repo/stack/env" 2>/dev/null)" || true
es_url="${MEDLOAD_ES_URL:-$("$repo/stack/elasticsearch" url 2>/dev/null || true)}"
os_url="${MEDLOAD_OS_URL:-$("$repo/stack/opensearch" url 2>/dev/null || true)}"
es_auth=""
if [[ -n "${MEDLOAD_ES_USER:-}" ]]; then
	es_auth="$MEDLOAD_ES_USER:${MEDLOAD_ES_PASSWORD:-}"
elif [[ "${MEDLOAD_ES_SECURITY:-0}" == 1 ]]; then
	es_auth="elastic:${MEDLOAD_ES_PASSWORD:-changeme}"
fi
[[ -n "$es_url" ]] || fail "no Elasticsearch URL (MEDLOAD_ES_URL)"
[[ -n "$os_url" ]] || fail "no OpenSearch URL (MEDLOAD_OS_URL)"
run_engine elasticsearch "$es_url" "$es_auth"
run_engine opensearch "$os_url" ""
printf 'PASS %s: one template file, plain index + data stream, on %s and %s\n' "$name" "$es_url" "$os_url"
