#!/usr/bin/env python3
"""An independent reference for `medload analyze --format json`.

Reads the same inputs by the rules of the trace-input contract with the
Python standard library only, computes count, min, max, mean, population
stddev and nearest-rank percentiles from fully sorted values, and prints
JSON {"accepted", "rejected", "skipped", "groups": {"label|handler|outcome":
{...}}}. Log text holding no trace event is skipped, not rejected.
It shares no code with medload.
"""
import gzip
import json
import math
import re
import sys
from datetime import datetime, timezone

PCTS = [50, 75, 90, 95, 99, 99.9]
SKIP = "skip"
PROBE = "probe"     # an agent's start-up probe: set aside, not analyzed
TIME_MAX = 253402300799.0
ELAPSED_MAX = 86400000.0
TRACE_FIELDS = ("ellapsed_milli", "elapsed_milli", "outcome", "msg_id", "traced_type")
DECIMAL = re.compile(r"^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$")


def parse_time(s):
    s = s.strip()
    for suffix in ("+0000", " +0000", "Z"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
    s = s.replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            pass
    return None


def number(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, str) and DECIMAL.match(v):
        return float(v)
    return None


def event(line):
    text = line.strip()
    log = not text.startswith("{")
    if log:
        try:
            json.loads(text)
            return None     # JSON, but not an object
        except ValueError:
            pass
        i = line.find("{")
        if i < 0:
            return SKIP
        text = line[i:]
    try:
        doc = json.loads(text)
    except ValueError:
        if log and not any('"%s"' % f in text for f in ("msg_id", "outcome", "traced_type")) \
                and '_milli"' not in text:
            return SKIP
        return None
    if not isinstance(doc, dict):
        return None
    if log and not any(f in doc for f in TRACE_FIELDS):
        return SKIP
    if isinstance(doc.get("_source"), dict) and ("_index" in doc or "_id" in doc):
        doc = doc["_source"]
    key = "ellapsed_milli" if "ellapsed_milli" in doc else "elapsed_milli"
    if key not in doc:
        return None
    elapsed = number(doc[key])
    if elapsed is None or elapsed < 0 or elapsed > ELAPSED_MAX:
        return None
    if "timestamp" in doc:
        t = number(doc["timestamp"])
        if t is None or t < 0:
            return None
    elif "str_time" in doc:
        t = parse_time(doc["str_time"])
    elif "@timestamp" in doc:
        t = parse_time(doc["@timestamp"])
    else:
        return None
    if t is None or t < 0 or t > TIME_MAX:
        return None
    label = doc.get("label", doc.get("handler"))
    outcome = doc.get("outcome")
    if doc.get("handler") == "ArgParse" or outcome == "Successfully_configured_aca-py":
        return PROBE
    if isinstance(outcome, str):
        for scheme in (".http://", ".https://", ".ws://", ".wss://"):
            i = outcome.find(scheme)
            if i > 0:
                outcome = outcome[:i]
                break
    return (label, doc.get("handler"), outcome), elapsed


def nearest_rank(sorted_vals, q):
    rank = max(1, math.ceil(round(q * len(sorted_vals) * 1000) / 100000))
    return sorted_vals[rank - 1]


def main(paths):
    groups, accepted, rejected, skipped = {}, 0, 0, 0
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    continue
                ev = event(line)
                if ev == SKIP:
                    skipped += 1
                    continue
                if ev == PROBE:
                    continue
                if ev is None:
                    rejected += 1
                    continue
                accepted += 1
                groups.setdefault(ev[0], []).append(ev[1])
    out = {}
    for key, vals in groups.items():
        vals.sort()
        n = len(vals)
        mean = sum(vals) / n
        out["|".join("" if k is None else str(k) for k in key)] = {
            "count": n,
            "min": vals[0],
            "max": vals[-1],
            "mean": mean,
            "stddev": math.sqrt(sum((v - mean) ** 2 for v in vals) / n),
            "percentiles": {"p%g" % q: nearest_rank(vals, q) for q in PCTS},
        }
    json.dump({"accepted": accepted, "rejected": rejected, "skipped": skipped,
               "groups": out}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
