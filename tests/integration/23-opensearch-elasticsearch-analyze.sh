#!/usr/bin/env bash
# medload ingest + analyze --es against the real OpenSearch and Elasticsearch:
# the same real trace samples (ACA-Py 0.12.0 and 1.7.0, so old and new
# elapsed fields in one index) analyzed from the file, in raw mode (exact:
# equal to the file's figures, with 1 and 2 slices) and in aggs mode (counts,
# min, max exact; percentiles within the documented tolerance); ingesting
# twice does not duplicate; hostile labels cannot change the query; a raw
# export shows a progress line on a terminal and none otherwise.
. "$(dirname "${BASH_SOURCE[0]}")/lib-stack.sh"
M="$MEDLOAD_REPO/medload"
D="$MEDLOAD_REPO/tests/data"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
os="${MEDLOAD_OS_URL:-$("$STACK/opensearch" url)}"
es="${MEDLOAD_ES_URL:-$("$STACK/elasticsearch" url)}"
idx="medload-traces-it$$"
files=("$D/acapy-0.12.0-traces.ndjson" "$D/acapy-1.7.0-traces.ndjson")
"$M" analyze --format json "${files[@]}" >"$T/file.json" || fail "file analysis failed"
cat "${files[@]}" >"$T/all.ndjson"

for url in "$os" "$es"; do
	"$M" ingest --es "$url" --index "$idx" "${files[@]}" >"$T/ingest" 2>&1 ||
		fail "ingest into $url: $(cat "$T/ingest")"
	grep -q "indexed 574, rejected 0" "$T/ingest" || fail "ingest into $url: $(cat "$T/ingest")"
	"$M" ingest --es "$url" --index "$idx" "${files[0]}" >"$T/ingest" 2>&1 || fail "second ingest into $url"
	n=$(curl -s "$url/$idx/_count" | jq .count)
	[[ "$n" == 574 ]] || fail "$url: $n documents after ingesting twice, want 574"
	for m in raw aggs; do
		"$M" analyze --es "$url" --index "$idx" --mode $m --format json >"$T/$m.json" 2>"$T/err" ||
			fail "analyze --es $url --mode $m: $(cat "$T/err")"
	done
	"$M" analyze --es "$url" --index "$idx" --mode raw --slices 2 --format json >"$T/raw2.json" 2>"$T/err" ||
		fail "analyze --es $url --slices 2: $(cat "$T/err")"
	grep -q ' events, ' "$T/err" && fail "a progress line on a stderr that is not a terminal: $(cat "$T/err")"
	# on a terminal, the raw export's progress line ends with the full count
	script -qec "'$M' analyze --es '$url' --index '$idx' --mode raw --format json >'$T/rawtty.json'" \
		"$T/tty.log" >/dev/null || fail "analyze --es $url on a terminal failed: $(tail -c 300 "$T/tty.log")"
	grep -aq 'medload: 574 / 574 events, [0-9]*/s' "$T/tty.log" ||
		fail "no final progress line on the terminal: $(tail -c 300 "$T/tty.log" | cat -v)"
	cmp -s <(jq -S .groups "$T/raw.json") <(jq -S .groups "$T/rawtty.json") ||
		fail "the export on a terminal differs from the one without"
	python3 - "$T" "$url" <<'PY' || exit 1
import json, math, sys
t, url = sys.argv[1], sys.argv[2]
f = json.load(open(t + "/file.json"))
def groups(d): return {tuple(g["key"].values()): g for g in d["groups"]}
fg = groups(f)
# Exact values per group for the tolerance check, from the file itself.
# Outcomes in their normal form, as groups have them: an endpoint at the
# end (".http://...") is cut off.
def outcome(o):
    for s in (".http://", ".https://", ".ws://", ".wss://"):
        i = o.find(s)
        if i > 0:
            return o[:i]
    return o
vals = {}
for line in open(t + "/all.ndjson"):
    e = json.loads(line)
    v = e.get("ellapsed_milli", e.get("elapsed_milli"))
    vals.setdefault((e["handler"], e["handler"], outcome(e["outcome"])), []).append(v)
def exact(vs, q):
    vs = sorted(vs); r = max(1, math.ceil(q / 100 * len(vs) - 1e-9)); return vs[min(r, len(vs)) - 1]
def die(msg):
    print("FAIL: %s: %s" % (url, msg)); sys.exit(1)
