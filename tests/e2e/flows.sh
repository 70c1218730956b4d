#!/bin/sh
# flows.sh: `analyze --flows` follows exchanges across two agents: on
# synthetic traces (tests/tools/gen-flows.py: known hops, clock offset and
# losses) every figure comes out exact and the offset within its stated
# uncertainty; on the real samples every ping the workflow sent is a
# complete exchange; per-agent files merge to the same result; memory
# holds the open exchanges only.
. "$(dirname "$0")/../lib.sh"
data=$REPO/tests/data
gen=$REPO/tests/tools/gen-flows.py
chk=$REPO/tests/tools/check-flows.py

# gen_check NAME GEN-ARGS...: generates, analyzes all.ndjson, compares.
gen_check() {
	name=$1
	shift
	mkdir -p "$TMP/$name"
	python3 "$gen" "$TMP/$name" "$@"
	"$MEDLOAD" analyze --flows --format json "$TMP/$name/all.ndjson" \
	    >"$TMP/$name/out.json" 2>"$TMP/$name/err" ||
		fail "$name-run" "exit $?: $(head -c 300 "$TMP/$name/err")"
	python3 "$chk" "$name" "$TMP/$name/expect.json" "$TMP/$name/out.json"
}

gen_check sym
gen_check asym --asymmetric --offset-ms -250 --seed 5 --concurrent 30
gen_check skew --offset-ms 2500 --seed 9 --concurrent 50 --rounds 40
gen_check noskew --offset-ms 0 --seed 3

# One log per agent (gzipped, too) merges to the same flows.
gzip -c "$TMP/skew/mediator.ndjson" >"$TMP/skew/mediator.ndjson.gz"
"$MEDLOAD" analyze --flows --format json "$TMP/skew/multi.ndjson" \
    "$TMP/skew/mediator.ndjson.gz" >"$TMP/skew/two.json" 2>"$TMP/err"
python3 "$chk" skew-two-files "$TMP/skew/expect.json" "$TMP/skew/two.json"
if [ -s "$TMP/skew/two.json" ] && jq -e '.flows.exchanges | length > 5' "$TMP/skew/two.json" >/dev/null 2>&1 &&
    [ "$(jq -S .flows "$TMP/skew/two.json")" = "$(jq -S .flows "$TMP/skew/out.json")" ]; then
	pass flows-merge-equals-sorted
else
	fail flows-merge-equals-sorted "per-agent files give other flows than the sorted file"
fi

# Real events: every ping of the sample workflow (11, see tests/data) is
# a complete exchange, nothing is lost, the logs give the same result.
for v in 0.12.0 1.7.0; do
	"$MEDLOAD" analyze --flows --format json "$data/acapy-$v-traces.ndjson" >"$TMP/r.json"
	got=$(jq '[.flows.exchanges[] | select(.type | endswith("trust_ping/1.0/ping")) | .complete] | add' "$TMP/r.json")
	[ "$got" = 11 ] && pass "real-$v-pings-complete" || fail "real-$v-pings-complete" "$got complete pings, want 11"
	lost=$(jq '[.flows.incomplete[]] | add' "$TMP/r.json")
	[ "$lost" = 0 ] && pass "real-$v-nothing-lost" || fail "real-$v-nothing-lost" "$(jq -c .flows.incomplete "$TMP/r.json")"
	all=$(jq '[.flows.exchanges[] | .count == .complete] | all' "$TMP/r.json")
	[ "$all" = true ] && pass "real-$v-all-complete" || fail "real-$v-all-complete" "$(jq -c '[.flows.exchanges[] | [.type, .count, .complete]]' "$TMP/r.json")"
	fw=$(jq '[.flows.exchanges[] | select(.type | endswith("routing/1.0/forward")) | .complete] | add' "$TMP/r.json")
	[ "$fw" -ge 12 ] && pass "real-$v-forwards-relayed" || fail "real-$v-forwards-relayed" "$fw forwards relayed"
	u=$(jq '.flows.clock[0] | (.offset_ms | fabs) <= .uncertainty_ms' "$TMP/r.json")
	[ "$u" = true ] && pass "real-$v-one-clock" || fail "real-$v-one-clock" "one machine, yet $(jq -c .flows.clock "$TMP/r.json")"
	"$MEDLOAD" analyze --flows --format json "$data/acapy-$v-mediator.log" \
	    "$data/acapy-$v-multi-agent.log" >"$TMP/l.json"
	if [ -s "$TMP/l.json" ] && jq -e '.flows.exchanges | length > 5' "$TMP/l.json" >/dev/null 2>&1 &&
	    [ "$(jq -S .flows "$TMP/l.json")" = "$(jq -S .flows "$TMP/r.json")" ]; then
		pass "real-$v-logs-merge"
	else
		fail "real-$v-logs-merge" "the two logs give other flows than the sorted events"
	fi
done

# Input out of time order (beyond the timeout) is called out.
python3 - "$TMP/sym/all.ndjson" "$TMP/shuffled.ndjson" <<'PY'
import random, sys
lines = open(sys.argv[1]).readlines()
random.Random(2).shuffle(lines)
open(sys.argv[2], "w").writelines(lines)
PY
"$MEDLOAD" analyze --flows --format json "$TMP/shuffled.ndjson" >"$TMP/sh.json" 2>/dev/null &&
jq -e '.flows.warnings[0] | test("out of time order")' "$TMP/sh.json" >/dev/null &&
	pass flows-disorder-warned || fail flows-disorder-warned "$(jq -c .flows.warnings "$TMP/sh.json")"
