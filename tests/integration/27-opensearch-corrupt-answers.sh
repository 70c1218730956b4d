#!/usr/bin/env bash
# Damaged answers between medload and a real OpenSearch (the fault proxy
# forwards every request and damages every second answer, of any request or
# of searches only: cut short, bytes changed, JSON values of another type,
# members dropped, deep nesting), with twelve different seeds, raw and aggs
# modes: medload never crashes or hangs;
# it ends with a documented status (0, 1, 3 or 4); a failure says so on
# stderr in one medload message; a success prints a valid JSON report; no
# escape character from the damaged answers reaches the terminal. Then a
# server that gives every aggregation bucket three times: aggs mode still
# ends with a report, and with the figures of the buckets given once (a
# bucket key seen before in the same pass is not believed; it used to
# write past its table, then counted the second copy).
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
T=$(mktemp -d)
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
idx="medload-traces-corrupt$$"
"$M" ingest --es "$os" --index "$idx" "$D/acapy-0.12.0-traces.ndjson" "$D/acapy-1.7.0-traces.ndjson" \
	>/dev/null 2>&1 || fail "ingest failed"
port=$(test_port 30 $((19700 + $$ % 200)))
declare -A seen=()
for seed in $(seq 1 12); do
	match='.*'
	((seed % 4 >= 2)) && match='_search'
	python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$os" --port "$port" \
		--match "$match" --corrupt-every 2 --seed "$seed" --log "$T/p$seed.log" \
		--lifetime 90 >"$T/p.out" 2>&1 &
	pid=$!
	for _ in $(seq 150); do grep -q ready "$T/p.out" 2>/dev/null && break; sleep 0.1; done
	grep -q ready "$T/p.out" || fail "fault proxy did not start: $(tail -n 2 "$T/p.out")"
	mode=raw
	((seed % 2)) && mode=aggs
	rc=0
	timeout -k 5 60 "$M" analyze --es "http://127.0.0.1:$port" --index "$idx" --mode "$mode" \
		--batch 50 --format json >"$T/out.json" 2>"$T/err" || rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	pid=""
	((rc != 124 && rc != 137)) || fail "seed $seed ($mode): medload hung ($(grep -c damaged "$T/p$seed.log") damaged answers)"
	((rc < 128)) || fail "seed $seed ($mode): medload died of signal $((rc - 128)): $(tail -n 3 "$T/err")"
	case $rc in
	0) jq -e '.groups' "$T/out.json" >/dev/null || fail "seed $seed ($mode): exit 0 without a JSON report" ;;
	1 | 3 | 4) grep -q '^medload' "$T/err" || fail "seed $seed ($mode): exit $rc without a message: $(head -c 300 "$T/err")" ;;
	*) fail "seed $seed ($mode): exit $rc: $(tail -n 3 "$T/err")" ;;
	esac
	grep -q $'\x1b' "$T/err" "$T/out.json" && fail "seed $seed ($mode): an escape character reached the output"
	grep -q damaged "$T/p$seed.log" || fail "seed $seed: the proxy damaged nothing"
	seen[$rc]=1
done
python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$os" --port "$port" \
	--match '_search' --repeat-buckets 3 --log "$T/rep.log" --lifetime 90 >"$T/p.out" 2>&1 &
pid=$!
for _ in $(seq 150); do grep -q ready "$T/p.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$T/p.out" || fail "fault proxy did not start: $(tail -n 2 "$T/p.out")"
rc=0
timeout -k 5 60 "$M" analyze --es "http://127.0.0.1:$port" --index "$idx" --mode aggs \
	--format json >"$T/out.json" 2>"$T/err" || rc=$?
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null || true
pid=""
grep -q 'repeated buckets' "$T/rep.log" || fail "repeated buckets: the proxy repeated nothing"
((rc == 0)) || fail "repeated buckets: exit $rc: $(tail -n 3 "$T/err")"
jq -e '.groups | length > 0' "$T/out.json" >/dev/null || fail "repeated buckets: no groups"
# Each bucket is believed once: the figures are those of a server that
# sends each once (before: a group repeated within one pass counted twice).
"$M" analyze --es "$os" --index "$idx" --mode aggs --format json >"$T/direct.json" 2>"$T/err" ||
	fail "aggs without the proxy: $(tail -n 3 "$T/err")"
for part in '.events' '[.groups[] | [.key, .count, .min, .max]]' '.outcomes' \
	'[.series.labels[] | [.label, [.points[] | [.ts, .count, .max]]]]' '[.spectrum[] | [.label, .count]]'; do
	cmp -s <(jq -S "$part" "$T/out.json") <(jq -S "$part" "$T/direct.json") ||
		fail "repeated buckets: $part differs from the answer without repeats: $(jq -c "$part" "$T/out.json" | head -c 300)"
done
curl -s -X DELETE "$os/$idx" >/dev/null || true
echo "ok: 12 runs through damaging answers, exit statuses seen: ${!seen[*]}; repeated buckets believed once"
