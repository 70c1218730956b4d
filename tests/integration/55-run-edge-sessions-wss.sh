#!/usr/bin/env bash
# Edge agents reach the real mediator over TLS, as wallets reach one in
# production: stunnel (Debian's stunnel4) on 127.0.0.1 terminates TLS in
# front of the mediator's ws port (wss://) and its http port (https://),
# with a CA and certificates made here by openssl. Without the CA every
# session fails verification (counted as open failures, the reason in
# results.json, the journal and the printed summary, the setup over plain
# http unharmed); with --cacert, MEDLOAD_TEST_EDGE_WSS_AGENTS agents (10)
# set up over https and hold their sessions over wss, pinging each other
# through the mediator with zero failures; a certificate for another host
# name fails on the name; a port that accepts and never speaks fails each
# session on the request timeout and the run ends.
# shellcheck source=tests/integration/lib-run.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-run.sh"
load_stack_env
command -v stunnel4 >/dev/null || fail "no stunnel4 (tools/setup-deps installs it)"
n="${MEDLOAD_TEST_EDGE_WSS_AGENTS:-10}"
tls="$RUN_TMP/tls"
mkdir -p "$tls"
STUNNEL_PID="" SILENT_PID=""
trap '[[ -n "$STUNNEL_PID" ]] && kill "$STUNNEL_PID"; [[ -n "$SILENT_PID" ]] && kill "$SILENT_PID"; rm -rf "$RUN_TMP"' EXIT

# cert NAME SAN: a server key and certificate from the test's CA.
cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$tls/$1.key" -out "$tls/$1.csr" -subj "/CN=$1" 2>>"$tls/openssl.log" &&
		printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$2" >"$tls/$1.ext" &&
		openssl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
			-CAcreateserial -days 1 -extfile "$tls/$1.ext" -out "$tls/$1.pem" 2>>"$tls/openssl.log" ||
		fail "openssl could not make the $1 certificate: $(tail -n 2 "$tls/openssl.log")"
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-keyout "$tls/ca.key" -out "$tls/ca.pem" -subj "/CN=medload itest CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
	2>>"$tls/openssl.log" || fail "openssl could not make the CA: $(tail -n 2 "$tls/openssl.log")"
cert localhost DNS:localhost
cert wrong DNS:wrong-host.invalid

p_ws="$(free_port 50)" p_http="$(free_port 51)" p_wrong="$(free_port 52)" p_silent="$(free_port 53)"
ws_to="${MEDLOAD_MEDIATOR_WS_ENDPOINT#ws://}"
http_to="${MEDLOAD_MEDIATOR_ENDPOINT#http://}"
cat >"$tls/stunnel.conf" <<EOF
foreground = yes
pid =
output = $tls/stunnel.log
debug = 5
[wss]
accept = 127.0.0.1:$p_ws
connect = $ws_to
cert = $tls/localhost.pem
key = $tls/localhost.key
[https]
accept = 127.0.0.1:$p_http
connect = $http_to
cert = $tls/localhost.pem
key = $tls/localhost.key
[wrong]
accept = 127.0.0.1:$p_wrong
connect = $ws_to
cert = $tls/wrong.pem
key = $tls/wrong.key
EOF
stunnel4 "$tls/stunnel.conf" >"$tls/stunnel.out" 2>&1 &
STUNNEL_PID=$!
waitfor 10 curl -s -o /dev/null --cacert "$tls/ca.pem" "https://localhost:$p_http/" ||
	fail "stunnel did not come up: $(tail -n 3 "$tls/stunnel.out" "$tls/stunnel.log" 2>/dev/null)"
# a port that accepts connections (the kernel's backlog) and says nothing
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); time.sleep(120)' "$p_silent" &
SILENT_PID=$!

# The stack's invitation with its endpoint at the terminator's https port.
inv_json="$(decode_invitation "$MEDIATOR_INVITATION_URL")"
https_ep="https://localhost:$p_http"
if [[ "$MEDIATOR_INVITATION_URL" == *'?oob='* ]]; then
	inv_json="$(jq -c --arg e "$https_ep" '.services[0].serviceEndpoint = $e' <<<"$inv_json")" ||
		fail "the out-of-band invitation has no inline service: $inv_json"
	q=oob
else
	inv_json="$(jq -c --arg e "$https_ep" '.serviceEndpoint = $e' <<<"$inv_json")"
	q=c_i
fi
https_inv="$https_ep?$q=$(printf '%s' "$inv_json" | base64 -w0 | tr '+/' '-_' | tr -d '=')"