jq -e '.flows.warnings == []' "$TMP/sym/out.json" >/dev/null 2>&1 && [ -s "$TMP/sym/out.json" ] &&
	pass flows-order-no-warning || fail flows-order-no-warning "$(jq -c .flows.warnings "$TMP/sym/out.json")"

# Memory: 2000 rounds (14,000 exchanges) never hold more than a few open.
mkdir -p "$TMP/long"
python3 "$gen" "$TMP/long" --rounds 2000 --seed 11
"$MEDLOAD" analyze --flows --format json "$TMP/long/all.ndjson" >"$TMP/long/out.json"
python3 "$chk" long "$TMP/long/expect.json" "$TMP/long/out.json"
om=$(jq .flows.open_max "$TMP/long/out.json")
tot=$(jq .flows.exchanges_total "$TMP/long/out.json")
[ "$om" -le 12 ] && [ "$tot" -gt 14000 ] && pass flows-memory-open-only ||
	fail flows-memory-open-only "open_max $om of $tot exchanges"

# A short timeout calls slow exchanges incomplete.
"$MEDLOAD" analyze --flows --flow-timeout 20ms --format json "$TMP/sym/all.ndjson" >"$TMP/t.json"
n=$(jq '.flows.incomplete | [.[]] | add' "$TMP/t.json")
[ "$n" -gt 50 ] && pass flows-timeout-option || fail flows-timeout-option "only $n incomplete with a 20 ms timeout"

# Text, CSV and the chart.
expect_rc flows-text 0 "$MEDLOAD" analyze --flows "$TMP/sym/all.ndjson"
expect_grep flows-text-section '^== Exchanges across agents: 191 followed, 184 complete, 2 undecided' "$TMP/out"
expect_grep flows-text-clock 'clock: multi.agent.trace - mediator.trace = -37.000 ms +/- 2.000 ms (92 request/response pairs, bounds)' "$TMP/out"
expect_grep flows-text-example '^  never_handled: .* trust_ping/1.0/ping at multi.agent.trace' "$TMP/out"
expect_rc flows-csv 0 "$MEDLOAD" analyze --flows --format csv "$TMP/sym/all.ndjson"
expect_grep flows-csv-header '^type,from,to,endpoint,hop,clock,count,min,max,mean,stddev,p50,' "$TMP/out"
rows=$(($(wc -l <"$TMP/out") - 1))
want=$(jq '[.flows.exchanges[] | (.hops | length) + (if .round_trip then 1 else 0 end)] | add' "$TMP/sym/out.json")
[ "$rows" = "$want" ] && pass flows-csv-rows || fail flows-csv-rows "$rows rows, want $want"
expect_grep flows-csv-row '^https://didcomm.org/trust_ping/1.0/ping,multi.agent.trace,mediator.trace,http://127.0.0.1:3000,request.transit,corrected,' "$TMP/out"
if command -v gnuplot >/dev/null; then
	expect_rc flows-chart 0 "$MEDLOAD" analyze --flows --flows-chart "$TMP/chart" --format json "$TMP/sym/all.ndjson"
	[ -s "$TMP/chart/flows.png" ] && [ -s "$TMP/chart/flows.svg" ] && pass flows-chart-files ||
		fail flows-chart-files "$(ls "$TMP/chart" 2>&1)"
	expect_grep flows-chart-data '"routing/1.0/forward ? -> mediator.trace" 0 0 0 0 0 0 0 ' "$TMP/chart/flows-hops.dat"
fi

# The report folder shows the section (text, Markdown and HTML).
"$MEDLOAD" report "$TMP/sym/out.json" --out "$TMP/rep" >/dev/null 2>&1
expect_grep flows-report-txt '^== Exchanges across agents: 191 followed' "$TMP/rep/report.txt"
expect_grep flows-report-md '^## Exchanges across agents' "$TMP/rep/report.md"
expect_grep flows-report-md-row '^| https://didcomm.org/trust\\_ping/1.0/ping | multi.agent.trace | mediator.trace | 26 | 23 | round trip | requester | 23 |' "$TMP/rep/report.md"
expect_grep flows-report-html '<h2>Exchanges across agents</h2>' "$TMP/rep/index.html"
expect_grep flows-report-html-row '<tr><td class="k">https://didcomm.org/trust_ping/1.0/ping</td><td class="k">multi.agent.trace</td><td class="k">mediator.trace</td><td>26</td><td>23</td><td class="k">round trip</td>' "$TMP/rep/index.html"

# Options: the flows options need --flows; without it, no flows object.
expect_rc flows-timeout-alone 2 "$MEDLOAD" analyze --flow-timeout 5s "$TMP/sym/all.ndjson"
expect_grep flows-timeout-alone-msg 'flow-timeout goes with --flows' "$TMP/err"
expect_rc flows-off 0 "$MEDLOAD" analyze --format json "$TMP/sym/all.ndjson"
if grep -q '"flows"' "$TMP/out"; then fail flows-off-no-object "a flows object without --flows"; else pass flows-off-no-object; fi
