#!/bin/sh
# nightly.sh: medload nightly end to end: several nights into a history,
# baseline from the last passing night, verdict exit statuses, a corrupt
# history line skipped and reported, trend charts, --dry-run.
. "$(dirname "$0")/../lib.sh"
D=$REPO/tests/golden/data
H=$TMP/history.jsonl
T='label=mediator.trace outcome=*END p95<100'

expect_rc nightly-dry-run 0 "$MEDLOAD" nightly --dry-run --history "$H" \
	--out "$TMP/dry" --threshold "$T" "$REPO/tests/data/acapy-1.7.0-traces.ndjson"
expect_grep nightly-dry-run-plan '^analyze: analyze --format json' "$TMP/out"
if [ -e "$H" ] || [ -e "$TMP/dry" ]; then fail nightly-dry-run-nothing "wrote"
else pass nightly-dry-run-nothing; fi

# trace files as input (a history of their own)
expect_rc nightly-traces 0 "$MEDLOAD" nightly --history "$TMP/h3.jsonl" \
	--out "$TMP/t" --threshold "$T" --no-charts \
	"$REPO/tests/data/acapy-1.7.0-traces.ndjson"
expect_grep nightly-traces-analysis '"medload.analysis/1"' "$TMP/t/analysis.json"
# night 1: no baseline yet
expect_rc nightly-1 0 "$MEDLOAD" nightly --history "$H" --out "$TMP/n1" \
	--time 2026-11-01T02:00:00Z --threshold "$T" \
	--analysis "$D/analysis-base.json"
expect_grep nightly-1-verdict 'baseline: none' "$TMP/out"
# night 2: same distribution -> passes against night 1
expect_rc nightly-2 0 "$MEDLOAD" nightly --history "$H" --out "$TMP/n2" \
	--time 2026-11-02T02:00:00Z --analysis "$D/analysis-noise.json" \
	--threshold "$T" --fail-on-regression
expect_rc nightly-3 0 "$MEDLOAD" nightly --history "$H" --out "$TMP/n3" \
	--time 2026-11-03T02:00:00Z --analysis "$D/analysis-noise.json" \
	--threshold "$T" --fail-on-regression
expect_grep nightly-3-baseline "baseline: .*n2/analysis.json" "$TMP/out"
# night 4: slower -> regression -> exit 5, still recorded
expect_rc nightly-4 5 "$MEDLOAD" nightly --history "$H" --out "$TMP/n4" \
	--time 2026-11-04T02:00:00Z --analysis "$D/analysis-slow.json" \
	--threshold "$T" --fail-on-regression
expect_grep nightly-4-fail '"verdict":"fail"' "$H"
# a corrupt line does not lose the history
echo '{"schema":"medload.night/1", truncated' >>"$H"
# night 5: compared with night 3 (the last passing one), not night 4
expect_rc nightly-5 0 "$MEDLOAD" nightly --history "$H" --out "$TMP/n5" \
	--time 2026-11-05T02:00:00Z --analysis "$D/analysis-noise.json" \
	--threshold "$T" --fail-on-regression --trend 10
expect_grep nightly-5-baseline "baseline: .*n3/analysis.json" "$TMP/out"
expect_grep nightly-5-corrupt "history.jsonl:5: not JSON (skipped)" "$TMP/err"
n=$(grep -c '"schema":"medload.night/1","time"' "$H")
[ "$n" = 5 ] && pass nightly-history-5 || fail nightly-history-5 "$n nights"
for f in analysis.json compare.json compare.md junit.xml trend.json \
	nightly.md thresholds.json; do
	[ -s "$TMP/n5/$f" ] && pass "nightly-file-$f" ||
		fail "nightly-file-$f" missing
done
expect_grep nightly-md-trend '2026-11-04T02:00:00.000000Z | fail' \
	"$TMP/n5/nightly.md"
