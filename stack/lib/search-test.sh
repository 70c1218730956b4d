# shellcheck shell=bash
# Shared body of tests/integration/*-opensearch.sh and *-elasticsearch.sh (sourced).
# The caller sets ST_NAME (test name), ST_KIND (opensearch|elasticsearch), ST_URL
# (base URL), ST_VERSION_PREFIX (e.g. "2.19." or "8.") and optionally ST_AUTH
# ("user:password"), then calls st_run. Exit 0 = pass; otherwise one line
# "FAIL <name>: <reason>" on stderr and exit 1.

ST_RUN_ID="$(date +%s)-$$-$RANDOM"
ST_INDEX="medload-it-${ST_KIND}-${ST_RUN_ID}-traces"
ST_TEMPLATE="medload-it-${ST_KIND}-${ST_RUN_ID}"
ST_TMP="$(mktemp -d)"
ST_CODE=""
ST_BODY=""

st_fail() {
	printf 'FAIL %s: %s\n' "$ST_NAME" "$*" >&2
	exit 1
}

# st_req METHOD PATH [BODY [CONTENT_TYPE]] -> ST_CODE, ST_BODY
st_req() {
	local method="$1" path="$2" body="${3-}" ctype="${4:-application/json}"
	local args=(-s -S --max-time 30 -X "$method" -o "$ST_TMP/body" -w '%{http_code}')
	[[ -n "${ST_AUTH:-}" ]] && args+=(-u "$ST_AUTH")
	if [[ -n "$body" ]]; then
		printf '%s' "$body" >"$ST_TMP/req"
		args+=(-H "Content-Type: $ctype" --data-binary "@$ST_TMP/req")
	fi
	ST_CODE="$(curl "${args[@]}" "$ST_URL$path" 2>"$ST_TMP/err")" || ST_CODE="000"
	ST_BODY="$(cat "$ST_TMP/body" 2>/dev/null || true)"
	if [[ "$ST_CODE" == 000 ]]; then
		st_fail "$method $path: no answer from $ST_URL ($(head -c 200 "$ST_TMP/err"))"
	fi
}

# st_ok WHAT: fail unless the last answer was 2xx.
st_ok() {
	[[ "$ST_CODE" == 2* ]] || st_fail "$1: HTTP $ST_CODE: $(printf '%s' "$ST_BODY" | head -c 300)"
}

# st_py WHAT PYTHON_EXPR: evaluate an expression over the last body (as `d`);
# prints its value; fails when it raises. `fail(msg)` in the expression fails the test.
st_py() {
	local what="$1" expr="$2" out
	out="$(printf '%s' "$ST_BODY" | python3 -c '
import json, sys
def fail(msg):
    raise AssertionError(msg)
d = json.load(sys.stdin)
try:
    r = eval(sys.argv[1])
except AssertionError as e:
    print(e); sys.exit(3)
except Exception as e:
    print("%s: %s" % (type(e).__name__, e)); sys.exit(4)
if r is True or r is None:
    sys.exit(0)
if r is False:
    print("check failed"); sys.exit(3)
print(r if isinstance(r, str) else json.dumps(r))
' "$expr" 2>&1)" || st_fail "$what: $out (body: $(printf '%s' "$ST_BODY" | head -c 300))"
	[[ -n "$out" ]] && printf '%s\n' "$out"
	return 0
}

st_cleanup() {
	local saved_code="$ST_CODE" args=(-s -o /dev/null --max-time 10 -X DELETE)
	[[ -n "${ST_AUTH:-}" ]] && args+=(-u "$ST_AUTH")
	curl "${args[@]}" "$ST_URL/$ST_INDEX" 2>/dev/null || true
	curl "${args[@]}" "$ST_URL/_index_template/$ST_TEMPLATE" 2>/dev/null || true
	rm -rf "$ST_TMP"
	ST_CODE="$saved_code"
}

