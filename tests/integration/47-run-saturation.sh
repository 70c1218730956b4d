#!/usr/bin/env bash
# Where a stepped run saturates, on the real agents (restarted to trace to
# medload). A light run (1 then 2 users) is assessed step by step: two
# complete steps with the client's and both labels' figures, and "no
# saturation". Then `run --find-knee` with 10 more users every 15 s, short
# think times, which drives the multi-agent (wallet creation and pings on
# 2 cores) past its capacity:
# the run stops by itself at a knee, before --max-users, and the
# assessment names the saturating step and the multi-agent as the agent
# that broke first. Last, an --slo no step meets stops a --find-knee run
# after the first step judged. Asserts on the blocks' content, never on
# timings.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
agents_trace_here

agents=(--admin-url "$LOCUST_HOST" $(admin_key_args)
	--mediator-admin-url "$MEDLOAD_MEDIATOR_ADMIN_URL"
	--mediator-admin-api-key-file "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE"
	--out-dir "$RUN_TMP/runs" --progress none)
common=("${agents[@]}" --collect "127.0.0.1:$COLLECT_PORT" --report-wait 1s)

# 1. Light: two steps, no saturation.
"$MEDLOAD" run "${common[@]}" --step-time 10s --step-load 1 --spawn-rate 1 \
	--time-limit 20s --run-id light-$$ --report "$RUN_TMP/light" \
	>"$RUN_TMP/out" 2>"$RUN_TMP/err" || fail "light run: exit $?: $(tail -3 "$RUN_TMP/err")"
A="$RUN_TMP/light/assessment.json"
D="$RUN_TMP/runs/light-$$"
[[ -s "$A" ]] || fail "no assessment.json in the report folder"
cmp -s "$A" "$D/assessment.json" || fail "the run directory's assessment.json differs"
[[ "$(jq -c '[.steps[] | [.step, .users_target, .complete]]' "$A")" == '[[1,1,true],[2,2,true]]' ]] ||
	fail "light run steps: $(jq -c '[.steps[] | [.step, .users_target, .complete]]' "$A")"
[[ "$(jq -r .sentence "$A")" == "no saturation within the run: raise --max-users" ]] ||
	fail "light run: $(jq -r .sentence "$A")"
jq -e '.knee == null and .bottleneck == null' "$A" >/dev/null || fail "light run: knee or bottleneck: $(jq -c '.knee, .bottleneck' "$A")"
labels=$(jq -r '[.steps[].trace // {} | keys[]] | unique | join(",")' "$A")
[[ "$labels" == "mediator.trace,multi.agent.trace" ]] || fail "light run: trace figures per step for: $labels"
# every request due in a step is counted there, with its latency
jq -e '[.steps[].requests] | add > 0' "$A" >/dev/null || fail "light run: no request in the steps"
due=$(jq '[.steps[].requests] | add' "$D/results.json")
total=$(jq '.total_requests.count' "$D/results.json")
((due <= total)) || fail "the steps count $due requests, the run $total"
jq -e '.steps[0].client["000_create_wallet"].count == 1 and .steps[1].client["000_create_wallet"].count == 1' \
	"$D/results.json" >/dev/null || fail "one wallet per step expected: $(jq -c '[.steps[].client["000_create_wallet"].count]' "$D/results.json")"
grep -qx 'medload: saturation: no saturation within the run: raise --max-users' "$RUN_TMP/err" ||
	fail "the sentence was not printed: $(tail -3 "$RUN_TMP/err")"
[[ -s "$RUN_TMP/light/charts/knee.png" ]] || fail "no knee.png"

# 2. --find-knee past the multi-agent's capacity: it stops by itself.
"$MEDLOAD" run "${common[@]}" --step-time 15s --step-load 10 --spawn-rate 10 \
	--think-min 0.5s --think-max 1s --max-users 60 --find-knee --run-id knee-$$ --report "$RUN_TMP/knee" \
	>"$RUN_TMP/out2" 2>"$RUN_TMP/err2" || fail "--find-knee run: exit $?: $(tail -3 "$RUN_TMP/err2")"
A="$RUN_TMP/knee/assessment.json"
R="$RUN_TMP/runs/knee-$$/results.json"
jq -e '.step_judge.stopped == true and (.step_judge.why | startswith("knee: saturation at step "))' "$R" >/dev/null ||
	fail "--find-knee did not stop at a knee: $(jq -c .step_judge "$R")"
judged=$(jq .step_judge.step "$R")
((judged < 6)) || fail "--find-knee judged $judged steps, want it to stop before the last (6)"
k=$(jq .knee.step "$A")
[[ "$k" =~ ^[0-9]+$ ]] && ((k >= 1 && k <= judged)) || fail "knee step '$k' (judged $judged): $(jq -c .knee "$A")"
users=$(jq .knee.users "$A")
((users == 10 * k)) || fail "knee at step $k with $users users"
jq -e --argjson k "$k" '.sentence | startswith("saturation at step \($k) (\($k * 10) users, ")' "$A" >/dev/null ||
	fail "sentence: $(jq -r .sentence "$A")"
