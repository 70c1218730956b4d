#!/bin/sh
# install.sh: `make install` honours PREFIX and DESTDIR and installs the
# binary, the man page, the templates and the queries; uninstall removes
# them. (install-files is install without the build step, so this test can
# use the binary under test.)
. "$(dirname "$0")/../lib.sh"
make -s -C "$REPO" install-files BIN="$MEDLOAD" DESTDIR="$TMP/root" PREFIX=/opt/ml >"$TMP/out" 2>&1 ||
    fail install "make install-files failed: $(tail -3 "$TMP/out")"
for f in bin/medload share/man/man1/medload.1 share/medload/report-templates/report.html.tmpl \
    share/medload/queries/trace-index-template.json; do
	[ -s "$TMP/root/opt/ml/$f" ] && pass "install-$f" || fail "install-$f" "not installed"
done
"$TMP/root/opt/ml/bin/medload" --version | grep -q '^medload ' && pass install-runs || fail install-runs "installed binary"
man -l "$TMP/root/opt/ml/share/man/man1/medload.1" 2>/dev/null | grep -q 'EXIT STATUS' &&
    pass install-man || fail install-man "man page does not render"
make -s -C "$REPO" uninstall DESTDIR="$TMP/root" PREFIX=/opt/ml >/dev/null 2>&1
[ ! -e "$TMP/root/opt/ml/bin/medload" ] && [ ! -e "$TMP/root/opt/ml/share/medload" ] &&
    pass uninstall || fail uninstall "files left"
