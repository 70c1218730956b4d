#!/bin/sh
# cli.sh: the command line as users meet it: help, version, usage errors,
# exit statuses, unreadable inputs, atomic output files.
. "$(dirname "$0")/../lib.sh"
data=$REPO/tests/data

expect_rc help 0 "$MEDLOAD" --help
expect_grep help-lists-analyze '^  analyze' "$TMP/out"
expect_rc help-cmd 0 "$MEDLOAD" help analyze
expect_grep help-cmd-text '--percentiles' "$TMP/out"
expect_rc analyze-help 0 "$MEDLOAD" analyze --help
expect_rc version 0 "$MEDLOAD" --version
expect_grep version-text '^medload [0-9]' "$TMP/out"
expect_rc no-args 2 "$MEDLOAD"
expect_rc unknown-command 2 "$MEDLOAD" frobnicate
expect_grep unknown-command-msg "no such command: 'frobnicate'" "$TMP/err"
expect_rc unknown-top-option 2 "$MEDLOAD" --frob
expect_rc unknown-option 2 "$MEDLOAD" analyze --frob x
expect_grep unknown-option-msg "unknown option '--frob'" "$TMP/err"
expect_rc missing-value 2 "$MEDLOAD" analyze "$data/acapy-1.7.0-traces.ndjson" --format
expect_grep missing-value-msg "needs a value" "$TMP/err"
expect_rc bad-format 2 "$MEDLOAD" analyze --format xml "$data/acapy-1.7.0-traces.ndjson"
expect_rc bad-by 2 "$MEDLOAD" analyze --by label,colour "$data/acapy-1.7.0-traces.ndjson"
expect_grep bad-by-msg 'unknown key "colour"' "$TMP/err"
expect_rc bad-since 2 "$MEDLOAD" analyze --since yesterday "$data/acapy-1.7.0-traces.ndjson"
expect_rc bad-pcts 2 "$MEDLOAD" analyze --percentiles 50,101 "$data/acapy-1.7.0-traces.ndjson"
expect_rc no-inputs 2 "$MEDLOAD" analyze
expect_rc help-unknown 2 "$MEDLOAD" help frobnicate

# An unreadable input is named, the others are still analyzed, status 3.
expect_rc missing-file 3 "$MEDLOAD" analyze --format json /nonexistent/x.ndjson "$data/acapy-1.7.0-traces.ndjson"
expect_grep missing-file-msg '/nonexistent/x.ndjson: cannot open' "$TMP/err"
expect_grep missing-file-keeps-rest '"accepted": 298' "$TMP/out"
expect_grep missing-file-in-json '"errors"' "$TMP/out"

# No event accepted: status 1, and the report is still written.
printf 'not a trace\n' >"$TMP/junk.txt"
expect_rc none-accepted 1 "$MEDLOAD" analyze "$TMP/junk.txt"
expect_grep none-accepted-report 'accepted of 1 read' "$TMP/out"

# Empty lines are skipped and not counted.
printf '\n\n   \n' >"$TMP/empty.txt"
expect_rc empty-file 1 "$MEDLOAD" analyze --format json "$TMP/empty.txt"
expect_grep empty-file-read '"read": 0' "$TMP/out"

# --out writes the file whole and only on success.
expect_rc out-file 0 "$MEDLOAD" analyze --format json -o "$TMP/a.json" "$data/acapy-1.7.0-traces.ndjson"
expect_grep out-file-content '"schema": "medload.analysis/1"' "$TMP/a.json"
expect_rc out-unwritable 3 "$MEDLOAD" analyze -o /nonexistent/dir/a.json "$data/acapy-1.7.0-traces.ndjson"
expect_grep out-unwritable-msg '/nonexistent/dir/a.json' "$TMP/err"
if ls "$TMP"/a.json.tmp.* >/dev/null 2>&1; then fail out-no-temp "temporary left"; else pass out-no-temp; fi