if python3 - "$TMP/n5/trend.json" "$TMP/n5/junit.xml" >"$TMP/py" 2>&1 <<'PY'
import json, sys, xml.etree.ElementTree as ET
t = json.load(open(sys.argv[1]))
assert len(t["nights"]) == 5, len(t["nights"])
lab = [l for l in t["labels"] if l["label"] == "mediator.trace"][0]
assert len(lab["points"]) == 5
assert lab["points"][3]["verdict"] == "fail"
r = ET.parse(sys.argv[2]).getroot()
assert r.tag == "testsuites" and r.find("testsuite/testcase") is not None
PY
then pass nightly-trend-json; else fail nightly-trend-json "$(cat "$TMP/py")"; fi
if command -v gnuplot >/dev/null 2>&1; then
	for c in trend-latency-0 trend-rate trend-errors compare-p95; do
		[ -s "$TMP/n5/$c.svg" ] && [ -s "$TMP/n5/$c.png" ] &&
			pass "nightly-chart-$c" || fail "nightly-chart-$c" missing
	done
	expect_grep nightly-md-charts 'trend-rate.svg' "$TMP/n5/nightly.md"
	# labels gnuplot's quoting used to break: every chart of two nights
	# drawn, each label shown as it is in titles and legends
	CT=$REPO/tests/tools/charttest.py
	python3 "$CT" traces "$TMP/q.ndjson"
	python3 "$CT" traces "$TMP/qs.ndjson" --slow 40
	"$MEDLOAD" analyze --format json -o "$TMP/q.json" "$TMP/q.ndjson"
	"$MEDLOAD" analyze --format json -o "$TMP/qs.json" "$TMP/qs.ndjson"
	"$MEDLOAD" nightly --history "$TMP/hq.jsonl" --out "$TMP/q1" \
		--time 2026-11-01T02:00:00Z --analysis "$TMP/q.json" >/dev/null 2>&1
	expect_rc nightly-quoting 0 "$MEDLOAD" nightly --history "$TMP/hq.jsonl" \
		--out "$TMP/q2" --time 2026-11-02T02:00:00Z --analysis "$TMP/qs.json"
	if grep -q 'chart' "$TMP/err"; then
		fail nightly-quoting-all-drawn "$(cat "$TMP/err")"
	else pass nightly-quoting-all-drawn; fi
	python3 "$CT" texts "$TMP"/q2/trend-latency-*.svg >"$TMP/q.lat" 2>&1
	python3 "$CT" texts "$TMP/q2/trend-rate.svg" >"$TMP/q.rate" 2>&1
	python3 "$CT" texts "$TMP/q2/trend-errors.svg" >"$TMP/q.errors" 2>&1
	bad="$(python3 "$CT" missing "$TMP/q.lat" "{}: p50, p95, p99 by night")"
	bad="$bad$(python3 "$CT" missing "$TMP/q.rate" "{}")"
	bad="$bad$(python3 "$CT" missing "$TMP/q.errors" "{}")"
	[ -z "$bad" ] && pass nightly-quoting-labels-shown ||
		fail nightly-quoting-labels-shown "not shown as they are:$bad"
	# forty labels two nights, then twelve of them and three new ones:
	# the 8 busiest one by one, the others as one line (rates added up,
	# latencies the highest), every night at its own place on the x axis
	python3 "$CT" traces "$TMP/m1.ndjson" --labels 40
	python3 "$CT" traces "$TMP/m2.ndjson" --labels 40 --slow 20 --errors
	python3 "$CT" traces "$TMP/m3.ndjson" --labels 12
	python3 "$CT" traces "$TMP/new.ndjson" --labels 3 --prefix new
	cat "$TMP/new.ndjson" >>"$TMP/m3.ndjson"
	for i in 1 2 3; do
		"$MEDLOAD" analyze --format json -o "$TMP/m$i.json" "$TMP/m$i.ndjson"
		expect_rc "nightly-40-labels-$i" 0 "$MEDLOAD" nightly \
			--history "$TMP/hm.jsonl" --out "$TMP/m$i" \
			--time "2026-11-0${i}T02:00:00Z" --analysis "$TMP/m$i.json"
	done
	if grep -q 'chart' "$TMP/err"; then
		fail nightly-40-labels-all-drawn "$(cat "$TMP/err")"
	else pass nightly-40-labels-all-drawn; fi
	python3 - "$TMP/m3" "$CT" <<'PY' >"$TMP/py" 2>&1 &&
