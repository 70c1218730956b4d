# shellcheck shell=bash
# Helpers shared by stack/opensearch and stack/elasticsearch (sourced, not executed).
# See stack/SEARCH.md.

SEARCH_STACK_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEARCH_REPO="$(cd "$SEARCH_STACK_SRC/.." && pwd)"
SEARCH_STACK_DIR="${MEDLOAD_STACK_DIR:-$SEARCH_REPO/.stack}"
# shellcheck disable=SC2034  # used by the sourcing scripts
SEARCH_CACHE="${MEDLOAD_CACHE:-$HOME/.cache/medload}"
SEARCH_READY_TIMEOUT="${MEDLOAD_SEARCH_READY_TIMEOUT:-120}"
SEARCH_STOP_TIMEOUT="${MEDLOAD_SEARCH_STOP_TIMEOUT:-30}"

# Component name for messages; each script sets it.
SEARCH_COMPONENT="${SEARCH_COMPONENT:-search}"

search_log() { printf '%s\n' "medload-$SEARCH_COMPONENT: $*" >&2; }
search_die() {
	printf '%s\n' "medload-$SEARCH_COMPONENT: error: $*" >&2
	exit 1
}

# Make the stack dir absolute (relative paths would break once we cd).
search_abs_stack_dir() {
	mkdir -p "$SEARCH_STACK_DIR"
	SEARCH_STACK_DIR="$(cd "$SEARCH_STACK_DIR" && pwd)"
}

# The JDK to run with: MEDLOAD_JAVA_HOME, else JAVA_HOME if it has Java 17+,
# else the Debian Java 17, else whatever `java` on PATH belongs to.
search_java_home() {
	local c
	for c in "${MEDLOAD_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64; do
		[[ -n "$c" && -x "$c/bin/java" ]] || continue
		printf '%s\n' "$c"
		return 0
	done
	c="$(command -v java || true)"
	[[ -n "$c" ]] || return 1
	c="$(readlink -f "$c")"
	printf '%s\n' "${c%/bin/java}"
}

# True when pid file $1 names a live process whose command line contains $2.
# (Guards against a stale pid file whose pid was reused by another program.)
search_pid_alive() {
	local f="$1" marker="$2" pid
	[[ -s "$f" ]] || return 1
	pid="$(cat "$f" 2>/dev/null || true)"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

# True when something listens on 127.0.0.1:$1.
search_port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# HTTP status code of GET $1 (extra curl args follow), 000 when unreachable.
search_http_code() {
	local url="$1"
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" 2>/dev/null || true
}

# Poll cluster health until yellow or green.
#   search_wait_ready BASE_URL DEADLINE_S PIDFILE MARKER LOGFILE [curl args...]
# Fails with a clear message naming the component and its log file.
search_wait_ready() {
	local base="$1" deadline="$2" pidfile="$3" marker="$4" logfile="$5" end code tries=0
	shift 5
	end=$((SECONDS + deadline))
	while ((SECONDS < end && tries < deadline * 2 + 10)); do
		tries=$((tries + 1))
		code="$(search_http_code "$base/_cluster/health?wait_for_status=yellow&timeout=1s" "$@")"
		[[ "$code" == 200 ]] && return 0
		if [[ -n "$pidfile" ]] && ! search_pid_alive "$pidfile" "$marker"; then
			search_log "$SEARCH_COMPONENT exited before it was ready; see $logfile"
			[[ -f "$logfile" ]] && tail -n 20 "$logfile" | sed 's/^/    /' >&2
			return 1
		fi
		sleep 1
	done
	search_log "$SEARCH_COMPONENT not ready at $base within ${deadline}s (last HTTP status $code); see $logfile"
	[[ -f "$logfile" ]] && tail -n 20 "$logfile" | sed 's/^/    /' >&2
	return 1
}

# Stop the process in pid file $1 (if its command line contains $2): SIGTERM,
# wait up to SEARCH_STOP_TIMEOUT seconds, then SIGKILL and wait a little more.
search_stop_pid() {
	local f="$1" marker="$2" pid i
	if ! search_pid_alive "$f" "$marker"; then
		rm -f "$f"
		return 0
	fi
	pid="$(cat "$f")"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < SEARCH_STOP_TIMEOUT * 5; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		search_log "pid $pid did not exit ${SEARCH_STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
	fi
	if kill -0 "$pid" 2>/dev/null; then
		search_log "pid $pid is still alive after SIGKILL"
		return 1
	fi
	rm -f "$f"
}

# Resident memory of pid $1 in MiB (empty when unknown).
search_rss_mib() {
	local kb
	kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)"
	[[ -n "$kb" ]] && printf '%s\n' "$((kb / 1024))"
}

# Run a command under a lock file (flock) so that two starts do not race.
search_with_lock() {
	local lock="$1"
	shift
	mkdir -p "$(dirname "$lock")"
	(
		flock -w "$SEARCH_READY_TIMEOUT" 9 || search_die "could not take lock $lock"
		"$@"
	) 9>"$lock"
}