# Gzip, stdin and a truncated gzip stream.
gzip -c "$data/acapy-1.7.0-traces.ndjson" >"$TMP/t.gz"
expect_rc gzip 0 "$MEDLOAD" analyze --format json "$TMP/t.gz"
expect_grep gzip-count '"accepted": 298' "$TMP/out"
head -c 3000 "$TMP/t.gz" >"$TMP/cut.gz"
expect_rc gzip-truncated 3 "$MEDLOAD" analyze --format json "$TMP/cut.gz"
expect_grep gzip-truncated-msg 'corrupt compressed data\|read error' "$TMP/err"
"$MEDLOAD" analyze --format json - <"$data/acapy-0.12.0-traces.ndjson" >"$TMP/out" 2>"$TMP/err"
expect_grep stdin '"accepted": 276' "$TMP/out"

# A line over 16 MiB is rejected as too long; the next line still counts.
python3 -c "
import sys
sys.stdout.write('{\"handler\":\"x\",\"pad\":\"' + 'a' * (17 << 20) + '\"}\n')
sys.stdout.write('{\"handler\":\"x\",\"ellapsed_milli\":4,\"timestamp\":1}\n')
" >"$TMP/long.ndjson"
expect_rc long-line 0 "$MEDLOAD" analyze --format json "$TMP/long.ndjson"
expect_grep long-line-reason '"line_too_long": 1' "$TMP/out"
expect_grep long-line-next '"accepted": 1' "$TMP/out"

# Templates can be overridden from a directory.
mkdir "$TMP/tpl"
printf 'custom {{events.accepted}}\n' >"$TMP/tpl/analysis.txt.tmpl"
expect_rc templates 0 "$MEDLOAD" analyze --templates "$TMP/tpl" "$data/acapy-1.7.0-traces.ndjson"
expect_grep templates-used '^custom 298$' "$TMP/out"
printf '{{#x}}\n' >"$TMP/tpl/analysis.txt.tmpl"
expect_rc templates-broken 3 "$MEDLOAD" analyze --templates "$TMP/tpl" "$data/acapy-1.7.0-traces.ndjson"
expect_grep templates-broken-msg 'analysis.txt.tmpl:1: section "x" is never closed' "$TMP/err"

# Options come from one table per command: names are exact (the nearest
# known one is suggested, abbreviations are refused), an option not
# marked repeatable is taken once, and --help lists every option.
# expect_help_lists CMD OPTION...: `medload CMD --help` lists each OPTION.
expect_help_lists() {
	cmd=$1
	shift
	"$MEDLOAD" "$cmd" --help >"$TMP/out" 2>"$TMP/err"
	missing=
	for o in "$@"; do
		grep -Eq -- "^  (-[a-zA-Z], )?$o( |\$)" "$TMP/out" ||
		    missing="$missing $o"
	done
	if [ -z "$missing" ]; then pass "$cmd-help-lists"; else
		fail "$cmd-help-lists" "not in --help:$missing"; fi
}
es_opts="--user --password-file --api-key-file --cacert --insecure"

# collect (an option wrongly taken would start a collector: it stops soon)
quick="--listen 127.0.0.1:0 --duration 50ms -o $TMP/c.ndjson"
expect_rc collect-unknown-option 2 "$MEDLOAD" collect --indx x $quick
expect_grep collect-unknown-near "did you mean '--index'" "$TMP/err"
expect_rc collect-abbreviation 2 "$MEDLOAD" collect --max-conn 5 $quick
expect_grep collect-abbreviation-msg "unknown option '--max-conn'" "$TMP/err"
expect_rc collect-twice 2 "$MEDLOAD" collect --fsync always --fsync none \
	$quick
expect_grep collect-twice-msg "'--fsync' given twice" "$TMP/err"
expect_rc collect-bad-fsync 2 "$MEDLOAD" collect --fsync sometimes $quick
expect_grep collect-bad-fsync-msg 'always, interval or none' "$TMP/err"
expect_rc collect-operand 2 "$MEDLOAD" collect extra $quick
expect_help_lists collect --listen --out --fsync --max-body \
	--max-connections --run-id --es --index --batch-bytes --drain \
	--duration $es_opts --help