import glob, json, os, re, subprocess, sys
d, ct = sys.argv[1], sys.argv[2]
trend = json.load(open(d + "/trend.json"))
names = [n["time"][5:10] + " " + n["time"][11:16] for n in trend["nights"]]
def rows(f):
    return [re.match(r'(\d+) "([^"]*)" (\S+)$', l).groups()
            for l in open(f) if not l.startswith("#")]
for f in glob.glob(d + "/trend-*.dat"):
    for x, name, _ in rows(f):
        assert names[int(x)] == name, (f, x, name)
def texts(f):
    return subprocess.run([sys.executable, ct, "texts", f],
                          capture_output=True, text=True).stdout.splitlines()
top = ["lab%02d" % k for k in range(32, 40)]
legend = texts(d + "/trend-rate.svg")
assert all(l in legend for l in top), legend
assert "the other 35 labels added up" in legend, legend
assert not any(l.startswith("new") for l in legend), legend
labels = {l["label"]: l["points"] for l in trend["labels"]}
rest = [l for l in labels if l not in top]
want = {}
for l in rest:
    for p in labels[l]:
        x = [n["time"] for n in trend["nights"]].index(p["time"])
        want[x] = want.get(x, 0) + p["rate"]
got = {int(x): float(v) for x, _, v in rows(d + "/trend-rate-s8.dat")}
assert sorted(got) == [0, 1, 2], got
assert all(abs(got[x] - want[x]) < 1e-6 * want[x] for x in want), (got, want)
high = {}
for l in rest:
    for p in labels[l]:
        x = [n["time"] for n in trend["nights"]].index(p["time"])
        high[x] = max(high.get(x, 0), p["p95"])
got = {int(x): float(v) for x, _, v in rows(d + "/trend-latency-others-s1.dat")}
assert got == high, (got, high)
assert "The other 35 labels: the highest p50, p95, p99 among them by night" \
    in texts(d + "/trend-latency-others.svg")
share = {}
for l in rest:
    for p in labels[l]:
        x = [n["time"] for n in trend["nights"]].index(p["time"])
        e, c = share.get(x, (0, 0))
        share[x] = (e + p["error_share"] * p["count"], c + p["count"])
got = {int(x): float(v) for x, _, v in rows(d + "/trend-errors-s8.dat")}
assert got[1] > 0, got
assert all(abs(got[x] - 100 * e / c) < 1e-3 for x, (e, c) in share.items()), \
    (got, share)
assert not os.path.exists(d + "/trend-latency-8.svg")
PY
	pass nightly-40-labels-others || fail nightly-40-labels-others "$(tail -5 "$TMP/py")"
fi
# a pinned baseline; a threshold breach alone exits 5
expect_rc nightly-pinned 5 "$MEDLOAD" nightly --history "$TMP/h2.jsonl" \
	--out "$TMP/p" --baseline "$D/analysis-base.json" \
	--analysis "$D/analysis-slow.json" --threshold 'p95 < baseline*1.10' \
	--no-charts
expect_grep nightly-pinned-baseline "baseline: .*analysis-base.json" \
	"$TMP/out"
expect_rc nightly-no-input 2 "$MEDLOAD" nightly --history "$H"
expect_rc nightly-two-inputs 2 "$MEDLOAD" nightly --analysis x --es http://x

