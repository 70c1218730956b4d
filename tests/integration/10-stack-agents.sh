#!/usr/bin/env bash
# Both agents are ready, the mediator's invitation is valid for 127.0.0.1, the
# mediator's admin API key is enforced and never printed, the release matches.
# shellcheck source=tests/integration/lib-stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
load_stack_env

key="$(cat "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE")" || fail "cannot read the mediator key file"
[[ ${#key} -ge 32 ]] || fail "mediator API key shorter than 32 chars"
mode="$(stat -c %a "$MEDLOAD_MEDIATOR_ADMIN_API_KEY_FILE")"
[[ "$mode" == 600 ]] || fail "mediator API key file mode $mode, want 600"
"$STACK/env" | grep -qF "$key" && fail "stack/env prints the mediator API key"
"$STACK/status" | grep -qF "$key" && fail "stack/status prints the mediator API key"

# readiness
c="$(http_code "$MEDLOAD_MEDIATOR_ADMIN_URL/status/ready" -H "x-api-key: $key")"
[[ "$c" == 200 ]] || fail "mediator /status/ready: HTTP $c"
mh=()
[[ -n "${MEDLOAD_MULTI_ADMIN_API_KEY_FILE:-}" ]] && mh=(-H "x-api-key: $(cat "$MEDLOAD_MULTI_ADMIN_API_KEY_FILE")")
c="$(http_code "$LOCUST_HOST/status/ready" "${mh[@]}")"
[[ "$c" == 200 ]] || fail "multi-agent /status/ready: HTTP $c"
ready="$(curl -s --max-time 10 "${mh[@]}" "$MEDLOAD_MULTI_ADMIN_URL/status/ready" | jq -r .ready)"
[[ "$ready" == true ]] || fail "multi-agent ready=$ready"

# API key enforced on the mediator
c="$(http_code "$MEDLOAD_MEDIATOR_ADMIN_URL/status")"
[[ "$c" == 401 ]] || fail "mediator /status without key: HTTP $c, want 401"
c="$(http_code "$MEDLOAD_MEDIATOR_ADMIN_URL/status" -H "x-api-key: wrong-$key")"
[[ "$c" == 401 ]] || fail "mediator /status with a wrong key: HTTP $c, want 401"
st="$(curl -s --max-time 10 -H "x-api-key: $key" "$MEDLOAD_MEDIATOR_ADMIN_URL/status")"
ver="$(jq -r .version <<<"$st")"
want="${MEDLOAD_ACAPY_REQUIREMENT##*==}"
[[ "$ver" == "$want" ]] || fail "mediator reports version $ver, want $want"
[[ "$(jq -r .label <<<"$st")" == medload-mediator ]] || fail "mediator label: $(jq -r .label <<<"$st")"
# multi-agent is multitenant: its admin lists wallets (insecure mode or key)
c="$(http_code "$MEDLOAD_MULTI_ADMIN_URL/multitenancy/wallets" "${mh[@]}")"
[[ "$c" == 200 ]] || fail "multi-agent /multitenancy/wallets: HTTP $c"

# invitation
url="$MEDIATOR_INVITATION_URL"
[[ "$url" == "$MEDLOAD_MEDIATOR_ENDPOINT?"* ]] || fail "invitation URL not on the mediator endpoint: $url"
inv="$(decode_invitation "$url")" || fail "invitation does not base64-decode"
jq -e . >/dev/null <<<"$inv" || fail "invitation is not JSON"
type="$(jq -r '."@type"' <<<"$inv")"
case "$url" in
*'?c_i='*)
	[[ "$type" == */connections/1.0/invitation ]] || fail "c_i invitation has @type $type"
	keys="$(jq -r '.recipientKeys | length' <<<"$inv")"
	ep="$(jq -r .serviceEndpoint <<<"$inv")"
	;;
*'?oob='*)
	[[ "$type" == */out-of-band/1.1/invitation ]] || fail "oob invitation has @type $type"
	jq -e '.handshake_protocols | index("https://didcomm.org/didexchange/1.1")' >/dev/null <<<"$inv" ||
		fail "oob invitation lacks the didexchange/1.1 handshake"
	keys="$(jq -r '.services[0].recipientKeys | length' <<<"$inv")"
	ep="$(jq -r '.services[0].serviceEndpoint' <<<"$inv")"
	;;
*) fail "invitation URL has neither c_i= nor oob=: $url" ;;
esac
[[ "$keys" =~ ^[1-9] ]] || fail "invitation has no recipientKeys"
[[ "$ep" == "$MEDLOAD_MEDIATOR_ENDPOINT" && "$ep" == http://127.0.0.1:* ]] ||
	fail "invitation serviceEndpoint $ep, want $MEDLOAD_MEDIATOR_ENDPOINT"
if [[ "$MEDLOAD_ACAPY_RELEASE" == seed && "$url" != *'?c_i='* ]]; then
	fail "seed release (0.12) should give a Connections (c_i) invitation"
fi

# every listening socket of the agents is on loopback
if command -v ss >/dev/null; then
	for pidf in "$MEDLOAD_STACK_DIR/pids/mediator.pid" "$MEDLOAD_STACK_DIR/pids/multi.pid"; do
		pid="$(cat "$pidf")"
		bad="$(ss -ltnpH 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | grep -v '^127\.0\.0\.1:' || true)"
		[[ -z "$bad" ]] || fail "pid $pid listens beyond loopback: $bad"
	done
fi
echo "ok: agents ready ($ver), invitation $type -> $ep, key enforced"