# ingest (an option wrongly taken meets a closed port: status 3, not 2)
nowhere="--es http://127.0.0.1:1 $data/acapy-1.7.0-traces.ndjson"
expect_rc ingest-unknown-option 2 "$MEDLOAD" ingest --indx i $nowhere
expect_grep ingest-unknown-near "did you mean '--index'" "$TMP/err"
expect_rc ingest-abbreviation 2 "$MEDLOAD" ingest --ind i $nowhere
expect_grep ingest-abbreviation-msg "unknown option '--ind'" "$TMP/err"
expect_rc ingest-twice 2 "$MEDLOAD" ingest --index i --index j $nowhere
expect_grep ingest-twice-msg "'--index' given twice" "$TMP/err"
expect_rc ingest-small-batch 2 "$MEDLOAD" ingest --index i --batch-bytes 10 \
	$nowhere
expect_grep ingest-small-batch-msg 'from 1024 to' "$TMP/err"
expect_rc ingest-threads-zero 2 "$MEDLOAD" ingest --index i --threads 0 \
	$nowhere
expect_grep ingest-threads-zero-msg 'threads.*from 1 to 256' "$TMP/err"
expect_rc ingest-threads-many 2 "$MEDLOAD" ingest --index i --threads 257 \
	$nowhere
expect_help_lists ingest --es --index --run-id --no-template --batch-bytes \
	--show-errors --threads $es_opts --help

# compare (an option wrongly taken would compare: status 5 or 0, not 2)
pair="$REPO/tests/golden/data/analysis-base.json $REPO/tests/golden/data/analysis-slow.json"
expect_rc compare-unknown-option 2 "$MEDLOAD" compare --fail-on-regresion \
	$pair
expect_grep compare-unknown-near "did you mean '--fail-on-regression'" \
	"$TMP/err"
expect_rc compare-abbreviation 2 "$MEDLOAD" compare --fail-on $pair
expect_grep compare-abbreviation-msg "unknown option '--fail-on'" "$TMP/err"
expect_rc compare-twice 2 "$MEDLOAD" compare --format json --format text \
	$pair
expect_grep compare-twice-msg "'--format' given twice" "$TMP/err"
expect_rc compare-threshold-repeats 5 "$MEDLOAD" compare \
	--threshold 'p95<100000' --threshold 'p95<1' $pair
expect_grep compare-threshold-repeats-msg '1 of 2 thresholds breached' \
	"$TMP/err"
expect_rc compare-bad-min-samples 2 "$MEDLOAD" compare --min-samples 0 $pair
expect_grep compare-bad-min-samples-msg '\-\-min-samples: "0"' "$TMP/err"
expect_help_lists compare --margin --min-delta --min-samples --z --format \
	--out --templates --threshold --thresholds --junit \
	--fail-on-regression --charts --help

# edge sessions: settings checked before anything is sent; an invitation
# whose endpoint nobody listens on (nothing reaches a mediator)
edge_inv="http://127.0.0.1:9?c_i=$(printf '%s' '{"@type": "https://didcomm.org/connections/1.0/invitation", "@id": "e2e", "label": "m", "recipientKeys": ["96FMR9WiGs5cNzoVStDmXQxGsFB3KYaUQs9E3W1LiTPH"], "serviceEndpoint": "http://127.0.0.1:9"}' | base64 | tr -d '\n')"
expect_rc edge-ws-scheme 2 "$MEDLOAD" run --scenario edge --invitation-url \
	"$edge_inv" --edge-ws http://127.0.0.1:9/ --out-dir "$TMP/runs"
expect_grep edge-ws-scheme-msg 'is not a ws:// or wss:// URL' \
	"$TMP/err"
# wss://: a CA bundle that cannot be read is refused before anything is
# sent, naming it (and nothing else: no second, empty message)
expect_rc edge-wss-cacert 2 "$MEDLOAD" run --scenario edge --invitation-url \
	"$edge_inv" --edge-ws wss://127.0.0.1:9/ --cacert "$TMP/no-ca.pem" \
	--out-dir "$TMP/runs"
