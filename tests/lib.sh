# lib.sh: helpers for end-to-end tests of the medload binary. Each check
# prints "PASS name" or "FAIL name: why"; tests/run counts them.
MEDLOAD=${MEDLOAD:-$(cd "$(dirname "$0")/../.." && pwd)/medload}
REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SOURCE_DATE_EPOCH=0 LC_ALL=C

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# expect_rc NAME WANT CMD...: runs CMD, checks its exit status; output is
# kept in $TMP/out and $TMP/err.
expect_rc() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"; else
		fail "$name" "exit status $rc, want $want ($(head -c 300 "$TMP/err"))"
	fi
}

# expect_grep NAME PATTERN FILE: FILE must contain PATTERN.
expect_grep() {
	if grep -q -- "$2" "$3"; then pass "$1"; else
		fail "$1" "'$2' not in $3: $(head -c 300 "$3")"
	fi
}

# wait_for TENTHS CMD...: runs CMD every 0.1 s until it succeeds, at most
# TENTHS times; the status says whether it did.
wait_for() {
	_wait_n=$1
	shift
	while [ "$_wait_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_wait_n=$((_wait_n - 1))
	done
	return 1
}