# wss_fails RID ARGS: a short run of two agents whose sessions never open.
wss_fails() {
	local rid="$1"
	shift
	edge_sessions_run "$rid" --stages 15s:2 --spawn-rate 2 --think-min 1s --think-max 2s "$@" ||
		fail "$rid: medload run exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
	check_counts "$RUN_TMP/$rid"
	# (each agent may have one session opening when the run ends)
	jq -e '.edge_sessions | .open_failures >= 2 and .opened == 0 and
		.open_failures + 2 >= .connects and .held_peak == 0' "$RUN_TMP/$rid/results.json" >/dev/null ||
		fail "$rid: sessions: $(jq -c .edge_sessions "$RUN_TMP/$rid/results.json")"
}

# 1. Without the CA: verification fails, named; the setup (plain http) is fine.
rid="itest-edge-wss-noca-$(date +%s)-$$"
EDGE_WS_URL="wss://localhost:$p_ws/" wss_fails "$rid"
r="$RUN_TMP/$rid/results.json"
why='session: TLS: certificate verify failed (unable to get local issuer certificate)'
jq -e --arg w "$why" '.total.error_texts | keys == [$w]' "$r" >/dev/null ||
	fail "no CA: failures $(jq -c .total.error_texts "$r")"
jq -e '.users_never_ready == 0' "$r" >/dev/null || fail "no CA: the setup failed too"
grep -qF "$why" "$RUN_TMP/$rid/journal.tsv" || fail "no CA: the journal lacks \"$why\""
grep -qF "$why" "$RUN_TMP/out.txt" || fail "no CA: the printed summary lacks \"$why\""

# 2. With the CA: setup over https, sessions over wss, agents in pairs.
rid="itest-edge-wss-$(date +%s)-$$"
EDGE_WS_URL="wss://localhost:$p_ws/" edge_sessions_run "$rid" --invitation-url "$https_inv" \
	--cacert "$tls/ca.pem" --stages 40s:"$n" --spawn-rate 2.5 --think-min 2s --think-max 4s \
	--request-timeout 30s || fail "with the CA: medload run exited $?: $(tail -n 2 "$RUN_TMP/err.txt")"
dir="$RUN_TMP/$rid"
r="$dir/results.json"
check_counts "$dir"
[[ "$(jq '.total.failures' "$r")" == 0 ]] || fail "with the CA: failures $(jq -c .total.error_texts "$r")"
s="$(jq -c .edge_sessions "$r")"
jq -e --argjson n "$n" '.users_started == $n and .users_never_ready == 0 and
	(.edge_sessions | .held_peak == $n and .held_now == $n and .opened == $n and
	.open_failures == 0 and .drops == 0 and .unexpected_frames == 0 and
	.closes_answered == $n and .closes_unanswered == 0 and
	.peer_pings_sent > 0 and .peer_pings_answered >= .peer_pings_sent - $n)' "$r" >/dev/null ||
	fail "with the CA: sessions $s"
setups="$(stat_of "$dir" POST 101_edge_mediate)"
((setups == n)) || fail "with the CA: $setups mediation grants over https, want $n"
# both legs went through the terminator (stunnel logs each connection)
a_ws="$(grep -c 'Service \[wss\] accepted connection' "$tls/stunnel.log" || true)"
a_http="$(grep -c 'Service \[https\] accepted connection' "$tls/stunnel.log" || true)"
((a_ws >= n && a_http >= 1)) || fail "stunnel saw $a_ws wss and $a_http https connections, want $n and 1+"
# bytes on the sockets are TLS records: more than the frames' payloads
jq -e '.edge_sessions.bytes_in > 0 and .edge_sessions.bytes_out > 0' "$r" >/dev/null ||
	fail "with the CA: no bytes counted: $s"

# 3. A certificate for another host name: refused on the name.
rid="itest-edge-wss-name-$(date +%s)-$$"
EDGE_WS_URL="wss://localhost:$p_wrong/" wss_fails "$rid" --cacert "$tls/ca.pem"
r="$RUN_TMP/$rid/results.json"
why='session: TLS: certificate verify failed (hostname mismatch)'
jq -e --arg w "$why" '.total.error_texts | keys == [$w]' "$r" >/dev/null ||
	fail "wrong name: failures $(jq -c .total.error_texts "$r")"

# 4. A server that never answers the TLS handshake: each session times out.
rid="itest-edge-wss-silent-$(date +%s)-$$"
EDGE_WS_URL="wss://127.0.0.1:$p_silent/" wss_fails "$rid" --request-timeout 3s
r="$RUN_TMP/$rid/results.json"
jq -e '.total.error_texts | keys == ["timeout: the session did not open"]' "$r" >/dev/null ||
	fail "silent server: failures $(jq -c .total.error_texts "$r")"
echo "ok: $n agents over https and wss through stunnel; $s; unknown CA, wrong name and a silent server refused by reason"
