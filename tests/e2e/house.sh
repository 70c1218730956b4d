#!/bin/sh
# house.sh: the rules ARCHITECTURE.md states, checked: no function over 100
# lines; each folder includes only what it may; sorting goes through
# util_sort; every option that
# `medload COMMAND --help` shows is in the man page's section of COMMAND.
. "$(dirname "$0")/../lib.sh"
cd "$REPO" || exit 1

# Functions over 100 lines (universal-ctags gives each function's end).
if command -v ctags >/dev/null 2>&1; then
	long=$(for f in core/*.c analyzer/*.c loader/*.c cmd/*.c; do
		ctags --c-kinds=f --fields=+ne -o - "$f"
	done | awk -F'\t' '{ n = ""; e = ""
		for (i = 4; i <= NF; i++) {
			if ($i ~ /^line:/) n = substr($i, 6)
			if ($i ~ /^end:/) e = substr($i, 5)
		}
		if (n != "" && e != "" && e - n + 1 > 100)
			printf "%s:%s %s (%d lines) ", $2, n, $1, e - n + 1 }')
	if [ -z "$long" ]; then pass functions-short; else
		fail functions-short "$long"; fi
else
	fail functions-short "ctags (universal-ctags) is not installed"
fi

# Includes: core/ uses core/ only; analyzer/ and loader/ use core/ and
# themselves; cmd/ may use every folder.
bad=""
for f in core/*.[ch] analyzer/*.[ch] loader/*.[ch]; do
	dir=${f%%/*}
	for h in $(sed -n 's/^#include "\(.*\)"$/\1/p' "$f"); do
		if [ -e "core/$h" ] || [ -e "$dir/$h" ]; then continue; fi
		bad="$bad $f:$h"
	done
done
if [ -z "$bad" ]; then pass includes-by-folder; else
	fail includes-by-folder "$bad"; fi

# Sorting goes through util_sort: qsort must not be given the NULL array of
# an empty table (undefined behaviour that fuzz_es found twice).
bare=$(grep -n 'qsort(' core/*.c analyzer/*.c loader/*.c cmd/*.c |
	grep -v '^core/util\.c:')
if [ -z "$bare" ]; then pass sort-through-util; else
	fail sort-through-util "$bare"; fi

# Options: --help and the man page name the same options, command by command.
for cmd in run analyze report compare nightly collect ingest; do
	"$MEDLOAD" "$cmd" --help >"$TMP/help" 2>&1
	section=$(awk -v c="$cmd" '/^\.SS / { on = ($2 == c) } on' man/medload.1 |
		sed 's/\\-/-/g; s/\\f[BIRP]//g')
	missing=""
	for o in $(sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' \
	    "$TMP/help" | sort -u); do
		case $o in --help) continue ;; esac
		printf '%s\n' "$section" | grep -q -- "$o" || missing="$missing $o"
	done
	if [ -z "$missing" ]; then pass "man-options-$cmd"; else
		fail "man-options-$cmd" "not in the man page's $cmd section:$missing"
	fi
done
