#!/usr/bin/env bash
# Integration test: the local Elasticsearch 8 (stack/elasticsearch) answers the APIs
# medload uses: GET /, _index_template, _bulk, composite+percentiles, terms,
# date_histogram, PIT (POST /idx/_pit), search_after, scroll, sliced scroll.
# Needs a running node: MEDLOAD_ES_URL, else `stack/elasticsearch url`.
# With security on (MEDLOAD_ES_SECURITY=1) it logs in as MEDLOAD_ES_USER/MEDLOAD_ES_PASSWORD.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ST_NAME=21-elasticsearch
ST_KIND=elasticsearch
ST_VERSION_PREFIX="${MEDLOAD_ES_EXPECT_VERSION:-8.}"
ST_URL="${MEDLOAD_ES_URL:-$("$repo/stack/elasticsearch" url)}"
ST_URL="${ST_URL%/}"
ST_AUTH=""
if [[ -n "${MEDLOAD_ES_USER:-}" ]]; then
	ST_AUTH="$MEDLOAD_ES_USER:${MEDLOAD_ES_PASSWORD:-}"
elif [[ "${MEDLOAD_ES_SECURITY:-0}" == 1 ]]; then
	ST_AUTH="elastic:${MEDLOAD_ES_PASSWORD:-changeme}"
fi
# shellcheck source=stack/lib/search-test.sh
. "$repo/stack/lib/search-test.sh"
st_run
