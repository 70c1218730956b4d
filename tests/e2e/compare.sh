#!/bin/sh
# compare.sh: medload compare end to end: real analyses, verdicts,
# thresholds and their exit status, JUnit XML, hostile names in every
# output format, charts.
. "$(dirname "$0")/../lib.sh"
D=$REPO/tests/golden/data

# real traces -> analyses -> compare
"$MEDLOAD" analyze --format json -o "$TMP/a.json" \
	"$REPO/tests/data/acapy-0.12.0-traces.ndjson"
"$MEDLOAD" analyze --format json -o "$TMP/b.json" \
	"$REPO/tests/data/acapy-1.7.0-traces.ndjson"
expect_rc compare-real 0 "$MEDLOAD" compare "$TMP/a.json" "$TMP/b.json"
# the first line is the verdict; unchanged groups are counted, not listed
if [ "$(head -n 1 "$TMP/out")" = "no change beyond noise" ]; then
	pass compare-real-headline
else fail compare-real-headline "$(head -n 1 "$TMP/out")"; fi
expect_grep compare-real-unchanged '^groups unchanged .*: 4$' "$TMP/out"
expect_grep compare-real-not-judged '^groups not judged (0 ms throughout on both sides.*: 8$' "$TMP/out"
"$MEDLOAD" compare --format json "$TMP/a.json" "$TMP/b.json" >"$TMP/real.json"
expect_grep compare-real-groups 'Dispatcher.handle_message.END' "$TMP/real.json"

# twice the load and a mediator 7.5 times slower: the latency is the
# verdict, the load is load; the way back is better, and no regression
expect_rc compare-heavy 5 "$MEDLOAD" compare --fail-on-regression \
	"$D/analysis-base.json" "$D/analysis-heavy.json"
if [ "$(head -n 1 "$TMP/out")" = "worse: mediator.trace Dispatcher.handle_message.END p95 44 -> 337 ms (+665.9%)" ]; then
	pass compare-heavy-headline
else fail compare-heavy-headline "$(head -n 1 "$TMP/out")"; fi
expect_grep compare-heavy-load '^load: more traffic (not judged): mediator.trace count 4100 -> 8200' "$TMP/out"
expect_grep compare-heavy-label '^label mediator.trace: worse' "$TMP/out"
if grep -q '^BETTER\|: better' "$TMP/out"; then
	fail compare-heavy-no-better "more load called better: $(grep -m1 'BETTER\|: better' "$TMP/out")"
else pass compare-heavy-no-better; fi
expect_grep compare-heavy-regressions '^medload: 1 regression (a latency got worse' "$TMP/err"
expect_rc compare-heavy-back 0 "$MEDLOAD" compare --fail-on-regression \
	"$D/analysis-heavy.json" "$D/analysis-base.json"
expect_grep compare-heavy-back-headline '^better: mediator.trace Dispatcher.handle_message.END p95 337 -> 44 ms' "$TMP/out"
expect_grep compare-heavy-back-load '^load: less traffic' "$TMP/out"

# a known regression is flagged, with --fail-on-regression exit 5
expect_rc compare-regression 5 "$MEDLOAD" compare --fail-on-regression \
	"$D/analysis-base.json" "$D/analysis-slow.json"
expect_grep compare-regression-first \
	'^WORSE .*Dispatcher.handle_message.END' "$TMP/out"
expect_grep compare-regression-lone 'only in the baseline: .*Legacy.only' \
	"$TMP/out"
# noise is not
expect_rc compare-noise 0 "$MEDLOAD" compare --fail-on-regression \
	"$D/analysis-base.json" "$D/analysis-noise.json"
if grep -q '^WORSE' "$TMP/out"; then fail compare-noise-none "noise flagged"
else pass compare-noise-none; fi
# a wider margin hides the latency regression (not the error flood)
expect_rc compare-margin 5 "$MEDLOAD" compare --fail-on-regression \
	--margin 60% "$D/analysis-base.json" "$D/analysis-slow.json"
if grep -q '^WORSE .*Dispatcher.handle_message.END' "$TMP/out"; then
	fail compare-margin-hides "p95 +30% flagged with a 60% margin"
else pass compare-margin-hides; fi

# thresholds: pass, breach, JUnit XML
expect_rc compare-thresholds-pass 0 "$MEDLOAD" compare \
	--threshold 'label=mediator.trace outcome=*END p95<250' \
	--junit "$TMP/pass.xml" "$D/analysis-base.json" "$D/analysis-slow.json"
expect_rc compare-thresholds-breach 5 "$MEDLOAD" compare \
	--threshold 'label=mediator.trace outcome=*END p95<250' \
	--threshold 'p95 < baseline*1.10' --threshold 'error_rate<1%' \
	--junit "$TMP/junit.xml" "$D/analysis-base.json" "$D/analysis-slow.json"
expect_grep compare-thresholds-stderr '2 of 3 thresholds breached' "$TMP/err"
if python3 - "$TMP/junit.xml" >"$TMP/py" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1
cases = suites[0].findall("testcase")
assert len(cases) == 3, len(cases)
fails = [c for c in cases if c.find("failure") is not None]
assert len(fails) == 2, len(fails)
assert suites[0].get("failures") == "2" and suites[0].get("tests") == "3"
msg = fails[0].find("failure").get("message")
assert "ms" in msg or "%" in msg, msg
assert cases[0].get("name") == "label=mediator.trace outcome=*END p95<250"
PY
then pass compare-junit-valid; else fail compare-junit-valid "$(cat "$TMP/py")"; fi