st_run() {
	trap st_cleanup EXIT
	command -v curl >/dev/null || st_fail "curl is not installed"
	command -v python3 >/dev/null || st_fail "python3 is not installed"

	# 1. GET / names the distribution and version.
	st_req GET /
	st_ok "GET /"
	local dist number
	dist="$(st_py "GET / distribution" 'd["version"].get("distribution", "elasticsearch")')"
	number="$(st_py "GET / version" 'd["version"]["number"]')"
	[[ "$dist" == "$ST_KIND" ]] || st_fail "GET / says distribution '$dist', expected '$ST_KIND'"
	[[ "$number" == "$ST_VERSION_PREFIX"* ]] || st_fail "GET / says version $number, expected $ST_VERSION_PREFIX*"
	if [[ "$ST_KIND" == elasticsearch ]]; then
		st_py "GET / tagline" 'd.get("tagline") == "You Know, for Search" or fail("tagline is %r" % d.get("tagline"))' >/dev/null
	fi

	# 2. An index template with replicas 0 and keyword fields applies.
	st_req PUT "/_index_template/$ST_TEMPLATE" '{
  "index_patterns": ["medload-it-'"$ST_KIND-$ST_RUN_ID"'-*"],
  "priority": 500,
  "template": {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {"properties": {
      "handler": {"type": "keyword"}, "outcome": {"type": "keyword"},
      "traced_type": {"type": "keyword"}, "msg_id": {"type": "keyword"},
      "thread_id": {"type": "keyword"}, "str_time": {"type": "keyword"},
      "timestamp": {"type": "double"}, "ellapsed_milli": {"type": "long"},
      "@timestamp": {"type": "date"}
    }}
  }
}'
	st_ok "PUT _index_template"

	# 3. _bulk of trace-like documents (ndjson, trailing newline).
	local nd="" i h o tt ms
	local -a rows=(
		"mediator.trace|Dispatcher.handle_message.END|https://didcomm.org/trust_ping/1.0/ping|10"
		"mediator.trace|Dispatcher.handle_message.END|https://didcomm.org/trust_ping/1.0/ping|20"
		"mediator.trace|Dispatcher.handle_message.END|https://didcomm.org/routing/1.0/forward|30"
		"mediator.trace|Dispatcher.handle_message.START|https://didcomm.org/trust_ping/1.0/ping|0"
		"multi.agent.trace|Dispatcher.handle_message.END|https://didcomm.org/trust_ping/1.0/ping_response|40"
		"multi.agent.trace|Dispatcher.handle_message.END|https://didcomm.org/connections/1.0/response|60"
		"multi.agent.trace|OutboundTransportManager.DELIVER.END.http://127.0.0.1:3000|https://didcomm.org/trust_ping/1.0/ping|5"
	)
	for i in "${!rows[@]}"; do
		IFS='|' read -r h o tt ms <<<"${rows[$i]}"
		nd+='{"index":{"_index":"'"$ST_INDEX"'"}}'$'\n'
		nd+='{"handler":"'"$h"'","outcome":"'"$o"'","traced_type":"'"$tt"'","msg_id":"m-'"$i"'","thread_id":"t-'"$((i % 3))"'","timestamp":'"$((1700000000 + i))"'.25,"str_time":"2023-11-14 22:13:2'"$i"'.250000","@timestamp":"2023-11-14T22:13:2'"$i"'.250Z","ellapsed_milli":'"$ms"'}'$'\n'
	done
	st_req POST "/_bulk?refresh=true" "$nd" application/x-ndjson
	st_ok "POST _bulk"
	st_py "_bulk result" 'd["errors"] is False and len(d["items"]) == 7 or fail("bulk errors=%s items=%d" % (d["errors"], len(d["items"])))' >/dev/null

	# The template's settings and mappings were applied to the new index.
	st_req GET "/$ST_INDEX/_settings"
	st_ok "GET _settings"
	st_py "template settings" 'str(list(d.values())[0]["settings"]["index"]["number_of_replicas"]) == "0" or fail("replicas are not 0")' >/dev/null
	st_req GET "/$ST_INDEX/_mapping"
	st_ok "GET _mapping"
	st_py "template mappings" 'all(list(d.values())[0]["mappings"]["properties"][f]["type"] == "keyword" for f in ("handler","outcome","traced_type","msg_id","thread_id")) or fail("fields are not keyword")' >/dev/null
	st_req GET "/_cluster/health/$ST_INDEX?wait_for_status=green&timeout=20s"
	st_ok "index health"
	st_py "index health" 'd["status"] == "green" or fail("index health is %s" % d["status"])' >/dev/null

	# 4. Composite aggregation (handler x outcome) with percentiles and stats.
	st_req POST "/$ST_INDEX/_search" '{
  "size": 0, "track_total_hits": true,
  "aggs": {"by": {
    "composite": {"size": 100, "sources": [
      {"handler": {"terms": {"field": "handler"}}},
      {"outcome": {"terms": {"field": "outcome"}}}]},
    "aggs": {
      "p": {"percentiles": {"field": "ellapsed_milli", "percents": [50, 95]}},
      "s": {"stats": {"field": "ellapsed_milli"}}}}}
}'
	st_ok "composite aggregation"
	st_py "total hits" 'd["hits"]["total"]["value"] == 7 or fail("hits.total is %r" % d["hits"]["total"])' >/dev/null
	st_py "composite buckets" '
