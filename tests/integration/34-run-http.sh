#!/usr/bin/env bash
# medload run --scenario http against the real multi-agent's admin API
# (GET /status/live, which ACA-Py serves without a key): every request
# answered 200 and journaled, the journal equal to the summary, the closed
# loop keeping each user at one request in flight; a closed port gives
# counted connection errors and a completed run (exit 0); a URL whose host
# only looks local ("localhost:80@host") is refused (exit 2).
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
url="$LOCUST_HOST/status/live"

rid="itest-http-$(date +%s)-$$"
"$MEDLOAD" run --scenario http --url "$url" --stages 4s:3 --spawn-rate 100 \
	--think-min 50ms --think-max 50ms --out-dir "$RUN_TMP" --run-id "$rid" \
	--progress none >"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" ||
	fail "http scenario run failed: $(tail -n 2 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
check_counts "$dir"
n="$(stat_of "$dir" GET http_get)"
# 3 users, 4 s, a request then 50 ms of thought: at most 3 * 4 / 0.05
((n >= 30 && n <= 250)) || fail "$n requests in 4 s from 3 users thinking 50 ms"
[[ "$(stat_of "$dir" GET http_get failures)" == 0 ]] || fail "failures against /status/live"
bad="$(awk -F'\t' '$1 == "R" && $8 != 200' "$dir/journal.tsv" | head -n 1)"
[[ -z "$bad" ]] || fail "a journal line without status 200: $bad"
grep -q '^GET *http_get ' "$RUN_TMP/out.txt" || fail "no http_get row in the summary"

rid2="itest-http-closed-$(date +%s)-$$"
"$MEDLOAD" run --scenario http --url http://127.0.0.1:9/ --stages 2s:2 --spawn-rate 100 \
	--think-min 100ms --think-max 100ms --out-dir "$RUN_TMP" --run-id "$rid2" \
	--progress none >"$RUN_TMP/out2.txt" 2>"$RUN_TMP/err2.txt" ||
	fail "a closed port ended the run: $(tail -n 2 "$RUN_TMP/err2.txt")"
c="$(stat_of "$RUN_TMP/$rid2" GET http_get)"
f="$(stat_of "$RUN_TMP/$rid2" GET http_get failures)"
((c > 0 && c == f)) || fail "closed port: $f failures of $c requests"
grep -q 'GET http_get: connection' "$RUN_TMP/out2.txt" || fail "failures not counted as connection errors"

rc=0
err="$("$MEDLOAD" run --scenario http --url 'http://localhost:80@example.com/' --stages 1s:1 \
	--out-dir "$RUN_TMP" 2>&1)" || rc=$?
((rc == 2)) || fail "userinfo URL: exit $rc, want 2"
grep -q 'is not on this machine' <<<"$err" || fail "userinfo URL message: $err"
echo "ok: $n requests to $url, all 200; closed port: $c connection errors; look-alike local host refused"
