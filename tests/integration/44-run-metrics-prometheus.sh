#!/usr/bin/env bash
# medload run --metrics: a real Prometheus (Debian's) scrapes the run's
# /metrics every half second; afterwards its HTTP API gives the same
# request counts as results.json, and a latency quantile in the bucket of
# the exact p95. The live page shows changing figures during the run
# (headless Chromium, two DOM dumps). With --max-setups 1, the gauge of
# users setting up never passed 1. Bad input: a port in use, an address
# not allowed; scrapes that go on while the run ends do no harm.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
command -v prometheus >/dev/null || fail "prometheus is not installed (tools/setup-deps)"
mapfile -t ka < <(admin_key_args)
mport="$(free_port 60)"
pport="$(free_port 61)"
cat >"$RUN_TMP/prom.yml" <<YML
global: {scrape_interval: 500ms, scrape_timeout: 400ms}
scrape_configs:
  - job_name: medload
    static_configs: [{targets: ["127.0.0.1:$mport"]}]
YML
prometheus --config.file="$RUN_TMP/prom.yml" --storage.tsdb.path="$RUN_TMP/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$RUN_TMP/prom.log" 2>&1 &
ppid=$!
trap 'kill "$ppid" 2>/dev/null; rm -rf "$RUN_TMP"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null || fail "prometheus did not start: $(tail -3 "$RUN_TMP/prom.log")"

rid="itest-metrics-$(date +%s)-$$"
"$MEDLOAD" run --scenario seed --step-time 5s --step-load 2 --time-limit 14s \
	--spawn-rate 4 --max-setups 1 --think-min 0.5s --think-max 1s --out-dir "$RUN_TMP" --run-id "$rid" \
	--progress none --metrics "127.0.0.1:$mport" "${ka[@]}" >"$RUN_TMP/out" 2>"$RUN_TMP/err" &
rpid=$!
# the live page during the run, twice
sleep 5
chromium --headless --no-sandbox --disable-gpu --dump-dom "http://127.0.0.1:$mport/" \
	>"$RUN_TMP/dom1.html" 2>/dev/null || true
sleep 3
chromium --headless --no-sandbox --disable-gpu --dump-dom "http://127.0.0.1:$mport/" \
	>"$RUN_TMP/dom2.html" 2>/dev/null || true
# page loads that go on while the run ends (the page, so that the final
# /metrics figures wait for Prometheus)
( trap - EXIT; for _ in $(seq 150); do curl -s -o /dev/null --max-time 1 \
	"http://127.0.0.1:$mport/" || true; sleep 0.05; done ) &
hpid=$!
wait "$rpid" || fail "medload run with --metrics exited $?: $(tail -n 2 "$RUN_TMP/err")"
wait "$hpid" || true
s1="$(grep -o '<p id="summary">[^<]*' "$RUN_TMP/dom1.html" | head -n 1)"
s2="$(grep -o '<p id="summary">[^<]*' "$RUN_TMP/dom2.html" | head -n 1)"
[[ -n "$s1" && -n "$s2" ]] || fail "the live page has no summary: $(head -c 200 "$RUN_TMP/dom1.html")"
[[ "$s1" != "$s2" ]] || fail "the live page did not change: $s1"
grep -q '<svg' "$RUN_TMP/dom2.html" || fail "the live page has no chart"
grep -q '<script' "$RUN_TMP/dom2.html" && fail "the live page runs a script"

dir="$RUN_TMP/$rid"
q() { curl -sfG "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // "none"'; }
want="$(jq '[.stats[].count] | add' "$dir/results.json")"
got="$(q "sum(max_over_time(medload_requests_total{run_id=\"$rid\"}[5m]))")" ||
	fail "no answer from Prometheus: $(tail -n 3 "$RUN_TMP/prom.log")"
[[ "$got" == "$want" ]] || fail "Prometheus counts $got requests, results.json $want"
wantf="$(jq '[.stats[].failures] | add' "$dir/results.json")"
gotf="$(q "sum(max_over_time(medload_request_failures_total{run_id=\"$rid\"}[5m]))")"
[[ "$gotf" == "$wantf" ]] || fail "Prometheus counts $gotf failures, results.json $wantf"
# --max-setups 1: Prometheus saw one tenant setting up at a time, at most
su="$(q "max_over_time(medload_users_setting_up{run_id=\"$rid\"}[5m])")"
[[ "$su" == 1 ]] || fail "medload_users_setting_up peaked at $su with --max-setups 1"
jq -e '.ramp.max_setups == 1' "$dir/results.json" >/dev/null || fail "results.json ramp: $(jq -c .ramp "$dir/results.json")"
name=002_connections_list
p95="$(jq --arg n "$name" '[.stats[] | select(.name == $n and .method == "GET") | .latency_intended_ms.p95][0] / 1000' "$dir/results.json")"
est="$(q "histogram_quantile(0.95, max_over_time(medload_request_duration_seconds_bucket{run_id=\"$rid\",method=\"GET\",name=\"$name\"}[5m]))")"
python3 - "$p95" "$est" <<'PY' || fail "Prometheus p95 of $name is $est s, the exact one $p95 s (not the same bucket)"
import bisect, sys
le = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
exact, est = float(sys.argv[1]), float(sys.argv[2])
i = bisect.bisect_left(le, exact)
lo = le[i - 1] if i > 0 else 0.0
hi = le[i] if i < len(le) else float("inf")
sys.exit(0 if lo <= est <= hi else 1)
PY

# bad input
python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", '"$mport"')); s.listen(); time.sleep(20)' &
bpid=$!
for _ in $(seq 50); do ss -ltn "sport = :$mport" | grep -q LISTEN && break; sleep 0.1; done
rc=0
"$MEDLOAD" run --scenario mediation --time-limit 2s --out-dir "$RUN_TMP" --progress none \
	--metrics "127.0.0.1:$mport" "${ka[@]}" >/dev/null 2>"$RUN_TMP/err2" || rc=$?
kill "$bpid" 2>/dev/null || true
((rc == 3)) && grep -q "cannot listen there" "$RUN_TMP/err2" ||
	fail "a port in use: exit $rc, $(cat "$RUN_TMP/err2")"
rc=0
"$MEDLOAD" run --scenario mediation --time-limit 2s --out-dir "$RUN_TMP" --progress none \
	--metrics "10.9.8.7:9464" "${ka[@]}" >/dev/null 2>"$RUN_TMP/err3" || rc=$?
((rc == 2)) && grep -q "not a loopback address" "$RUN_TMP/err3" ||
	fail "an address not allowed: exit $rc, $(cat "$RUN_TMP/err3")"
echo "ok: Prometheus saw $got requests and $gotf failures as results.json; p95 of $name $est s vs $p95 s; the live page changed"
