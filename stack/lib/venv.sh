# shellcheck shell=bash disable=SC2034
# ACA-Py virtualenvs per release (sourced after common.sh).

# Set REL_NAME (the release an alias stands for), REL_PY, REL_REQ,
# REL_ELAPSED, REL_INVITATION, REL_HOME and REL_QUIRKS for release $1 from
# stack/acapy-versions.
release_info() {
	local rel="$1" name py req field inv home quirks known=""
	REL_NAME="" REL_PY="" REL_REQ="" REL_ELAPSED="" REL_INVITATION="" REL_HOME=""
	REL_QUIRKS=""
	while read -r name py req field inv home quirks; do
		[[ -z "$name" || "$name" == \#* ]] && continue
		known="$known $name"
		[[ "$name" == "$rel" ]] || continue
		if [[ "$py" == alias ]]; then
			release_info "$req"
			return 0
		fi
		REL_NAME="$name" REL_PY="$py" REL_REQ="$req" REL_ELAPSED="$field"
		REL_INVITATION="${inv:-connections}" REL_HOME="${home:-ACAPY_HOME}"
		REL_QUIRKS="${quirks:-}"
		[[ -f "$MEDLOAD_STACK_SRC/constraints/$name.txt" ]] ||
			die "ACA-Py release '$rel' has no pinned constraints (stack/constraints/$name.txt); pin it with pip freeze of a working venv"
		return 0
	done <"$MEDLOAD_STACK_SRC/acapy-versions"
	die "unknown ACA-Py release '$rel' (known:$known; see stack/acapy-versions)"
}

# Print the interpreter for Python version $1 (pyenv first, then PATH).
find_python() {
	local ver="$1" mm cand
	mm="${ver%.*}"
	for cand in "${PYENV_ROOT:-$HOME/.pyenv}/versions/$ver/bin/python3" \
		"$(command -v "python$mm" 2>/dev/null || true)"; do
		[[ -n "$cand" && -x "$cand" ]] || continue
		if "$cand" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$mm' else 1)" 2>/dev/null; then
			printf '%s\n' "$cand"
			return 0
		fi
	done
	return 1
}

# Check an interpreter can build venvs with pip (ensurepip, ssl, sqlite3);
# install Debian's venv package for a system python if it cannot.
check_python_venv() {
	local py="$1"
	if "$py" -c 'import ensurepip, ssl, sqlite3, venv' 2>/dev/null; then
		return 0
	fi
	if [[ "$py" == /usr/bin/* ]] && command -v apt-get >/dev/null; then
		local mm
		mm="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
		log "installing python$mm-venv (Debian) for $py"
		apt-get install -y "python$mm-venv" >&2 || true
		"$py" -c 'import ensurepip, ssl, sqlite3, venv' 2>/dev/null && return 0
	fi
	die "$py cannot create virtualenvs (needs ensurepip, ssl, sqlite3)"
}

# The Pickup 2.0 plugin (RFC 0685) offered with --pickup. 0.2.0 pins
# aries-cloudagent[askar,bbs,indy]==0.8.2; it goes in with --no-deps on the
# releases whose acapy-versions quirks say "pickup" (0.8.2 and 0.12.0:
# their constraints already hold what it imports, pydantic 1.x and
# python-dateutil).
PICKUP_REQ="acapy-plugin-pickup==0.2.0"

# Fail unless release $1 (release_info done) accepts the pickup plugin.
check_pickup() {
	[[ ",$REL_QUIRKS," == *,pickup,* ]] && return 0
	local name py req field inv home quirks ok=""
	while read -r name py req field inv home quirks; do
		[[ "$name" == \#* || "$py" == alias ]] && continue
		[[ ",$quirks," == *,pickup,* ]] && ok="$ok $name"
	done <"$MEDLOAD_STACK_SRC/acapy-versions"
	die "ACA-Py release '$1' is not known to take $PICKUP_REQ (checked on 0.8.2 and 0.12.0; it imports aries_cloudagent, which 1.x renamed acapy_agent); releases that do:${ok:- none}"
}

# Print the venv dir of release $1 (with the pickup plugin when $2 is
# "pickup": a venv of its own, REL+pickup), creating it when missing or
# broken.
ensure_venv() {
	local rel="$1" plugin="${2:-}" py dir stamp want t0
	release_info "$rel"
	[[ -z "$plugin" ]] || check_pickup "$rel"
	rel="$REL_NAME"
	dir="$MEDLOAD_CACHE/venvs/$rel${plugin:++$plugin}"
	stamp="$dir/.medload-release"
	want="$REL_PY $REL_REQ $(cksum <"$MEDLOAD_STACK_SRC/constraints/$rel.txt" | cut -d' ' -f1)"
	[[ -z "$plugin" ]] || want="$want $PICKUP_REQ"
	mkdir -p "$MEDLOAD_CACHE/venvs"
	(
		flock -w 900 9 || die "timed out waiting for the venv lock $dir.lock"
		if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
			PATH="$dir/bin:$PATH" "$dir/bin/aca-py" --version >/dev/null 2>&1; then
			exit 0
		fi
		py="$(find_python "$REL_PY")" ||
			die "Python $REL_PY not found (looked in ~/.pyenv/versions and PATH)"
		check_python_venv "$py"
		t0=$SECONDS
		log "creating venv $dir ($REL_REQ on $py)"
		rm -rf "$dir"
		"$py" -m venv "$dir" >&2
		"$dir/bin/pip" install --quiet -c "$MEDLOAD_STACK_SRC/constraints/$rel.txt" \
			"$REL_REQ" >&2 || die "ACA-Py release '$rel': pip install $REL_REQ failed (see above)"
		if [[ -n "$plugin" ]]; then
			"$dir/bin/pip" install --quiet --no-deps "$PICKUP_REQ" >&2 ||
				die "pip install $PICKUP_REQ failed (see above)"
			"$dir/bin/python" -c 'import acapy_plugin_pickup.v2_0.delivery' >&2 ||
				die "ACA-Py release '$rel' cannot import $PICKUP_REQ (see above)"
		fi
		PATH="$dir/bin:$PATH" "$dir/bin/aca-py" --version >/dev/null 2>&1 ||
			die "ACA-Py release '$rel': aca-py in $dir does not run"
		printf '%s\n' "$want" >"$stamp"
		log "venv $rel ready in $((SECONDS - t0))s"
	) 9>"$dir.lock" || return 1
	printf '%s\n' "$dir"
}
