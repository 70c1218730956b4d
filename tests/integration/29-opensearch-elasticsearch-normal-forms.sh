#!/usr/bin/env bash
# Releases line up in the search engines as on files: the real samples of
# ACA-Py 0.8.2 (did:sov:...;spec/ message types, ellapsed_milli) and 1.7.0
# (https://didcomm.org/, elapsed_milli), both with endpoints in their
# DELIVER outcomes, and the two real start-up probes of 0.12.0's HTTP
# sample, ingested into one index of the real OpenSearch and
# Elasticsearch. Files, raw mode and aggs mode must give the same events
# (read, accepted, agent starts) and the same groups key for key (count,
# min, max exact, mean to 1e-9; raw mode's percentiles too) for --by
# label,handler,outcome, label,outcome,endpoint and traced_type,outcome;
# the same outcomes over time, series and spectrum counts; probes set
# aside in every mode; --raw keeps the old forms in every mode; the filters
# --outcome '*END' and --traced-type 'https://didcomm.org/trust_ping/*'
# (and globs that match only the forms as written) match the same events.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
T=$(mktemp -d)
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
idx="medload-traces-norm$$"
cleanup() {
	for u in "$os" "$es"; do
		curl -s -o /dev/null --max-time 10 -X DELETE "$u/$idx?ignore_unavailable=true" || true
		curl -s -o /dev/null --max-time 10 -X DELETE "$u/_index_template/medload-$idx" || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
grep '"handler": "ArgParse"' "$D/acapy-0.12.0-http-traces.ndjson" >"$T/probes.ndjson"
[[ $(wc -l <"$T/probes.ndjson") == 2 ]] || fail "the 0.12.0 HTTP sample should hold 2 start-up probes"
files=("$D/acapy-0.8.2-traces.ndjson" "$D/acapy-1.7.0-traces.ndjson" "$T/probes.ndjson")

# analyze NAME ARGS...: medload analyze ARGS --format json into T/NAME.json;
# exit 0, or 1 when no event passed the filters.
analyze() {
	local name=$1 rc=0
	shift
	"$M" analyze "$@" --format json >"$T/$name.json" 2>"$T/$name.err" || rc=$?
	((rc == 0 || rc == 1)) || fail "analyze $*: exit $rc: $(tail -n 3 "$T/$name.err")"
}

# same A B WHAT [filtered]: the analyses T/A.json and T/B.json agree. With
# filtered, only the accepted events are compared (the search engine
# applies the filters, so it reads, and counts probes among, fewer).
same() {
	python3 - "$T/$1.json" "$T/$2.json" "$3" "${4:-}" <<'PY' || exit 1
import json, sys
pa, pb, what, filtered = sys.argv[1:]
a, b = json.load(open(pa)), json.load(open(pb))
def die(msg):
    print("FAIL: %s: %s" % (what, msg)); sys.exit(1)
exact = b["source"].get("mode") != "aggs" and a["source"].get("mode") != "aggs"
for k in ("accepted",) if filtered else ("read", "accepted", "agent_starts"):
    if a["events"][k] != b["events"][k]:
        die("events.%s %s vs %s" % (k, a["events"][k], b["events"][k]))
def groups(d):
    return {json.dumps(g["key"], sort_keys=True): g for g in d["groups"]}
ga, gb = groups(a), groups(b)
if set(ga) != set(gb):
    die("groups differ: only in the first %s, only in the second %s" %
        (sorted(set(ga) - set(gb))[:4], sorted(set(gb) - set(ga))[:4]))
for k, g in ga.items():
    h = gb[k]
    for x in ("count", "min", "max"):
        if g[x] != h[x]:
            die("%s %s: %s vs %s" % (k, x, g[x], h[x]))
    if abs(g["mean"] - h["mean"]) > 1e-9 * max(1, abs(g["mean"])):
        die("%s mean: %s vs %s" % (k, g["mean"], h["mean"]))
    if exact and g["percentiles"] != h["percentiles"]:
        die("%s percentiles: %s vs %s" % (k, g["percentiles"], h["percentiles"]))
def outcomes(d):
    return [(s["label"], s["outcome"], s["error"], [(p["ts"], p["count"]) for p in s["points"]])
            for s in d["outcomes"]["series"]]
if outcomes(a) != outcomes(b):
    die("outcomes over time differ: %s vs %s" % (outcomes(a)[:2], outcomes(b)[:2]))
# (Files list a label whose events are all START with no points and an
# empty spectrum; aggs mode leaves it out.)
def series(d):
    return [(s["label"], [(p["ts"], p["count"], p["max"]) for p in s["points"]])
            for s in d["series"]["labels"] if s["points"]]
if series(a) != series(b):
    die("series differ")
def spectrum(d):
    return [(s["label"], s["count"]) for s in d["spectrum"] if s["count"]]
if spectrum(a) != spectrum(b):
    die("spectrum counts differ")
PY
}

# forms NAME RAW: the analysis T/NAME.json holds the old forms (RAW=1) or
# only normal ones (RAW=0), and set the 2 probes aside.
forms() {
	python3 - "$T/$1.json" "$2" "$1" <<'PY' || exit 1
import json, sys
d, raw, name = json.load(open(sys.argv[1])), sys.argv[2] == "1", sys.argv[3]
def die(msg):
    print("FAIL: %s: %s" % (name, msg)); sys.exit(1)
keys = [g["key"] for g in d["groups"]]
old = any((k.get("traced_type") or "").startswith("did:sov:") for k in keys)
ep = any("://" in (k.get("outcome") or "") for k in keys)
if keys and "traced_type" in keys[0] and old != raw:
    die("old message types %s" % ("missing with --raw" if raw else "left in the groups"))
if keys and "outcome" in keys[0] and ep != raw:
    die("endpoints in outcomes %s" % ("missing with --raw" if raw else "left in the groups"))
if any(s["outcome"] and "://" in s["outcome"] for s in d["outcomes"]["series"]) != raw:
    die("the outcomes over time %s endpoints" % ("lack" if raw else "hold"))
if d["events"]["agent_starts"] != 2 or any((k.get("handler") or k.get("label")) == "ArgParse" for k in keys):
    die("the 2 start-up probes are not set aside: agent_starts %s" % d["events"]["agent_starts"])
if "endpoint" in d["by"]:
    eps = sorted({k["endpoint"] for k in keys if k["endpoint"]})
    want = [] if raw else ["http://127.0.0.1:14000", "http://127.0.0.1:14004",
                           "http://127.0.0.1:3000", "http://127.0.0.1:9004"]
    if eps != want:
        die("endpoints %s, want %s" % (eps, want))
PY
}

for by in label,handler,outcome label,outcome,endpoint traced_type,outcome; do
	analyze "file-$by" --by "$by" "${files[@]}"
	analyze "fileraw-$by" --by "$by" --raw "${files[@]}"
	forms "file-$by" 0
	forms "fileraw-$by" 1
done
filters=("--outcome=*END" "--traced-type=https://didcomm.org/trust_ping/*"
	"--outcome=*http*" "--traced-type=did:sov:*" "--traced-type=*/ping"
	"--outcome=*.START --traced-type=https://didcomm.org/routing/*")
for i in "${!filters[@]}"; do
	# shellcheck disable=SC2086
	analyze "filter$i-file" ${filters[$i]} "${files[@]}"
	# shellcheck disable=SC2086
	analyze "filterraw$i-file" --raw ${filters[$i]} "${files[@]}"
done
# The filters must mean something on these samples.
[[ $(jq .events.accepted "$T/filter0-file.json") == 287 ]] || fail "--outcome '*END' on files: $(jq .events.accepted "$T/filter0-file.json") events, want 287"
[[ $(jq .events.accepted "$T/filter1-file.json") == 264 ]] || fail "--traced-type trust_ping on files: $(jq .events.accepted "$T/filter1-file.json") events, want 264"
[[ $(jq .events.accepted "$T/filter2-file.json" "$T/filter3-file.json") == $'0\n0' ]] ||
	fail "a glob of the written forms matched normal forms on files"
[[ $(jq .events.accepted "$T/filterraw3-file.json") == 252 ]] || fail "--raw --traced-type 'did:sov:*' on files: want 252 events"

for url in "$os" "$es"; do
	name="$(curl -s --max-time 10 "$url" | jq -r '.version.distribution // "elasticsearch"')"
	"$M" ingest --es "$url" --index "$idx" "${files[@]}" >"$T/ingest" 2>&1 ||
		fail "$name: ingest: $(cat "$T/ingest")"
	grep -q "indexed 576, rejected 0" "$T/ingest" || fail "$name: ingest: $(cat "$T/ingest")"
	for by in label,handler,outcome label,outcome,endpoint traced_type,outcome; do
		for m in raw aggs; do
			analyze "$m-$by" --es "$url" --index "$idx" --mode $m --by "$by"
			forms "$m-$by" 0
			same "file-$by" "$m-$by" "$name --mode $m --by $by"
			analyze "${m}raw-$by" --es "$url" --index "$idx" --mode $m --by "$by" --raw
			forms "${m}raw-$by" 1
			same "fileraw-$by" "${m}raw-$by" "$name --mode $m --by $by --raw"
		done
	done
	for i in "${!filters[@]}"; do
		for m in raw aggs; do
			# shellcheck disable=SC2086
			analyze "filter$i-$m" --es "$url" --index "$idx" --mode $m ${filters[$i]}
			same "filter$i-file" "filter$i-$m" "$name --mode $m ${filters[$i]}" filtered
			# shellcheck disable=SC2086
			analyze "filterraw$i-$m" --es "$url" --index "$idx" --mode $m --raw ${filters[$i]}
			same "filterraw$i-file" "filterraw$i-$m" "$name --mode $m --raw ${filters[$i]}" filtered
		done
	done
	curl -s -o /dev/null -X DELETE "$url/$idx"
	curl -s -o /dev/null -X DELETE "$url/_index_template/medload-$idx"
done
echo "files, raw and aggs modes give the same groups, outcomes and filters for 0.8.2 + 1.7.0 on OpenSearch and Elasticsearch"
