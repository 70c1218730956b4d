# shellcheck shell=bash
# Helpers for medload's integration tests (sourced; not a test: not executable).
set -euo pipefail
MEDLOAD_REPO="${MEDLOAD_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
STACK="$MEDLOAD_REPO/stack"

# Print a one-line reason and fail the test.
fail() { printf 'FAIL: %s\n' "$*"; exit 1; }
note() { printf '%s\n' "$*" >&2; }

# A port for a test's own listener (fault proxy, collector):
# MEDLOAD_TEST_PORT_BASE + OFFSET when that is set (a range of one's own
# when several stacks share the machine), else DEFAULT.
test_port() { # test_port OFFSET DEFAULT
	if [[ -n "${MEDLOAD_TEST_PORT_BASE:-}" ]]; then
		echo $((MEDLOAD_TEST_PORT_BASE + $1))
	else
		echo "$2"
	fi
}

# free_port OFFSET: a loopback port nobody listens on (the kernel's pick),
# or MEDLOAD_TEST_PORT_BASE + OFFSET.
free_port() {
	test_port "$1" "$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
}

# waitfor SECONDS CMD...: polls CMD every 0.2 s until it succeeds; fails
# (status 1) after SECONDS.
waitfor() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.2; done
}

# Load the running stack's description; fail if the stack is not up.
load_stack_env() {
	local envout
	envout="$("$STACK/env")" || fail "stack/env failed"
	eval "$envout"
	[[ -n "${MEDLOAD_MEDIATOR_ADMIN_URL:-}" ]] || fail "the stack is not running (stack/env: ${envout:0:100})"
}

# HTTP status of a GET; extra args go to curl.
http_code() {
	local url="$1"
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url" || true
}

# Decode the base64 (URL-safe or standard, padded or not) after the first '='.
decode_invitation() {
	local b64="${1#*=}"
	b64="${b64%%&*}"
	b64="$(printf '%s' "$b64" | tr -- '-_' '+/' | tr -d '=')"
	while ((${#b64} % 4)); do b64="$b64="; done
	printf '%s' "$b64" | base64 -d
}
