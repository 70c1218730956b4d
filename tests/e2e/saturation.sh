#!/bin/sh
# saturation.sh: the saturation assessment of `report --run` over a real
# stepped run (tests/data/run-knee, stopped by --find-knee past the
# multi-agent's capacity): the steps with the client's and both labels'
# figures per step, the knee at step 2 and the multi-agent named, in
# assessment.json, on stderr and as knee.png; the same run without its
# traces (the client's knee names the multi-agent); a run without
# per-step figures (tests/data/run-demo) is not assessed; --find-knee's
# and --slo's usage errors.
. "$(dirname "$0")/../lib.sh"
K=$REPO/tests/data/run-knee

expect_rc knee-report 0 "$MEDLOAD" report --run "$K" --traces "$K/traces.ndjson.gz" -o "$TMP/k"
A=$TMP/k/assessment.json
python3 - "$A" <<'PY' && pass knee-assessment || fail knee-assessment "see above"
import json, sys
a = json.load(open(sys.argv[1]))
steps = a["steps"]
assert [(s["step"], s["users_target"], s["complete"]) for s in steps] == \
    [(1, 20, True), (2, 40, True), (3, 60, False)], steps
for s in steps[:2]:
    assert set(s["trace"]) == {"mediator.trace", "multi.agent.trace"}, s["trace"]
    assert s["trace"]["multi.agent.trace"]["count"] > 20, s["trace"]
k = a["knee"]
assert (k["step"], k["users"], k["metric"]) == (2, 40, "000_create_wallet"), k
assert k["throughput_change_pct"] < 0 and k["to_ms"] > k["from_ms"], k
assert a["sentence"].startswith("saturation at step 2 (40 users, 6.8 req/s): "), a["sentence"]
b = a["bottleneck"]
assert (b["agent"], b["role"], b["evidence"]) == ("multi.agent.trace", "load platform", "trace"), b
assert "the run measured the load platform more than the mediator" in b["sentence"], b
assert a["notes"] == ["step 3 was cut short (the run ended 8 s into it) and is not judged"], a["notes"]
PY
expect_grep knee-printed '^medload: saturation: saturation at step 2 (40 users' "$TMP/err"
expect_grep knee-bottleneck-printed '^medload: bottleneck: the multi-agent (multi.agent.trace) saturated first' "$TMP/err"
head -c 8 "$TMP/k/charts/knee.png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' &&
    pass knee-png || fail knee-png "no knee.png"
# the chart's data: the two complete steps (the cut one left out)
expect_grep knee-chart-rows '^40 6.8 ' "$TMP/k/charts/knee-steps.dat"
[ "$(grep -c '^[0-9]' "$TMP/k/charts/knee-steps.dat")" = 2 ] && pass knee-chart-complete-only ||
    fail knee-chart-complete-only "$(cat "$TMP/k/charts/knee-steps.dat")"

# Without the traces: the client's knee names the multi-agent.
expect_rc knee-no-traces 0 "$MEDLOAD" report --run "$K" -o "$TMP/k2" -q
python3 - "$TMP/k2/assessment.json" <<'PY' && pass knee-client-bottleneck || fail knee-client-bottleneck "see above"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["knee"]["step"] == 2 and "trace" not in a["steps"][0], a
b = a["bottleneck"]
assert (b["agent"], b["evidence"]) == ("multi-agent", "client"), b
assert b["sentence"].startswith("the multi-agent saturated first: the requests its admin API answers slowed at step 2"), b
PY

# An edge run (tests/data/run-edge-knee: native agents, no multi-agent)
# whose ramp lagged its targets: the knee counts the users running (2535
# of 4000 asked), and the client's requests went to the mediator itself,
# so it is named; with the step's sessions samples saying the machine's
# other work took the CPU, the machine is.
E=$REPO/tests/data/run-edge-knee
expect_rc edge-knee 0 "$MEDLOAD" report --run "$E" -o "$TMP/e" -q
python3 - "$TMP/e/assessment.json" <<'PY' && pass edge-knee-mediator || fail edge-knee-mediator "see above"
import json, sys
a = json.load(open(sys.argv[1]))
k = a["knee"]
assert (k["step"], k["users"], k["users_target"]) == (2, 2535, 4000), k
assert a["sentence"].startswith("saturation at step 2 (2535 users of 4000 asked, 12.2 req/s): "), a["sentence"]
b = a["bottleneck"]
assert (b["agent"], b["role"], b["evidence"]) == ("mediator", "mediator", "client"), b
assert b["sentence"] == "the mediator saturated first: the edge agents' requests to it slowed at step 2 (p90 of 130_edge_ping_peer rose from 1,800 to 2,120 ms)", b
assert "multi-agent" not in b["sentence"] + b["advice"], b
PY
expect_grep edge-knee-chart '^2535 12.224 ' "$TMP/e/charts/knee-steps.dat"
mkdir -p "$TMP/em"
python3 - "$E/results.json" "$TMP/em/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for s in r["edge_steps"]["steps"]:
    if s["step"] == 2:
        s["limit"], s["machine_cpu_busy"], s["mediator_cpu_share"] = "machine", 0.99, 0.5
json.dump(r, open(sys.argv[2], "w"))
PY
expect_rc edge-knee-machine 0 "$MEDLOAD" report --run "$TMP/em" -o "$TMP/em/r" -q
python3 - "$TMP/em/r/assessment.json" <<'PY' && pass edge-knee-machine-named || fail edge-knee-machine-named "see above"
import json, sys
b = json.load(open(sys.argv[1]))["bottleneck"]
assert (b["agent"], b["role"]) == ("machine", "machine"), b
assert b["sentence"].startswith("the machine was the limit at step 2, not the mediator: its cores were busy with other work"), b
PY

# A run without per-step figures is not assessed.
expect_rc demo-report 0 "$MEDLOAD" report --run "$REPO/tests/data/run-demo" -o "$TMP/d" -q
expect_grep demo-not-assessed '"sentence": "saturation not assessed: the run.s results have no per-step figures"' "$TMP/d/assessment.json"
[ ! -e "$TMP/d/charts/knee.png" ] && pass demo-no-knee-chart || fail demo-no-knee-chart "knee.png drawn"

# --find-knee and --slo: usage errors name the options.
expect_rc find-knee-no-cap 2 "$MEDLOAD" run --find-knee --admin-url http://127.0.0.1:1 --invitation-url 'http://x?c_i=e30' --dry-run
expect_grep find-knee-no-cap-says 'find-knee needs --max-users' "$TMP/err"
expect_rc find-knee-stages 2 "$MEDLOAD" run --find-knee --max-users 20 --stages 10s:5,10s:10 --admin-url http://127.0.0.1:1 --invitation-url 'http://x?c_i=e30' --dry-run
expect_rc slo-alone 2 "$MEDLOAD" run --slo 'p95<500' --admin-url http://127.0.0.1:1
expect_grep slo-alone-says 'slo goes with --find-knee' "$TMP/err"
expect_rc slo-bad 2 "$MEDLOAD" run --find-knee --slo 'p95<<5'
expect_grep slo-bad-says 'column 5' "$TMP/err"
expect_rc find-knee-plan 0 "$MEDLOAD" run --find-knee --max-users 30 --step-load 10 --step-time 20s --admin-url http://127.0.0.1:1 --invitation-url 'http://x?c_i=e30' --dry-run
expect_grep find-knee-plan-says 'up to 3 steps of 10 users (20 s each, at most 60 s)' "$TMP/err"
expect_grep find-knee-plan-end '^# end 60s' "$TMP/out"
