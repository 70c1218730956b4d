#!/usr/bin/env python3
"""ackcount.py: what agents were promised against what a search engine
holds, for the collector's fault tests.

  ackcount.py post --url URL --count N --prefix P --acked FILE
      [--threads T] [--source NDJSON] [--timeout S] [--deadline S]
    POSTs N trace events (lines of --source, in turn) to URL, each with
    the unique msg_id P-<i>, from T threads, like ACA-Py: one POST an
    event, no retry. The ids answered 200 go to --acked, one a line.
    Prints one JSON line: sent, acked, the other answers by code (0: no
    answer) and the slowest answer in ms. Bounded: each POST waits at
    most --timeout, and no POST starts after --deadline seconds.

  ackcount.py check --es URL --index I --prefix P --spool FILE
      [--acked FILE ...]
    Reads the msg_id of every document of index I and of every line of
    the spool that starts with P, and prints one JSON line: acked (the
    ids answered 200), spooled, docs (documents in the index), lost
    (acked, not in the index), duplicates (documents beyond one an id),
    unacked (in the index but never answered 200: stored, then the answer
    was lost with the collector), strangers (in the index, not in the
    spool), unreadable (spool lines that are not JSON).
"""
import argparse
import json
import sys
import threading
import time
import urllib.error
import urllib.request


def post(a):
    lines = [ln for ln in open(a.source, encoding="utf-8") if ln.strip()]
    lock = threading.Lock()
    state = {"next": 0, "acked": [], "codes": {}, "slowest": 0.0}
    end = time.monotonic() + a.deadline

    def one(i):
        ev = json.loads(lines[i % len(lines)])
        ev["msg_id"] = "%s-%06d" % (a.prefix, i)
        req = urllib.request.Request(a.url, data=json.dumps(ev).encode(),
                                     headers={"Content-Type": "application/json"})
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=a.timeout) as r:
                r.read()
                code = r.status
        except urllib.error.HTTPError as e:
            code = e.code
        except (OSError, ValueError):
            code = 0
        ms = (time.monotonic() - t0) * 1000
        with lock:
            state["slowest"] = max(state["slowest"], ms)
            if code == 200:
                state["acked"].append(ev["msg_id"])
            else:
                state["codes"][code] = state["codes"].get(code, 0) + 1

    def worker():
        while time.monotonic() < end:
            with lock:
                i = state["next"]
                if i >= a.count:
                    return
                state["next"] = i + 1
            one(i)

    ts = [threading.Thread(target=worker) for _ in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with open(a.acked, "w") as f:
        f.writelines(x + "\n" for x in sorted(state["acked"]))
    print(json.dumps({"sent": state["next"], "acked": len(state["acked"]),
                      "other": state["codes"],
                      "slowest_ms": round(state["slowest"])}))


def search_ids(es, index, prefix):
    """msg_id of every document of the index (at most 10000) with prefix."""
    body = json.dumps({"size": 10000, "_source": ["msg_id"],
                       "query": {"prefix": {"msg_id": prefix}}}).encode()
    req = urllib.request.Request("%s/%s/_search" % (es, index), data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            hits = json.load(r)["hits"]["hits"]
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return []
        raise
    if len(hits) >= 10000:
        sys.exit("ackcount: more than 10000 documents; use fewer events")
    return [h["_source"].get("msg_id") for h in hits]


def check(a):
    try:
        urllib.request.urlopen(urllib.request.Request(
            "%s/%s/_refresh" % (a.es, a.index), method="POST"),
            timeout=30).read()
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
    docs = search_ids(a.es, a.index, a.prefix)
    acked = set()
    for f in a.acked:
        acked.update(ln.strip() for ln in open(f) if ln.strip())
    spooled, unreadable = set(), 0
    with open(a.spool, "rb") as f:
        for raw in f:
            try:
                doc = json.loads(raw.decode("utf-8"))
            except ValueError:
                unreadable += 1
                continue
            if str(doc.get("msg_id", "")).startswith(a.prefix):
                spooled.add(doc["msg_id"])
    held = set(docs)
    print(json.dumps({"acked": len(acked), "spooled": len(spooled),
                      "docs": len(docs), "lost": len(acked - held),
                      "duplicates": len(docs) - len(held),
                      "unacked": len(held - acked),
                      "strangers": len(held - spooled),
                      "unreadable": unreadable}))


ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="cmd", required=True)
p = sub.add_parser("post")
p.add_argument("--url", required=True)
p.add_argument("--count", type=int, required=True)
p.add_argument("--prefix", required=True)
p.add_argument("--acked", required=True)
p.add_argument("--threads", type=int, default=4)
p.add_argument("--source", default="tests/data/acapy-1.7.0-traces.ndjson")
p.add_argument("--timeout", type=float, default=5)
p.add_argument("--deadline", type=float, default=60)
c = sub.add_parser("check")
c.add_argument("--es", required=True)
c.add_argument("--index", required=True)
c.add_argument("--prefix", required=True)
c.add_argument("--spool", required=True)
c.add_argument("--acked", nargs="*", default=[])
args = ap.parse_args()
post(args) if args.cmd == "post" else check(args)
