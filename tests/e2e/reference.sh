#!/bin/sh
# reference.sh: medload's analysis of a mixed file (every input shape, real
# events from both ACA-Py releases, rejected lines, float elapsed values)
# equals an independent Python implementation (tests/reference/analyze.py).
. "$(dirname "$0")/../lib.sh"
g=$REPO/tests/golden/data
d=$REPO/tests/data
python3 - "$TMP/floats.ndjson" <<'PY'
import json, random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        f.write(json.dumps({"handler": "float.trace", "outcome": "o%d" % (i % 3),
            "timestamp": 1795939000 + i / 10,
            "elapsed_milli": round(random.lognormvariate(2, 1.2), 3)}) + "\n")
PY
cat "$d/acapy-0.12.0-mediator.log" "$g/logstash-from-1.7.0.ndjson" \
    "$g/hits-from-0.12.0.ndjson" "$g/rejects.ndjson" \
    "$d/acapy-1.7.0-traces.ndjson" "$TMP/floats.ndjson" >"$TMP/mixed.ndjson"
gzip -c "$TMP/mixed.ndjson" >"$TMP/mixed.ndjson.gz"
"$MEDLOAD" analyze --format json --show-rejects 0 "$TMP/mixed.ndjson.gz" >"$TMP/m.json" 2>"$TMP/err"
python3 "$REPO/tests/reference/analyze.py" "$TMP/mixed.ndjson" >"$TMP/r.json"
python3 - "$TMP/m.json" "$TMP/r.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
def check(name, ok, why=""):
    print(("PASS reference-%s" % name) if ok else ("FAIL reference-%s: %s" % (name, why)))
check("accepted", m["events"]["accepted"] == r["accepted"], (m["events"]["accepted"], r["accepted"]))
check("rejected", m["events"]["rejected"] == r["rejected"], (m["events"]["rejected"], r["rejected"]))
check("skipped", m["events"]["skipped"] == r["skipped"], (m["events"]["skipped"], r["skipped"]))
mg = {"|".join("" if g["key"][k] is None else g["key"][k] for k in ("label", "handler", "outcome")): g for g in m["groups"]}
check("group-keys", sorted(mg) == sorted(r["groups"]), set(mg) ^ set(r["groups"]))
bad = []
for key, want in r["groups"].items():
    got = mg.get(key)
    if got is None:
        continue
    exact = not key.startswith("float.trace")
    for f in ("count", "min", "max"):
        if got[f] != want[f]:
            bad.append((key, f, got[f], want[f]))
    for f in ("mean", "stddev"):
        if abs(got[f] - want[f]) > 1e-6 * max(1, abs(want[f])):
            bad.append((key, f, got[f], want[f]))
    for p, v in want["percentiles"].items():
        g = got["percentiles"][p]
        tol = 0 if exact else abs(v) * 0.001
        if abs(g - v) > tol:
            bad.append((key, p, g, v))
check("figures", not bad, bad[:5])
check("float-groups-present", any(k.startswith("float.trace") for k in mg), "no float groups")
check("not-exact-flag", m["percentile_method"]["exact"] is False, m["percentile_method"])
PY
