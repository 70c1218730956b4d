#!/usr/bin/env bash
# Edge agents and damaged answers: the fault proxy sits between the agents
# and the real mediator's endpoint (the mediator's invitation is rewritten
# to point at it) and damages every third answer (cut short, bytes
# changed, JSON members retyped or dropped, deep nesting) and answers every
# fifth with the previous answer, an envelope sealed to another agent's key.
# The run completes (exit 0, no crash), every such answer is a failure
# with a clear "envelope: ..." reason in the results and the journal (which
# equals the summary), and no escape character from a damaged answer
# reaches the terminal or the run's files.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
port=$((19700 + $$ % 100))
python3 "$MEDLOAD_REPO/tests/tools/faultproxy.py" --upstream "$MEDLOAD_MEDIATOR_ENDPOINT" \
	--port "$port" --match '^POST /' --corrupt-every 3 --swap-every 5 --seed 11 \
	--log "$RUN_TMP/proxy.log" --lifetime 120 >"$RUN_TMP/proxy.out" 2>&1 &
ppid=$!
trap 'kill $ppid 2>/dev/null; rm -rf "$RUN_TMP"' EXIT
for _ in $(seq 50); do grep -q ready "$RUN_TMP/proxy.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$RUN_TMP/proxy.out" || fail "fault proxy did not start"

# the stack's invitation, its endpoint moved to the proxy
inv="$(decode_invitation "$MEDIATOR_INVITATION_URL")" || fail "cannot decode the stack's invitation"
kind=c_i
[[ "$MEDIATOR_INVITATION_URL" == *'?oob='* ]] && kind=oob
ep="http://127.0.0.1:$port"
inv="$(jq -c --arg ep "$ep" 'if .services then .services[0].serviceEndpoint = $ep
	else .serviceEndpoint = $ep end' <<<"$inv")"
b64="$(printf '%s' "$inv" | base64 -w0 | tr '+/' '-_' | tr -d '=')"

rid="itest-edge-faults-$(date +%s)-$$"
rc=0
timeout -k 5 90 "$MEDLOAD" run --scenario edge --invitation-url "$ep?$kind=$b64" \
	--stages 25s:8 --spawn-rate 2 --think-min 1s --think-max 2s --connections 4 \
	--request-timeout 10s --retries 2 --grace 5s --out-dir "$RUN_TMP" --run-id "$rid" \
	--progress plain >"$RUN_TMP/out.txt" 2>"$RUN_TMP/err.txt" || rc=$?
((rc == 0)) || fail "run through damaged answers: exit $rc: $(tail -n 3 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
check_counts "$dir"
d="$(grep -c '^damaged' "$RUN_TMP/proxy.log" || true)"
s="$(grep -c '^swapped' "$RUN_TMP/proxy.log" || true)"
((d >= 3 && s >= 2)) || fail "the proxy damaged $d and swapped $s answers"
f="$(jq '.total.failures' "$dir/results.json")"
((f > 0)) || fail "$d damaged and $s swapped answers, but no failure counted"
jq -r '.total.error_texts | keys[]' "$dir/results.json" >"$RUN_TMP/errors"
grep -q '^envelope: not for this agent$' "$RUN_TMP/errors" ||
	fail "no answer sealed to another key was refused: $(tr '\n' '|' <"$RUN_TMP/errors")"
grep -v '^envelope: not for this agent$' "$RUN_TMP/errors" | grep -q '^envelope: ' ||
	fail "no damaged envelope was refused as such: $(tr '\n' '|' <"$RUN_TMP/errors")"
bf="$(awk -F'\t' '$1 == "R" && $10 ~ /^envelope: /' "$dir/journal.tsv" | wc -l)"
((bf > 0)) || fail "no envelope failure in the journal"
grep -q 'Failures by kind' "$RUN_TMP/out.txt" || fail "no failures table in the summary"
grep -rq $'\x1b' "$RUN_TMP/out.txt" "$RUN_TMP/err.txt" "$dir" &&
	fail "an escape character from a damaged answer reached the output"
r="$(jq '.users_started - .users_never_ready' "$dir/results.json")"
echo "ok: $d damaged, $s swapped answers; $f failures counted ($(wc -l <"$RUN_TMP/errors") reasons); $r agents got ready"