for mode in ("raw", "raw2", "aggs"):
    e = json.load(open("%s/%s.json" % (t, mode)))
    if e["source"]["kind"] != "elasticsearch" or e["source"]["mode"] != mode[:3] + ("s" if mode == "aggs" else ""):
        die("%s: source block %r" % (mode, e["source"]))
    if e["events"]["accepted"] != f["events"]["accepted"]:
        die("%s: accepted %d, file %d" % (mode, e["events"]["accepted"], f["events"]["accepted"]))
    eg = groups(e)
    if set(eg) != set(fg):
        die("%s: groups differ: %r" % (mode, set(eg) ^ set(fg)))
    for k, g in fg.items():
        h = eg[k]
        for x in ("count", "min", "max"):
            if g[x] != h[x]:
                die("%s %s %s: %s vs file %s" % (mode, k, x, h[x], g[x]))
        if abs(g["mean"] - h["mean"]) > 1e-6 * max(1, g["mean"]):
            die("%s %s mean: %s vs %s" % (mode, k, h["mean"], g["mean"]))
        for p, v in g["percentiles"].items():
            w = h["percentiles"][p]
            if mode != "aggs":
                if v != w:
                    die("%s %s %s: %s vs file %s" % (mode, k, p, w, v))
                continue
            # Tolerance: a server percentile must lie between the exact
            # values 5 percentile points either side (interpolating
            # estimators on small groups), within [min, max].
            q = float(p[1:])
            lo = exact(vals[k], max(0.001, q - 5)) - 1e-9
            hi = exact(vals[k], min(100, q + 5)) + 1e-9
            if not (lo <= w <= hi):
                die("aggs %s %s: %s outside [%s, %s]" % (k, p, w, lo, hi))
    if mode == "aggs" and e["percentile_method"]["exact"] is not False:
        die("aggs must say its percentiles are approximate")
    labels = sorted(s["label"] for s in e["series"]["labels"])
    if labels != ["mediator.trace", "multi.agent.trace"]:
        die("%s: series labels %r" % (mode, labels))
    timed = sum(g["count"] for g in f["groups"] if ".START" not in (g["key"]["outcome"] or ""))
    if sum(p["count"] for s in e["series"]["labels"] for p in s["points"]) != timed:
        die("%s: series counts do not add up to the %d timed events" % (mode, timed))
    if sum(p["count"] for s in e["outcomes"]["series"] for p in s["points"]) != f["events"]["accepted"]:
        die("%s: outcome counts do not add up" % mode)
    for sa, sf in zip(e["spectrum"], f["spectrum"]):
        if sa["label"] != sf["label"] or sa["count"] != sf["count"]:
            die("%s: spectrum %s/%d vs file %s/%d" % (mode, sa["label"], sa["count"], sf["label"], sf["count"]))
        if mode != "aggs" and sa["points"] != sf["points"]:
            die("%s: spectrum of %s differs from the file's" % (mode, sa["label"]))
print("ok")
PY
	# Hostile labels are values, never query text: no 400, just no match.
	for bad in 'x"}},"must_not":{"match_all":{}}}}' 'a\"b\\' '*"}}' "mediator.trace' OR '1'='1"; do
		for m in raw aggs; do
			rc=0
			"$M" analyze --es "$url" --index "$idx" --mode $m --label "$bad" --format json >"$T/inj" 2>"$T/err" || rc=$?
			[[ $rc == 1 ]] || fail "$url --mode $m --label '$bad': exit $rc, want 1 (no events): $(cat "$T/err")"
		done
	done
	# A filter the server can apply: only the mediator's END events.
	"$M" analyze --es "$url" --index "$idx" --mode aggs --label mediator.trace --outcome '*.END' --format json >"$T/f.json" 2>"$T/err" ||
		fail "$url filtered aggs: $(cat "$T/err")"
	want=$("$M" analyze --label mediator.trace --outcome '*.END' --format json "${files[@]}" | jq .events.accepted)
	got=$(jq .events.accepted "$T/f.json")
	[[ "$got" == "$want" ]] || fail "$url filtered aggs: $got events, file $want"
	curl -s -XDELETE "$url/$idx" >/dev/null
	curl -s -XDELETE "$url/_index_template/medload-$idx" >/dev/null
done
echo "ingest + analyze --es raw/aggs match the file analysis on OpenSearch and Elasticsearch"
