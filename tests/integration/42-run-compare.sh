#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $vars of their own
# Two real one-shot runs of the mediation scenario with different load (2
# then 6 users), each analyzing the mediator's traces (--trace-to log) for
# its own window and judged by thresholds (the second relative to the
# first as baseline), then `medload compare` on their analyses: groups
# matched, the load's increase reported as load (more events, a higher
# rate), never as better or worse; verdicts on every metric, JUnit and
# exit status 5 on a breach.
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
[[ "$MEDLOAD_TRACE_TARGET" == log ]] || fail "stack traces to $MEDLOAD_TRACE_TARGET, this test needs log"

common=(--admin-url "$LOCUST_HOST" $(admin_key_args)
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL"
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE"
	--step-time 30s --time-limit 18s --out-dir "$RUN_TMP/runs"
	--traces "$MEDLOAD_MEDIATOR_LOG" --report-wait 1s --progress none)
R="$RUN_TMP/runs"
xml_ok() { python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1" 2>/dev/null; }

# Run A: 2 users; absolute thresholds, one of them breached on purpose.
rc=0
"$MEDLOAD" run "${common[@]}" --step-load 2 --spawn-rate 2 --run-id low-$$ \
	--report "$RUN_TMP/rep-low" --threshold 'label=mediator.trace count > 10' \
	--threshold 'label=mediator.trace outcome=Dispatcher.handle_message.END p95 < 0.001ms' \
	--junit "$RUN_TMP/low.xml" >"$RUN_TMP/out-low" 2>"$RUN_TMP/err-low" || rc=$?
[[ "$rc" == 5 ]] || fail "run A with a breached threshold: exit $rc, want 5: $(tail -3 "$RUN_TMP/err-low")"
A="$R/low-$$/analysis.json"
[[ -s "$A" ]] || fail "run A wrote no analysis.json"
[[ "$(jq -r '.thresholds | "\(.passed) \(.failed) \(.skipped)"' "$A")" == "1 1 0" ]] ||
	fail "run A thresholds in analysis.json: $(jq -c '.thresholds | del(.results)' "$A")"
cmp -s <(jq -S .thresholds "$A") <(jq -S . "$RUN_TMP/rep-low/thresholds.json") ||
	fail "thresholds.json differs from the analysis' block"
grep -q '^== Thresholds: 1 passed, 1 failed, 0 skipped' "$RUN_TMP/rep-low/report.txt" ||
	fail "report.txt has no thresholds section"
grep -q '^ *fail  label=mediator.trace outcome=Dispatcher.handle_message.END p95 < 0.001ms: p95 = ' "$RUN_TMP/out-low" ||
	fail "the printed report does not show the breach"
grep -q '^## Thresholds: 1 passed, 1 failed' "$RUN_TMP/rep-low/report.md" || fail "report.md has no thresholds"
grep -q '<h2>Thresholds: 1 passed, 1 failed' "$RUN_TMP/rep-low/index.html" || fail "index.html has no thresholds"
grep -q 'thresholds breached' "$RUN_TMP/err-low" || fail "no breach message on stderr"
xml_ok "$RUN_TMP/low.xml" || fail "JUnit of run A is not well-formed XML"
grep -q '<testsuite name="medload run" tests="2" failures="1" errors="0" skipped="0">' "$RUN_TMP/low.xml" ||
	fail "JUnit of run A: $(grep '<testsuite ' "$RUN_TMP/low.xml")"
na="$(jq '.events.accepted' "$A")"
((na >= 20)) || fail "run A: only $na mediator trace events"

# Run B: 6 users, judged against A (relative thresholds), thresholds from a file.
printf '%s\n' '# run B against run A' 'label=mediator.trace count > baseline' \
	'label=mediator.trace rate > baseline*1.2' 'error_rate < 5%' >"$RUN_TMP/slo.txt"
"$MEDLOAD" run "${common[@]}" --step-load 6 --spawn-rate 6 --run-id high-$$ \
	--report "$RUN_TMP/rep-high" --thresholds "$RUN_TMP/slo.txt" --baseline "$A" \
	--junit "$RUN_TMP/high.xml" >"$RUN_TMP/out-high" 2>"$RUN_TMP/err-high" ||
	fail "run B: exit $?: $(tail -3 "$RUN_TMP/err-high")"
B="$R/high-$$/analysis.json"
[[ "$(jq -r '.thresholds | "\(.passed) \(.failed) \(.skipped)"' "$B")" == "3 0 0" ]] ||
	fail "run B thresholds: $(jq -c '[.thresholds.results[] | [.status, .expr, .message]]' "$B")"
jq -e --slurpfile a "$A" '.thresholds.results[0].baseline == $a[0].events.accepted' "$B" >/dev/null ||
	fail "run B's count threshold did not use A's count as baseline"
grep -q 'tests="3" failures="0" errors="0" skipped="0"' "$RUN_TMP/high.xml" || fail "JUnit of run B"
check_counts "$R/high-$$"

# A relative threshold and a JUnit file need --report; a bad baseline stops the run before the load.
rc=0
"$MEDLOAD" run "${common[@]}" --threshold 'p95<1s' --run-id x-$$ >/dev/null 2>"$RUN_TMP/err-x" || rc=$?
[[ "$rc" == 2 ]] || fail "--threshold without --report: exit $rc, want 2"
rc=0
echo '{"schema":"nope"}' >"$RUN_TMP/bad.json"
timeout 20 "$MEDLOAD" run "${common[@]}" --report "$RUN_TMP/rep-x" --baseline "$RUN_TMP/bad.json" \
	--threshold 'p95 < baseline' --run-id y-$$ >/dev/null 2>"$RUN_TMP/err-y" || rc=$?
[[ "$rc" == 3 ]] || fail "a bad --baseline: exit $rc, want 3: $(tail -1 "$RUN_TMP/err-y")"
[[ ! -e "$R/y-$$/journal.tsv" ]] || fail "the load ran although the baseline was unusable"

# medload compare on the two real analyses.
"$MEDLOAD" compare --format json -o "$RUN_TMP/cmp.json" "$A" "$B" 2>"$RUN_TMP/err-c" ||
	fail "compare: exit $?: $(tail -1 "$RUN_TMP/err-c")"
C="$RUN_TMP/cmp.json"
[[ "$(jq -r .schema "$C")" == medload.compare/1 ]] || fail "compare JSON schema: $(jq -r .schema "$C")"
[[ "$(jq -r '.baseline.events' "$C")" == "$na" ]] || fail "baseline events $(jq .baseline.events "$C"), A has $na"
[[ "$(jq -r '.contender.events' "$C")" == "$(jq .events.accepted "$B")" ]] || fail "contender events"
# every group of A and of B is accounted for: matched or on one side only
ga="$(jq '.groups | length' "$A")"
gb="$(jq '.groups | length' "$B")"
m="$(jq .summary.matched "$C")"
bo="$(jq .summary.baseline_only "$C")"
co="$(jq .summary.contender_only "$C")"
((m + bo == ga && m + co == gb)) || fail "groups: A $ga, B $gb; matched $m, only A $bo, only B $co"
jq -e '.groups[] | select(.key.outcome == "Dispatcher.handle_message.END")' "$C" >/dev/null ||
	fail "Dispatcher.handle_message.END is not among the matched groups"
# three times the users: more events and a higher rate, reported as load,
# not as better or worse
lab='.labels[] | select(.label == "mediator.trace") | .metrics[]'
jq -e "[$lab | select(.metric == \"count\")][0] | .contender > .baseline and .verdict == \"more\" and .kind == \"load\"" "$C" >/dev/null ||
	fail "label count: $(jq -c "[$lab | select(.metric == \"count\")]" "$C")"
jq -e "[$lab | select(.metric == \"rate\")][0] | .contender > .baseline" "$C" >/dev/null ||
	fail "label rate did not rise: $(jq -c "[$lab | select(.metric == \"rate\")]" "$C")"
jq -e '.load.verdict == "more" and (.load.changes | map(select(.scope == "label" and .metric == "count")) | length > 0)' "$C" >/dev/null ||
	fail "the load block does not report more traffic: $(jq -c .load.verdict "$C")"
jq -e '[.groups[] | select(.key.outcome == "Dispatcher.handle_message.END") | .metrics[] |
	select(.metric == "count")][0] | .contender > .baseline and .diff == .contender - .baseline' "$C" >/dev/null ||
	fail "Dispatcher.handle_message.END count did not rise"
bad="$(jq -r '[.groups[], .labels[]] | .[] | .metrics[] |
	select(if .kind == "load" then (.verdict | IN("more", "less", "unchanged")) else (.verdict | IN("better", "worse", "unchanged")) end | not) |
	"\(.metric) \(.kind) \(.verdict)"' "$C" | head -3)"
[[ -z "$bad" ]] || fail "metrics with a wrong verdict: $bad"
bad="$(jq -r '.groups[] | select(.verdict | IN("better", "worse", "unchanged", "not judged") | not) | .verdict' "$C" | head -1)"
[[ -z "$bad" ]] || fail "a group verdict is $bad"
# START events (0 ms throughout) are never judged; only latency decides a group
bad="$(jq -r '.groups[] | select(.key.outcome | test("START")) | select(.verdict != "not judged") | .title' "$C" | head -1)"
[[ -z "$bad" ]] || fail "a START group is judged: $bad"
reg="$(jq '[.groups[] | select(.verdict == "worse")] | length' "$C")"
share="$(jq '[.labels[].metrics[] | select(.metric == "error_share" and .verdict == "worse")] | length' "$C")"
[[ "$(jq .summary.regressions "$C")" == "$((reg + share))" ]] ||
	fail "regressions $(jq .summary.regressions "$C"), want $reg worse groups + $share error-share rises"
# the text and Markdown renderings say the same; the first line is the verdict
"$MEDLOAD" compare "$A" "$B" >"$RUN_TMP/cmp.txt" || fail "compare text: exit $?"
[[ "$(head -n 1 "$RUN_TMP/cmp.txt")" == "$(jq -r .summary.headline "$C")" ]] ||
	fail "text headline: $(head -n 1 "$RUN_TMP/cmp.txt")"
grep -q "^load: more traffic (not judged): mediator.trace count " "$RUN_TMP/cmp.txt" ||
	fail "text: no load line: $(sed -n 2p "$RUN_TMP/cmp.txt")"
grep -q "^medload compare: $m groups matched: $(jq .summary.worse "$C") worse, $(jq .summary.better "$C") better, $(jq .summary.unchanged "$C") unchanged, $(jq .summary.not_judged "$C") not judged" "$RUN_TMP/cmp.txt" ||
	fail "text summary: $(sed -n 3p "$RUN_TMP/cmp.txt")"
grep -q "^label mediator.trace: $(jq -r '.labels[] | select(.label == "mediator.trace") | .verdict' "$C").*; load more" "$RUN_TMP/cmp.txt" ||
	fail "text: no label verdict"
"$MEDLOAD" compare --format markdown "$A" "$B" >"$RUN_TMP/cmp.md" || fail "compare markdown: exit $?"
grep -q '^| mediator.trace | count .* more (' "$RUN_TMP/cmp.md" || fail "markdown: no count row reported as more"
# the reverse comparison mirrors it: less load, never a regression by itself
"$MEDLOAD" compare --format json "$B" "$A" >"$RUN_TMP/rev.json" || fail "reverse compare: exit $?"
jq -e "[$lab | select(.metric == \"count\")][0].verdict == \"less\"" "$RUN_TMP/rev.json" >/dev/null ||
	fail "fewer events against B is not less load"
rc=0
"$MEDLOAD" compare --fail-on-regression --junit "$RUN_TMP/rev.xml" "$B" "$A" >/dev/null 2>&1 || rc=$?
rreg="$(jq .summary.regressions "$RUN_TMP/rev.json")"
want=0
((rreg == 0)) || want=5
[[ "$rc" == "$want" ]] || fail "--fail-on-regression on a load drop with $rreg regressions: exit $rc, want $want"
xml_ok "$RUN_TMP/rev.xml" || fail "compare JUnit is not well-formed"
grep -q "failures=\"$rreg\"" "$RUN_TMP/rev.xml" || fail "JUnit failures differ from $rreg regressions"
echo "2 vs 6 users: $na -> $(jq .events.accepted "$B") events, $m groups matched, load more; $(jq -r .summary.headline "$C")"
