#!/usr/bin/env bash
# Integration test: the local OpenSearch node (stack/opensearch) answers the APIs medload
# uses: GET /, _index_template, _bulk, composite+percentiles, terms, date_histogram,
# PIT (POST /idx/_search/point_in_time), search_after, scroll, sliced scroll.
# Needs a running node: MEDLOAD_OS_URL, else `stack/opensearch url`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ST_NAME=20-opensearch
ST_KIND=opensearch
ST_VERSION_PREFIX="${MEDLOAD_OS_EXPECT_VERSION:-2.19.}"
ST_URL="${MEDLOAD_OS_URL:-$("$repo/stack/opensearch" url)}"
ST_URL="${ST_URL%/}"
ST_AUTH=""
if [[ -n "${MEDLOAD_OS_USER:-}" ]]; then ST_AUTH="$MEDLOAD_OS_USER:${MEDLOAD_OS_PASSWORD:-}"; fi
# shellcheck source=stack/lib/search-test.sh
. "$repo/stack/lib/search-test.sh"
st_run
