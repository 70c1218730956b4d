#!/usr/bin/env bash
# DIDComm v1 envelopes across implementations, at test time: the release's
# own ACA-Py (askar/didcomm/v1.py over aries_askar, from its stack venv)
# packs envelopes to keys medload derives (Authcrypt, Anoncrypt, a second
# recipient, a forward); medload's unit test binary unpacks them and packs
# its own (Authcrypt, Anoncrypt, a forward for a routing key), which
# ACA-Py then unpacks and checks: plaintext, sender and recipient. An
# envelope of medload's damaged on purpose must then be refused by askar
# (the check can fail).
# shellcheck source=tests/integration/lib-stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
rel="${MEDLOAD_TEST_ACAPY:-seed}"
py="${MEDLOAD_CACHE:-$HOME/.cache/medload}/venvs/$rel/bin/python"
[[ -x "$py" ]] || fail "no venv python for ACA-Py $rel at $py (stack/up builds it)"
unit="${UNIT_DIR:-$MEDLOAD_REPO/build/tests}/test_loader_didcomm"
[[ -x "$unit" ]] || fail "no unit test binary at $unit (make units first)"
tool="$MEDLOAD_REPO/tests/tools/didcomm_askar.py"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

"$py" "$tool" make "$dir" >"$dir/make.out" 2>&1 || fail "askar could not pack: $(tail -n 2 "$dir/make.out")"
MEDLOAD_DIDCOMM_INTEROP="$dir" REPO="$MEDLOAD_REPO" "$unit" >"$dir/unit.out" 2>&1 ||
	fail "medload refused askar's envelopes: $(grep -v '^PASS' "$dir/unit.out" | head -n 3 | tr '\n' ' ')"
grep -q '^PASS test_askar_live' "$dir/unit.out" || fail "the live interop case did not run"
n="$(wc -l <"$dir/medload.cases")"
((n == 3)) || fail "medload wrote $n envelopes for askar, want 3"
"$py" "$tool" check "$dir" >"$dir/check.out" 2>&1 || fail "askar refused medload's envelopes: $(tail -n 1 "$dir/check.out")"
# the check can fail: one changed byte of a tag is refused by askar
python3 - "$dir/medload-authcrypt.env" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r'"tag":"(.)', lambda m: '"tag":"' + ("B" if m.group(1) != "B" else "C"), s, count=1)
open(p, "w").write(s)
PY
if "$py" "$tool" check "$dir" >"$dir/check2.out" 2>&1; then
	fail "askar accepted an envelope whose tag was changed"
fi
grep -q 'AEAD\|askar refused' "$dir/check2.out" || fail "askar's refusal does not say why: $(cat "$dir/check2.out")"
echo "ok: ACA-Py $rel: medload opened askar's 4 envelopes, askar opened medload's 3"