# --run-config: the run's traces from --collect/--traces, the config's
# thresholds join the night's; checked before anything runs
C=$TMP/run.yaml
printf '%s\n' 'admin_url: http://127.0.0.1:1' 'time_limit: 5s' 'thresholds:' \
	'  - "label=mediator.trace p95<250"' '  - error_rate < 1%' >"$C"
expect_rc nightly-run-plan 0 "$MEDLOAD" nightly --dry-run --run-config "$C" \
	--traces "$TMP/t.ndjson" --history "$TMP/h6.jsonl" --out "$TMP/r"
expect_grep nightly-run-plan-report "^run: run --config $C --run-id nightly-[0-9]* --traces $TMP/t.ndjson --report $TMP/r/run-report --out-dir $TMP/r/runs" "$TMP/out"
expect_grep nightly-run-plan-analysis "^analysis: $TMP/r/runs/nightly-[0-9]*/analysis.json" "$TMP/out"
expect_grep nightly-run-plan-thresholds '^thresholds: 2$' "$TMP/out"
expect_rc nightly-collect-alone 2 "$MEDLOAD" nightly --collect 127.0.0.1:1 \
	--analysis "$D/analysis-base.json"
expect_rc nightly-run-two-sources 2 "$MEDLOAD" nightly --run-config "$C" \
	--traces x --collect 127.0.0.1:1
printf '%s\n' 'time_limit: 5s' 'thresholds:' '  - p95<<1' >"$TMP/bad.yaml"
expect_rc nightly-run-bad-threshold 2 "$MEDLOAD" nightly --dry-run \
	--run-config "$TMP/bad.yaml" --collect 127.0.0.1:1
expect_grep nightly-run-bad-threshold-where "bad.yaml:3:" "$TMP/err"

# medload run: thresholds need --report; the config's thresholds: list is
# accepted and checked
expect_rc run-threshold-no-report 2 "$MEDLOAD" run --admin-url \
	http://127.0.0.1:1 --invitation-url 'http://127.0.0.1:1?c_i=e30' \
	--threshold 'p95<1'
expect_grep run-threshold-no-report-why 'go with --report' "$TMP/err"
expect_rc run-config-thresholds 0 "$MEDLOAD" run --config "$C" --dry-run
expect_rc run-config-bad-threshold 2 "$MEDLOAD" run --config "$TMP/bad.yaml" \
	--dry-run
expect_grep run-config-bad-threshold-where "bad.yaml:3:" "$TMP/err"
printf '%s\n' 'thresholds: p95<1' >"$TMP/scalar.yaml"
expect_rc run-config-thresholds-scalar 2 "$MEDLOAD" run --config \
	"$TMP/scalar.yaml" --dry-run
expect_grep run-config-thresholds-scalar-why 'thresholds: expected a sequence' \
	"$TMP/err"

# a passing night whose analysis is gone is passed over for the one before
H7=$TMP/h7.jsonl
expect_rc nightly-gone-1 0 "$MEDLOAD" nightly --history "$H7" --out "$TMP/g1" \
	--time 2026-11-01T02:00:00Z --analysis "$D/analysis-base.json" --no-charts
expect_rc nightly-gone-2 0 "$MEDLOAD" nightly --history "$H7" --out "$TMP/g2" \
	--time 2026-11-02T02:00:00Z --analysis "$D/analysis-noise.json" --no-charts
rm -f "$TMP/g2/analysis.json"
expect_rc nightly-gone-3 0 "$MEDLOAD" nightly --history "$H7" --out "$TMP/g3" \
	--time 2026-11-03T02:00:00Z --analysis "$D/analysis-noise.json" --no-charts
expect_grep nightly-gone-baseline "baseline: .*g1/analysis.json" "$TMP/out"
expect_grep nightly-gone-reported "history night 2026-11-02T02:00:00.*g2/analysis.json: cannot open" "$TMP/err"
