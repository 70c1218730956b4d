#!/usr/bin/env python3
"""check-flows.py NAME EXPECT ANALYSIS: compares the "flows" object of a
medload analysis (JSON) with what gen-flows.py says it must hold. Prints
"PASS NAME-what" or "FAIL NAME-what: why" lines (the tests/run format).

Checked exactly: every group's count, complete, incomplete and undecided;
every hop's and round trip's count, min, max and nearest-rank
percentiles (the values are whole milliseconds); the incomplete kinds.
The clock offset must lie within its stated uncertainty of the truth, and
equal it when the generator made it exact (cross-agent hops are then
exact too; otherwise only same-agent hops are compared).
"""
import json
import math
import sys


def nearest_rank(values, q):
    v = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(v) - 1e-9))
    return v[rank - 1]


def compare_dist(want, got, pcts):
    bad = []
    if got is None:
        return ["missing"]
    if got["count"] != len(want):
        bad.append("count %s, want %s" % (got["count"], len(want)))
        return bad
    for f, w in (("min", min(want)), ("max", max(want))):
        if got[f] != w:
            bad.append("%s %s, want %s" % (f, got[f], w))
    for name, v in got["percentiles"].items():
        w = nearest_rank(want, float(name[1:]))
        if v != w:
            bad.append("%s %s, want %s" % (name, v, w))
    return bad


def main():
    name, expect_path, doc_path = sys.argv[1:4]
    exp = json.load(open(expect_path))
    doc = json.load(open(doc_path))
    flows = doc.get("flows") or {}
    results = []

    def check(what, ok, why=""):
        results.append(("PASS %s-%s" % (name, what)) if ok else
                       ("FAIL %s-%s: %s" % (name, what, why)))

    got = {"%s|%s|%s" % (g["type"] or "", g["from"] or "", g["to"] or ""): g
           for g in flows.get("exchanges", [])}
    check("groups", sorted(got) == sorted(exp["groups"]),
          set(got) ^ set(exp["groups"]))
    clock = flows.get("clock", [])
    exact_cross = False
    if clock:
        c = clock[0]
        # the entry holds clock(to) - clock(from); expect.json mediator - multi
        truth = -exp["offset_ms"] if c["from"] == "mediator.trace" else exp["offset_ms"]
        err = abs(c["offset_ms"] - truth)
        check("offset-within-uncertainty", err <= c["uncertainty_ms"],
              "offset %s +/- %s, truth %s" % (c["offset_ms"], c["uncertainty_ms"], truth))
        if exp["exact_offset"]:
            check("offset-exact", err == 0, "offset %s, truth %s" % (c["offset_ms"], truth))
            exact_cross = err == 0
    else:
        check("clock", False, "no clock estimate")
    bad = []
    for key, want in exp["groups"].items():
        g = got.get(key)
        if g is None:
            continue
        for f in ("count", "complete", "incomplete", "undecided"):
            if g[f] != want[f]:
                bad.append((key, f, g[f], want[f]))
        if want["round_trip"]:
            for b in compare_dist(want["round_trip"], g["round_trip"], None):
                bad.append((key, "round_trip", b))
        hops = {h["name"]: h for h in g["hops"]}
        if sorted(hops) != sorted(want["hops"]):
            bad.append((key, "hop names", sorted(hops), sorted(want["hops"])))
        for hname, values in want["hops"].items():
            h = hops.get(hname)
            if h is not None and h["clock"] == "corrected" and not exact_cross:
                continue
            for b in compare_dist(values, h, None):
                bad.append((key, hname, b))
    check("figures", not bad, bad[:6])
    inc = flows.get("incomplete", {})
    check("incomplete", inc == exp["incomplete"],
          {k: (inc.get(k), v) for k, v in exp["incomplete"].items() if inc.get(k) != v})
    print("\n".join(results))


if __name__ == "__main__":
    main()