expect_grep edge-wss-cacert-msg "edge_ws: cacert $TMP/no-ca.pem: No such file or directory" \
	"$TMP/err"
if grep -q '(null)' "$TMP/err"; then fail edge-wss-cacert-once "$(cat "$TMP/err")"; else
	pass edge-wss-cacert-once
fi
expect_rc edge-task-peer-needs-ws 2 "$MEDLOAD" run --scenario edge \
	--invitation-url "$edge_inv" --edge-task peer --out-dir "$TMP/runs"
expect_grep edge-task-peer-needs-ws-msg 'edge_task peer needs edge_ws' "$TMP/err"
expect_rc edge-ws-other-scenario 2 "$MEDLOAD" run --scenario mediation \
	--edge-ws ws://127.0.0.1:9/ --out-dir "$TMP/runs"
expect_grep edge-ws-other-scenario-msg 'settings of scenario edge' "$TMP/err"
expect_rc edge-pickup-needs-ws 2 "$MEDLOAD" run --scenario edge \
	--invitation-url "$edge_inv" --edge-pickup v2 --out-dir "$TMP/runs"
expect_grep edge-pickup-needs-ws-msg 'edge_pickup and edge_pickup_limit need edge_ws' \
	"$TMP/err"
expect_rc edge-pickup-mode 2 "$MEDLOAD" run --scenario edge \
	--invitation-url "$edge_inv" --edge-ws ws://127.0.0.1:9/ \
	--edge-pickup v3 --out-dir "$TMP/runs"
expect_grep edge-pickup-mode-msg 'auto|implicit|v2' "$TMP/err"
expect_rc edge-pickup-limit 2 "$MEDLOAD" run --scenario edge \
	--invitation-url "$edge_inv" --edge-ws ws://127.0.0.1:9/ \
	--edge-pickup-limit 101 --out-dir "$TMP/runs"
expect_grep edge-pickup-limit-msg 'edge_pickup_limit must be 1 to 100, not 101' \
	"$TMP/err"
expect_rc edge-offline-needs-peer 2 "$MEDLOAD" run --scenario edge \
	--invitation-url "$edge_inv" --edge-ws ws://127.0.0.1:9/ \
	--edge-offline 5s --out-dir "$TMP/runs"
expect_grep edge-offline-needs-peer-msg 'edge_offline needs edge_task peer' \
	"$TMP/err"
expect_rc edge-offline-short 2 "$MEDLOAD" run --scenario edge \
	--invitation-url "$edge_inv" --edge-ws ws://127.0.0.1:9/ \
	--edge-task peer --edge-offline 200ms --out-dir "$TMP/runs"
expect_grep edge-offline-short-msg 'edge_offline must be at least 1s' "$TMP/err"
expect_rc edge-ws-files-limit 2 sh -c 'ulimit -n 300 && exec "$@"' sh \
	"$MEDLOAD" run --scenario edge --invitation-url "$edge_inv" \
	--edge-ws ws://127.0.0.1:9/ --stages 10s:1000 --out-dir "$TMP/runs"
expect_grep edge-ws-files-limit-msg \
	'1000 agents holding sessions need about 1256 open files, and this process may open at most 300' \
	"$TMP/err"
if grep -q '(null)' "$TMP/err"; then fail edge-ws-files-limit-said-once "$(head -c 300 "$TMP/err")"; else
	pass edge-ws-files-limit-said-once; fi
# a shard needs files for its own share of the agents (a tenth of 1000)
expect_rc edge-ws-files-limit-shard 2 sh -c 'ulimit -n 300 && exec "$@"' sh \
	"$MEDLOAD" run --scenario edge --invitation-url "$edge_inv" --shard 1/10 \
	--run-id lim --edge-ws ws://127.0.0.1:9/ --stages 10s:1000 --out-dir "$TMP/runs"
expect_grep edge-ws-files-limit-shard-msg \
	'100 agents holding sessions need about 356 open files' "$TMP/err"