(lambda b: [
  len(b) == 4 or fail("expected 4 buckets, got %d" % len(b)),
  b[("mediator.trace", "Dispatcher.handle_message.END")]["doc_count"] == 3 or fail("mediator END count"),
  b[("mediator.trace", "Dispatcher.handle_message.START")]["doc_count"] == 1 or fail("mediator START count"),
  b[("multi.agent.trace", "Dispatcher.handle_message.END")]["doc_count"] == 2 or fail("multi END count"),
  b[("mediator.trace", "Dispatcher.handle_message.END")]["s"]["sum"] == 60 or fail("stats sum"),
  b[("mediator.trace", "Dispatcher.handle_message.END")]["s"]["max"] == 30 or fail("stats max"),
  15 <= b[("mediator.trace", "Dispatcher.handle_message.END")]["p"]["values"]["50.0"] <= 25 or fail("p50 out of range"),
  40 <= b[("multi.agent.trace", "Dispatcher.handle_message.END")]["p"]["values"]["95.0"] <= 60 or fail("p95 out of range"),
] and True)({(x["key"]["handler"], x["key"]["outcome"]): x for x in d["aggregations"]["by"]["buckets"]})' >/dev/null

	# terms + date_histogram (fixed_interval) on @timestamp.
	st_req POST "/$ST_INDEX/_search" '{"size": 0, "aggs": {
  "t": {"terms": {"field": "traced_type", "size": 10}},
  "h": {"date_histogram": {"field": "@timestamp", "fixed_interval": "2s"}}}}'
	st_ok "terms + date_histogram"
	st_py "terms" '{x["key"]: x["doc_count"] for x in d["aggregations"]["t"]["buckets"]}.get("https://didcomm.org/trust_ping/1.0/ping") == 4 or fail("terms count")' >/dev/null
	st_py "date_histogram" '[x["doc_count"] for x in d["aggregations"]["h"]["buckets"]] == [2, 2, 2, 1] or fail("buckets %r" % [x["doc_count"] for x in d["aggregations"]["h"]["buckets"]])' >/dev/null

	# 5. Point in time: open, page with search_after, close.
	local pit
	if [[ "$ST_KIND" == opensearch ]]; then
		st_req POST "/$ST_INDEX/_search/point_in_time?keep_alive=1m"
		st_ok "open PIT (POST /idx/_search/point_in_time)"
		pit="$(st_py "PIT id" 'd["pit_id"]')"
	else
		st_req POST "/$ST_INDEX/_pit?keep_alive=1m"
		st_ok "open PIT (POST /idx/_pit)"
		pit="$(st_py "PIT id" 'd["id"]')"
	fi
	[[ -n "$pit" ]] || st_fail "PIT id is empty"
	st_req POST "/_search" '{"size": 4, "pit": {"id": "'"$pit"'", "keep_alive": "1m"},
  "sort": [{"msg_id": "asc"}], "track_total_hits": true}'
	st_ok "search with PIT"
	local after
	after="$(st_py "PIT page 1" 'len(d["hits"]["hits"]) == 4 and d["hits"]["hits"][-1]["sort"] or fail("page 1 has %d hits" % len(d["hits"]["hits"]))')"
	st_req POST "/_search" '{"size": 4, "pit": {"id": "'"$pit"'", "keep_alive": "1m"},
  "sort": [{"msg_id": "asc"}], "search_after": '"$after"'}'
	st_ok "search_after with PIT"
	st_py "PIT page 2" 'len(d["hits"]["hits"]) == 3 and d["hits"]["hits"][0]["_source"]["msg_id"] == "m-4" or fail("page 2 is wrong")' >/dev/null
	if [[ "$ST_KIND" == opensearch ]]; then
		st_req DELETE "/_search/point_in_time" '{"pit_id": ["'"$pit"'"]}'
		st_ok "close PIT"
		st_py "close PIT" 'd["pits"][0]["successful"] is True or fail("PIT not closed")' >/dev/null
	else
		st_req DELETE "/_pit" '{"id": "'"$pit"'"}'
		st_ok "close PIT"
		st_py "close PIT" 'd["succeeded"] is True and d["num_freed"] >= 1 or fail("PIT not closed")' >/dev/null
	fi

	# 6. Scroll: open, next page (scroll_id in the body), clear.
	local sid
	st_req POST "/$ST_INDEX/_search?scroll=1m" '{"size": 5, "sort": ["_doc"]}'
	st_ok "open scroll"
	sid="$(st_py "scroll page 1" 'len(d["hits"]["hits"]) == 5 and d["_scroll_id"] or fail("page 1 has %d hits" % len(d["hits"]["hits"]))')"
	st_req POST "/_search/scroll" '{"scroll": "1m", "scroll_id": "'"$sid"'"}'
	st_ok "scroll next page"
	sid="$(st_py "scroll page 2" 'len(d["hits"]["hits"]) == 2 and d["_scroll_id"] or fail("page 2 has %d hits" % len(d["hits"]["hits"]))')"
	st_req DELETE "/_search/scroll" '{"scroll_id": ["'"$sid"'"]}'
	st_ok "clear scroll"
	st_py "clear scroll" 'd["succeeded"] is True and d["num_freed"] >= 1 or fail("scroll not cleared: %r" % d)' >/dev/null

	# Sliced scroll: two slices cover every document once.
	local n0 n1 s0 s1
	st_req POST "/$ST_INDEX/_search?scroll=1m" '{"size": 10, "slice": {"id": 0, "max": 2}}'
	st_ok "sliced scroll 0"
	n0="$(st_py "slice 0" 'len(d["hits"]["hits"])')"
	s0="$(st_py "slice 0 id" 'd["_scroll_id"]')"
	st_req POST "/$ST_INDEX/_search?scroll=1m" '{"size": 10, "slice": {"id": 1, "max": 2}}'
	st_ok "sliced scroll 1"
	n1="$(st_py "slice 1" 'len(d["hits"]["hits"])')"
	s1="$(st_py "slice 1 id" 'd["_scroll_id"]')"
	((n0 + n1 == 7)) || st_fail "sliced scroll returned $n0 + $n1 documents, expected 7"
	st_req DELETE "/_search/scroll" '{"scroll_id": ["'"$s0"'", "'"$s1"'"]}'
	st_ok "clear sliced scrolls"

	# 7. Delete the index and template (also done on exit).
	st_req DELETE "/$ST_INDEX"
	st_ok "DELETE index"
	st_req DELETE "/_index_template/$ST_TEMPLATE"
	st_ok "DELETE index template"
	printf 'PASS %s: %s %s at %s (template, _bulk, composite+percentiles, PIT, scroll, sliced scroll)\n' \
		"$ST_NAME" "$ST_KIND" "$number" "$ST_URL"
}
