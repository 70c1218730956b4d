# shellcheck shell=bash disable=SC2034
# Shared helpers for medload's local stack scripts (sourced, not executed).

MEDLOAD_STACK_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MEDLOAD_REPO="$(cd "$MEDLOAD_STACK_SRC/.." && pwd)"
STACK_DIR="${MEDLOAD_STACK_DIR:-$MEDLOAD_REPO/.stack}"
MEDLOAD_CACHE="${MEDLOAD_CACHE:-$HOME/.cache/medload}"

MEDIATOR_HTTP_PORT="${MEDLOAD_MEDIATOR_HTTP_PORT:-3000}"
MEDIATOR_WS_PORT="${MEDLOAD_MEDIATOR_WS_PORT:-3001}"
MEDIATOR_ADMIN_PORT="${MEDLOAD_MEDIATOR_ADMIN_PORT:-3002}"
MULTI_HTTP_PORT="${MEDLOAD_MULTI_HTTP_PORT:-9004}"
MULTI_ADMIN_PORT="${MEDLOAD_MULTI_ADMIN_PORT:-9014}"
PG_PORT="${MEDLOAD_PG_PORT:-5433}"
OS_PORT="${MEDLOAD_OS_PORT:-9210}"
ES_PORT="${MEDLOAD_ES_PORT:-9200}"
READY_TIMEOUT="${MEDLOAD_READY_TIMEOUT:-90}"

log() { printf '%s\n' "medload-stack: $*" >&2; }
die() { printf '%s\n' "medload-stack: error: $*" >&2; exit 1; }

# Print the engine base URL for opensearch|elasticsearch: MEDLOAD_OS_URL /
# MEDLOAD_ES_URL, else what `stack/<engine> url` says, else the default port.
engine_url() {
	local e="$1" url="" script="$MEDLOAD_STACK_SRC/$1"
	case "$e" in
	opensearch) url="${MEDLOAD_OS_URL:-}" ;;
	elasticsearch) url="${MEDLOAD_ES_URL:-}" ;;
	*) return 1 ;;
	esac
	if [[ -z "$url" && -x "$script" ]]; then
		url="$(MEDLOAD_STACK_DIR="$STACK_DIR" timeout 10 "$script" url 2>/dev/null | head -n 1 || true)"
	fi
	if [[ "$url" != http* ]]; then
		if [[ "$e" == opensearch ]]; then url="http://127.0.0.1:$OS_PORT"; else url="http://127.0.0.1:$ES_PORT"; fi
	fi
	printf '%s\n' "${url%/}"
}

# True when pid file $1 names a live process.
pid_alive() {
	local f="$1" pid
	[[ -s "$f" ]] || return 1
	pid="$(cat "$f")"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null
}

# Print the pid recorded in pid file $1 (empty when none).
pid_of() {
	if [[ -s "$1" ]]; then cat "$1"; fi
}

# Stop the process group led by the pid in file $1 (started with setsid);
# TERM, wait up to $2 seconds, then KILL. Removes the pid file.
stop_pidfile() {
	local f="$1" wait_s="${2:-20}" pid i
	if ! pid_alive "$f"; then
		rm -f "$f"
		return 0
	fi
	pid="$(cat "$f")"
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < wait_s * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "pid $pid did not stop after ${wait_s}s; sending KILL"
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$f"
}

# Poll URL $1 (GET) until it answers 2xx or $2 seconds pass. Extra args are
# passed to curl (e.g. -H). Returns 0 when ready.
wait_http_ok() {
	local url="$1" deadline_s="$2" pidfile="${3:-}" end code
	shift 3 || shift $#
	end=$((SECONDS + deadline_s))
	while ((SECONDS < end)); do
		code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$@" "$url" || true)"
		[[ "$code" == 2* ]] && return 0
		if [[ -n "$pidfile" ]] && ! pid_alive "$pidfile"; then
			return 2
		fi
		sleep 1
	done
	return 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Read the file of one secret, creating it (mode 0600) with a random value once.
secret_file() {
	local f="$1"
	mkdir -p "$(dirname "$f")"
	chmod 700 "$(dirname "$f")"
	if [[ ! -s "$f" ]]; then
		(
			umask 077
			od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$f"
		)
	fi
	chmod 600 "$f"
}