# Which agent breaks first depends on the machine: the verdict must agree
# with the per-step trace figures, whichever it names. With trace
# evidence, the agent named doubled its p95 by its step (from its first
# judged step's) and the other had not doubled for good (to the end) at
# an earlier step. With client evidence (no agent's handler latency rose
# beyond the noise for good by the knee; the client's requests made it),
# the multi-agent, whose admin API answers them, is named at the knee's
# step, and the mediator's median and p95 had not doubled for good at or
# before it. The sentence and advice fit the role.
# doubled_for_good LABEL BEFORE [QUANTILES]: true when each of LABEL's
# quantiles (p95 unless named) was >= twice its first from some step
# < BEFORE to the end.
doubled_for_good() {
	jq -e --arg o "$1" --argjson k "$2" --arg q "${3:-p95}" '($q | split(",")) as $qs |
		[.steps[] | select(.complete != false and .trace[$o] != null)] as $s |
		[$s[] | .trace[$o] as $t | all($qs[]; $t[.] >= 2 * $s[0].trace[$o][.])] as $d |
		any(range(1; $s | length) | select($s[.].step < $k); ($d[.:] | all))' "$A" >/dev/null
}
case "$(jq -r .bottleneck.evidence "$A")" in
trace)
	jq -e '.bottleneck as $b | ($b.agent == "multi.agent.trace" or $b.agent == "mediator.trace") and
		$b.to_ms >= 2 * $b.from_ms and
		([.steps[] | select(.complete != false and .trace[$b.agent] != null)][0].trace[$b.agent].p95 == $b.from_ms) and
		([.steps[] | select(.step == $b.step)][0].trace[$b.agent].p95 == $b.to_ms)' "$A" >/dev/null ||
		fail "bottleneck does not agree with the steps: $(jq -c '.bottleneck, [.steps[] | [.step, .trace]]' "$A")"
	other=$(jq -r 'if .bottleneck.agent == "mediator.trace" then "multi.agent.trace" else "mediator.trace" end' "$A")
	! doubled_for_good "$other" "$(jq .bottleneck.step "$A")" ||
		fail "$other doubled its p95 for good before the agent named: $(jq -c '.bottleneck, [.steps[] | [.step, .trace]]' "$A")"
	;;
client)
	jq -e --argjson k "$k" '.bottleneck.agent == "multi.agent.trace" and .bottleneck.step == $k and
		(.bottleneck.sentence | contains("the requests its admin API answers"))' "$A" >/dev/null ||
		fail "client-evidence bottleneck does not name the multi-agent at the knee: $(jq -c .bottleneck "$A")"
	# The mediator must not have broken first. A p95 alone may double
	# within the noise (a few slow handlers in a few hundred); a median
	# and a p95 both doubled for good are not. (The multi-agent's own
	# rise may be too few samples to test; naming it is then right.)
	! doubled_for_good mediator.trace $((k + 1)) p50,p95 ||
		fail "the mediator's median and p95 doubled for good by the knee, yet the bottleneck names the multi-agent from the client's figures: $(jq -c '.bottleneck, [.steps[] | [.step, .trace]]' "$A")"
	;;
*) fail "bottleneck evidence: $(jq -c .bottleneck "$A")" ;;
esac
if [[ "$(jq -r .bottleneck.agent "$A")" == multi.agent.trace ]]; then
	jq -e '.bottleneck.role == "load platform" and (.bottleneck.sentence | contains("the run measured the load platform more than the mediator"))' "$A" >/dev/null ||
		fail "bottleneck sentence: $(jq -c .bottleneck "$A")"
	grep -q '^medload: bottleneck: the multi-agent (multi.agent.trace) saturated first' "$RUN_TMP/err2" ||
		fail "the bottleneck was not printed"
else
	jq -e '.bottleneck.role == "mediator" and (.bottleneck.advice | contains("the mediator is the limit"))' "$A" >/dev/null ||
		fail "bottleneck sentence: $(jq -c .bottleneck "$A")"
	grep -q '^medload: bottleneck: the mediator (mediator.trace) saturated first' "$RUN_TMP/err2" ||
		fail "the bottleneck was not printed"
fi
grep -q '^medload run: stopping after step [0-9]*: knee: ' "$RUN_TMP/err2" || fail "no stop message: $(tail -5 "$RUN_TMP/err2")"
# 3. An --slo no step can meet stops the run at the first step judged
# that made the request.
"$MEDLOAD" run "${agents[@]}" --step-time 10s --step-load 2 --spawn-rate 2 --think-min 0.5s --think-max 1s \
	--max-users 10 --find-knee --slo 'outcome=021_ping_mediator p95<1ms' --run-id slo-$$ \
	>"$RUN_TMP/out3" 2>"$RUN_TMP/err3" || fail "--slo run: exit $?: $(tail -3 "$RUN_TMP/err3")"
R="$RUN_TMP/runs/slo-$$/results.json"
jq -e '.step_judge.stopped == true and .step_judge.step < 5 and (.step_judge.why |
	test("^SLO outcome=021_ping_mediator p95<1ms failed at step [0-9]+ \\([0-9]+ users\\): p95 = "))' "$R" >/dev/null ||
	fail "--slo did not stop the run: $(jq -c .step_judge "$R")"
slo_step=$(jq .step_judge.step "$R")
echo "light run: no saturation; --find-knee stopped after step $judged: knee at step $k ($users users), $(jq -r ".bottleneck.agent + \" first (\" + .bottleneck.evidence + \" evidence)\"" "$A"); an --slo stopped a run after step $slo_step"
