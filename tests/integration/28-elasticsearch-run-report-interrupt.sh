#!/usr/bin/env bash
# `medload run --report --es`: the search engine read that follows the run
# obeys Ctrl-C like any other. A proxy in front of the real Elasticsearch
# holds every answer for 60 s; SIGINT during that read ends medload within
# seconds, exit 130, with the run's results already written.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
[[ -n "${MEDLOAD_ES_URL:-}" ]] || fail "needs Elasticsearch (stack/up --with elasticsearch)"
mapfile -t ka < <(admin_key_args)
port=$(test_port 40 $((19600 + $$ % 100)))
python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$MEDLOAD_ES_URL" \
	--port "$port" --delay 60 --lifetime 150 --log "$RUN_TMP/proxy.log" &
ppid=$!
trap 'kill "$ppid" 2>/dev/null; rm -rf "$RUN_TMP"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/_x" --max-time 0.2 && break; sleep 0.1; done

rid="itest-esint-$(date +%s)-$$"
"$MEDLOAD" run --scenario http --url "$MEDLOAD_MULTI_ADMIN_URL/status/live" \
	--step-time 2s --step-load 1 --time-limit 2s --out-dir "$RUN_TMP" --run-id "$rid" \
	--progress none --report "$RUN_TMP/report" --es "http://127.0.0.1:$port" \
	--report-wait 0s "${ka[@]}" >"$RUN_TMP/out" 2>"$RUN_TMP/err" &
pid=$!
for _ in $(seq 150); do [[ -s "$RUN_TMP/$rid/results.json" ]] && break; sleep 0.1; done
[[ -s "$RUN_TMP/$rid/results.json" ]] || fail "the run wrote no results"
sleep 2	# the report phase is now waiting on the held answer
kill -0 "$pid" 2>/dev/null || fail "medload ended before the interrupt: $(tail -3 "$RUN_TMP/err")"
kill -INT "$pid"
t0=$SECONDS
rc=0
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	kill -KILL "$pid"
	fail "the search engine read ignored SIGINT for 10 s"
fi
wait "$pid" || rc=$?
((rc == 130)) || fail "interrupted report: exit $rc, want 130: $(tail -3 "$RUN_TMP/err")"
echo "ok: SIGINT ended the report's search engine read in $((SECONDS - t0)) s"