# hostile names: JUnit XML stays well-formed, JSON parses, text is safe
expect_rc compare-hostile 5 "$MEDLOAD" compare --format json \
	--threshold 'label=mediator.trace p95<10' --junit "$TMP/h.xml" \
	-o "$TMP/h.json" "$D/analysis-hostile-base.json" \
	"$D/analysis-hostile-slow.json"
if python3 - "$TMP/h.xml" "$TMP/h.json" >"$TMP/py" 2>&1 <<'PY'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
msg = root.find("testsuite/testcase/failure").get("message")
doc = json.load(open(sys.argv[2]))
titles = [g["title"] for g in doc["groups"]]
assert any("<script>" in t for t in titles), titles
assert any("new\nline" in t for t in titles), titles
PY
then pass compare-hostile-valid; else fail compare-hostile-valid "$(cat "$TMP/py")"; fi
"$MEDLOAD" compare "$D/analysis-hostile-base.json" \
	"$D/analysis-hostile-slow.json" >"$TMP/h.txt"
if LC_ALL=C grep -q "$(printf '\033')" "$TMP/h.txt"; then
	fail compare-hostile-text "raw escape in text output"
else pass compare-hostile-text; fi

# usage errors
expect_rc compare-usage-one-file 2 "$MEDLOAD" compare "$D/analysis-base.json"
expect_rc compare-parse-error 2 "$MEDLOAD" compare --threshold 'p95 <> 3' \
	"$D/analysis-base.json" "$D/analysis-slow.json"
expect_grep compare-parse-error-column 'column 6' "$TMP/err"
expect_rc compare-not-analysis 3 "$MEDLOAD" compare "$TMP/junit.xml" \
	"$D/analysis-base.json"
expect_rc analyze-relative-threshold 2 "$MEDLOAD" analyze \
	--threshold 'p95<baseline' "$REPO/tests/data/acapy-1.7.0-traces.ndjson"

# analyze --threshold: exit 5, block in JSON, JUnit
expect_rc analyze-threshold 5 "$MEDLOAD" analyze --format json \
	--threshold 'label=mediator.trace outcome=*END p95<50' \
	--threshold 'error_rate<1%' --junit "$TMP/a.xml" \
	"$REPO/tests/data/acapy-1.7.0-traces.ndjson"
expect_grep analyze-threshold-block '"failed": 1' "$TMP/out"
expect_grep analyze-threshold-junit 'failures="1"' "$TMP/a.xml"
expect_rc analyze-threshold-pass 0 "$MEDLOAD" analyze \
	--threshold 'p95<1000' "$REPO/tests/data/acapy-1.7.0-traces.ndjson"
expect_grep analyze-threshold-text 'PASS  p95<1000' "$TMP/out"

# charts, when gnuplot is there
if command -v gnuplot >/dev/null 2>&1; then
	expect_rc compare-charts 0 "$MEDLOAD" compare --charts "$TMP/ch" \
		"$D/analysis-base.json" "$D/analysis-slow.json"
	for c in compare-spectrum compare-p95; do
		if [ -s "$TMP/ch/$c.png" ] && [ -s "$TMP/ch/$c.svg" ]; then
			pass "compare-chart-$c"
		else fail "compare-chart-$c" "no $c.png/.svg"; fi
	done
	# labels gnuplot's quoting used to break: both charts drawn, each
	# label shown as it is on the bars' axis
	CT=$REPO/tests/tools/charttest.py
	python3 "$CT" traces "$TMP/q.ndjson"
	python3 "$CT" traces "$TMP/qs.ndjson" --slow 40
	"$MEDLOAD" analyze --format json -o "$TMP/q.json" "$TMP/q.ndjson"
	"$MEDLOAD" analyze --format json -o "$TMP/qs.json" "$TMP/qs.ndjson"
	expect_rc compare-quoting 0 "$MEDLOAD" compare --charts "$TMP/qc" \
		"$TMP/q.json" "$TMP/qs.json"
	if grep -q 'chart:' "$TMP/err"; then
		fail compare-quoting-all-drawn "$(cat "$TMP/err")"
	else pass compare-quoting-all-drawn; fi
	python3 "$CT" texts "$TMP/qc/compare-p95.svg" >"$TMP/q.p95" 2>&1
	bad=$(python3 "$CT" missing "$TMP/q.p95" \
		"{} / {} / Dispatcher.handle.END")
	[ -z "$bad" ] && pass compare-quoting-labels-shown ||
		fail compare-quoting-labels-shown "not shown as they are:$bad"
	# analyses with no group in common: no chart, and the reason said
	# (gnuplot used to fail on the empty data and point at its log)
	python3 "$CT" traces "$TMP/new.ndjson" --labels 3 --prefix new
	"$MEDLOAD" analyze --format json -o "$TMP/new.json" "$TMP/new.ndjson"
	expect_rc compare-charts-nothing-common 3 "$MEDLOAD" compare \
		--charts "$TMP/qn" "$TMP/q.json" "$TMP/new.json"
	expect_grep compare-charts-nothing-common-why \
		'compare-p95: no group has a p95 in both analyses: nothing to draw' \
		"$TMP/err"
	# a folder every user may write is refused (no chart, the reason said)
	mkdir -p "$TMP/chopen"
	chmod 0777 "$TMP/chopen"
	"$MEDLOAD" compare --charts "$TMP/chopen" "$D/analysis-base.json" \
		"$D/analysis-slow.json" >/dev/null 2>"$TMP/err"
	expect_grep compare-charts-open-folder \
		'chopen: every user may write in this folder' "$TMP/err"
	[ ! -e "$TMP/chopen/compare-p95.gp" ] && pass compare-charts-open-folder-empty ||
		fail compare-charts-open-folder-empty "compare-p95.gp written"
fi
