#!/bin/sh
# setup.sh: one-shot setup of the compose project's Elasticsearch and Kibana
# (runs in the medload image: sh, curl, jq). Every step is idempotent.
#
#   setup.sh elasticsearch   roles/users (logstash_internal, kibana_system
#                            password) and the trace index template
#   setup.sh template        the trace index template only (no security API;
#                            also used by tests against a local ES/OpenSearch)
#   setup.sh template-json   print the adjusted template, install nothing
#   setup.sh kibana          import the Kibana saved objects
#
# Env: ES_URL, ELASTIC_PASSWORD (elastic user; empty = no auth),
# LOGSTASH_INTERNAL_PASSWORD, KIBANA_SYSTEM_PASSWORD, TEMPLATE_FILE (the one
# template, queries/trace-index-template.json), TRACE_INDEX_PATTERN
# (logs-generic-*), TEMPLATE_NAME (medload-traces-logstash), KIBANA_URL,
# SAVED_OBJECTS_FILE, SETUP_TIMEOUT (300 s).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
ES_URL=${ES_URL:-http://elasticsearch:9200}
ES_URL=${ES_URL%/}
TEMPLATE_FILE=${TEMPLATE_FILE:-$here/trace-index-template.json}
TRACE_INDEX_PATTERN=${TRACE_INDEX_PATTERN:-logs-generic-*}
TEMPLATE_NAME=${TEMPLATE_NAME:-medload-traces-logstash}
TIMEOUT=${SETUP_TIMEOUT:-300}

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# req METHOD URL [BODY_FILE] -> body on stdout; fails on non-2xx.
req() {
	m=$1 u=$2 f=${3:-}
	out=$(mktemp)
	if [ -n "${ELASTIC_PASSWORD:-}" ]; then
		set -- -u "elastic:$ELASTIC_PASSWORD"
	else
		set --
	fi
	[ -z "$f" ] || set -- "$@" -H 'Content-Type: application/json' --data-binary "@$f"
	code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 60 -X "$m" "$@" \
		-H 'kbn-xsrf: medload' "$u") || code=000
	if [ "${code#2}" = "$code" ]; then
		say "$m $u: HTTP $code: $(head -c 400 "$out")"
		rm -f "$out"
		return 1
	fi
	cat "$out"
	rm -f "$out"
}

# wait_for URL: until it answers 2xx (with the elastic user) or TIMEOUT.
wait_for() {
	deadline=$(($(date +%s) + TIMEOUT))
	until req GET "$1" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || die "$1 did not answer within ${TIMEOUT}s"
		sleep 3
	done
}

# The template with its index pattern adjusted; a logs-* pattern (Logstash's
# data stream logs-generic-default) also needs "data_stream": {}.
template_json() {
	[ -r "$TEMPLATE_FILE" ] || die "template $TEMPLATE_FILE is not readable"
	jq --arg p "$TRACE_INDEX_PATTERN" '
		.index_patterns = [$p]
		| if ($p | startswith("logs-")) then .data_stream = {} else del(.data_stream) end
		| ._meta.source = "queries/trace-index-template.json"' "$TEMPLATE_FILE"
}

install_template() {
	tmp=$(mktemp)
	template_json >"$tmp"
	req PUT "$ES_URL/_index_template/$TEMPLATE_NAME" "$tmp" >/dev/null ||
		die "could not install index template $TEMPLATE_NAME"
	rm -f "$tmp"
	say "index template $TEMPLATE_NAME for $TRACE_INDEX_PATTERN installed"
}

setup_elasticsearch() {
	: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is not set}"
	: "${LOGSTASH_INTERNAL_PASSWORD:?LOGSTASH_INTERNAL_PASSWORD is not set}"
	: "${KIBANA_SYSTEM_PASSWORD:?KIBANA_SYSTEM_PASSWORD is not set}"
	wait_for "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=5s"
	tmp=$(mktemp)
	req PUT "$ES_URL/_security/role/logstash_writer" "$here/logstash_writer.json" >/dev/null ||
		die "could not create role logstash_writer"
	jq -n --arg p "$LOGSTASH_INTERNAL_PASSWORD" \
		'{password: $p, roles: ["logstash_writer"], full_name: "Logstash (medload compose)"}' >"$tmp"
	req PUT "$ES_URL/_security/user/logstash_internal" "$tmp" >/dev/null ||
		die "could not create user logstash_internal"
	jq -n --arg p "$KIBANA_SYSTEM_PASSWORD" '{password: $p}' >"$tmp"
	req POST "$ES_URL/_security/user/kibana_system/_password" "$tmp" >/dev/null ||
		die "could not set the kibana_system password"
	rm -f "$tmp"
	say "users logstash_internal and kibana_system ready"
	install_template
}

setup_kibana() {
	KIBANA_URL=${KIBANA_URL:-http://kibana:5601}
	KIBANA_URL=${KIBANA_URL%/}
	f=${SAVED_OBJECTS_FILE:-$here/../kibana/saved-objects.ndjson}
	[ -r "$f" ] || die "saved objects $f are not readable"
	wait_for "$KIBANA_URL/api/status"
	out=$(mktemp)
	set --
	[ -z "${ELASTIC_PASSWORD:-}" ] || set -- -u "elastic:$ELASTIC_PASSWORD"
	code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 120 -X POST "$@" \
		-H 'kbn-xsrf: medload' -F "file=@$f" \
		"$KIBANA_URL/api/saved_objects/_import?overwrite=true") || code=000
	if [ "$code" != 200 ] || [ "$(jq -r '.success' "$out")" != true ]; then
		die "saved objects import: HTTP $code: $(head -c 600 "$out")"
	fi
	say "imported $(jq -r '.successCount' "$out") Kibana saved objects (dashboard: medload traces)"
	rm -f "$out"
}

case "${1:-}" in
elasticsearch) setup_elasticsearch ;;
template) install_template ;;
template-json) template_json ;;
kibana) setup_kibana ;;
*) die "usage: setup.sh elasticsearch|template|template-json|kibana" ;;
esac
