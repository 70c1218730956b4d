#!/usr/bin/env python3
"""seeds.py OUT [MEDLOAD]: builds the seed corpora of the fuzz harnesses
(tests/fuzz/README.md) from the real data in tests/data and
tests/golden/data: one folder OUT/NAME per harness, small files. With
the medload binary (default ./medload) it also takes `run --print-config`
and a real night record from `nightly`. The corpora kept in
tests/fuzz/corpus/ are these seeds and what fuzzing found, minimised with
libFuzzer's -merge=1 (tests/fuzz/run --merge)."""
import base64
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(REPO, "tests", "data")
GOLDEN = os.path.join(REPO, "tests", "golden", "data")
SEP = b"\n=====\n"


def put(out, name, blob):
    """Writes one seed, named by its hash as libFuzzer names inputs."""
    if isinstance(blob, str):
        blob = blob.encode()
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)


def lines(path, n=None):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        got = f.read().splitlines()
    return got[:n] if n else got


def small_doc(path, groups=3):
    """A real analysis document cut to a few groups, compact."""
    with open(path) as f:
        doc = json.load(f)
    for k in ("groups", "series", "spectrum"):
        if isinstance(doc.get(k), list):
            doc[k] = doc[k][:groups]
    if isinstance(doc.get("outcomes"), dict):
        doc["outcomes"]["series"] = doc["outcomes"].get("series", [])[:2]
        for s in doc["outcomes"]["series"]:
            s["points"] = s.get("points", [])[:3]
    for s in doc.get("series", []) or []:
        if isinstance(s, dict) and isinstance(s.get("points"), list):
            s["points"] = s["points"][:4]
    return json.dumps(doc, separators=(",", ":"))


TRACE_FILES = ["acapy-0.12.0-traces.ndjson", "acapy-1.7.0-traces.ndjson",
               "acapy-0.12.0-mediator.log", "acapy-1.7.0-multi-agent.log",
               "acapy-0.12.0-http-traces.ndjson"]
GOLDEN_TRACES = ["hits-from-0.12.0.ndjson", "logstash-from-1.7.0.ndjson",
                 "hostile.ndjson", "rejects.ndjson"]


def trace_lines():
    got = []
    for f in TRACE_FILES:
        got += lines(os.path.join(DATA, f))[:6]
    for f in GOLDEN_TRACES:
        got += lines(os.path.join(GOLDEN, f))[:8]
    return got


def seeds_trace(out):
    ls = trace_lines()
    for line in ls:
        put(out, "fuzz_trace", line)
        put(out, "fuzz_jscan", line)
    for i in range(0, len(ls), 7):
        put(out, "fuzz_trace", b"\n".join(ls[i:i + 7]))


def seeds_analyze(out):
    for i, f in enumerate(TRACE_FILES):
        put(out, "fuzz_analyze", bytes([i]) + b"\n".join(
            lines(os.path.join(DATA, f))[:30]) + b"\n")
    for i, f in enumerate(GOLDEN_TRACES):
        put(out, "fuzz_analyze", bytes([0x21 + i]) + b"\n".join(
            lines(os.path.join(GOLDEN, f))[:30]))
    gz = gzip.compress(b"\n".join(lines(os.path.join(
        DATA, "acapy-1.7.0-traces.ndjson"))[:20]) + b"\n", mtime=0)
    put(out, "fuzz_analyze", b"\x01" + gz)


def es_hit(line):
    return json.loads(line)


def es_answers():
    """Answer sequences in the order medload asks (FUZZ_ES_TRACE=1)."""
    hits = [es_hit(x) for x in lines(os.path.join(
        GOLDEN, "hits-from-0.12.0.ndjson"))[:12]]
    root_es = {"name": "n1", "cluster_name": "medload", "version": {
        "number": "8.15.0", "build_flavor": "default"},
        "tagline": "You Know, for Search"}
    root_os = {"name": "n1", "version": {"distribution": "opensearch",
               "number": "2.19.1"}}
    kw = {"keyword": {"type": "keyword", "searchable": True,
                      "aggregatable": True}}
    caps = {"indices": ["medload-traces"], "fields": {
        "label": kw, "handler": {"text": {"type": "text"}},
        "handler.keyword": kw, "outcome": kw, "traced_type": kw,
        "ellapsed_milli": {"long": {"type": "long"}},
        "elapsed_milli": {"float": {"type": "float"},
                          "unmapped": {"type": "unmapped"}},
        "@timestamp": {"date": {"type": "date"}},
        "timestamp": {"double": {"type": "double"}},
        "medload.run_id": kw}}
    t0 = 1795938957907.0
    count = {"took": 1, "hits": {"total": {"value": 12, "relation": "eq"},
             "hits": []}, "aggregations": {
        "first": {"value": t0, "value_as_string": "2026-11-29T07:55:57Z"},
        "last": {"value": t0 + 61000}}}
    page = {"_scroll_id": "FGluY2x1ZGVfY29udGV4dF91dWlkDXF1ZXJ5QW5kRmV0Y2g=",
            "took": 2, "timed_out": False,
            "hits": {"total": {"value": 12, "relation": "eq"},
                     "hits": hits}}
    empty = {"_scroll_id": page["_scroll_id"], "hits": {"hits": []}}
    pct = {"values": [{"key": k, "value": v} for k, v in
                      ((50.0, 4.0), (95.0, 40.5), (99.0, 59.0))]}
    bucket = {"key": {"label": "mediator.trace", "outcome":
                      "Dispatcher.handle_message.END"}, "doc_count": 9,
              "elapsed": {"count": 9, "min": 1, "max": 59, "avg": 10.2,
                          "sum": 92, "std_deviation": 3.5},
              "pct": pct, "first": {"value": t0},
              "last": {"value": t0 + 60000}}
    groups = {"aggregations": {"groups": {"after_key": bucket["key"],
                                          "buckets": [bucket]}}}
    groups_end = {"aggregations": {"groups": {"buckets": []}}}
    series = {"aggregations": {"labels": {"buckets": [{
        "key": "mediator.trace", "doc_count": 9, "smin": {"value": 1},
        "smax": {"value": 59}, "spec": pct, "t": {"buckets": [
            {"key": t0, "doc_count": 4, "max": {"value": 12}, "pct": pct},
            {"key": t0 + 10000, "doc_count": 5, "max": {"value": 59},
             "pct": pct}]}}]}}}
    outcomes = {"aggregations": {"labels": {"buckets": [{
        "key": "mediator.trace", "outcomes": {"buckets": [{
            "key": "Dispatcher.handle_message.END", "t": {"buckets": [
                {"key": t0, "doc_count": 4}]}}]}}]}}}
    err = {"error": {"root_cause": [{"type": "index_not_found_exception",
           "reason": "no such index [medload-traces]"}],
           "type": "index_not_found_exception",
           "reason": "no such index [medload-traces]"}, "status": 404}
    bulk = {"took": 3, "errors": True, "items": [
        {"create": {"_index": "x", "_id": "1", "status": 201}},
        {"create": {"status": 400, "error": {
            "type": "mapper_parsing_exception", "reason": "failed"}}}]}
    night = {"schema": "medload.night/1", "time": "2026-11-29T07:55:57Z",
             "verdict": "pass", "events": 276, "labels": [{
                 "label": "mediator.trace", "count": 9, "rate": 0.15,
                 "error_share": 0, "p50": 4, "p95": 40.5, "p99": 59}]}
    hist = {"hits": {"hits": [{"_id": "n1", "_source": night},
                              {"_id": "n2", "_source": {"x": 1}}]}}
    j = lambda o: json.dumps(o).encode()
    raw = [j(root_es), j(caps), j({"count": 3}), j(count), j(root_es),
           j(page), j(empty), j({"succeeded": True, "num_freed": 1})]
    aggs = [j(root_os), j(caps), j({"count": 0}), j(count), j(groups),
            j(groups_end), j(groups), j(groups_end), j(series), j(series),
            j(outcomes)]
    return [
        (0x01, raw), (0x41, raw), (0x02, aggs), (0x06, aggs),
        (0x1a, aggs), (0x01, [j(root_es), b"404\n" + j(err)]),
        (0x02, [j(root_es), j(caps), j({"count": 1}),
                b"503\n" + j(err)]),
        (0x83, [j(root_es), j(bulk), j(hist)]),
        (0x83, [j(root_os), b"429\n" + j(err), b"404\n" + j(err)]),
    ]


def seeds_es(out):
    for choice, answers in es_answers():
        put(out, "fuzz_es", bytes([choice]) + SEP.join(answers))
    for choice, answers in es_answers():
        for a in answers:
            put(out, "fuzz_jscan", a)


def seeds_docs(out):
    docs = {n: small_doc(os.path.join(GOLDEN, n)) for n in (
        "analysis-base.json", "analysis-slow.json",
        "analysis-hostile-base.json", "analysis-hostile-slow.json",
        "analysis-noise.json", "analysis-real-0.12.0.json",
        "analysis-real-1.7.0.json")}
    pairs = [("analysis-base.json", "analysis-slow.json"),
             ("analysis-hostile-base.json", "analysis-hostile-slow.json"),
             ("analysis-base.json", "analysis-noise.json"),
             ("analysis-real-0.12.0.json", "analysis-real-1.7.0.json")]
    for a, b in pairs:
        put(out, "fuzz_compare", docs[a] + SEP.decode() + docs[b])
    for d in docs.values():
        put(out, "fuzz_compare", d)
        put(out, "fuzz_report", d)
    demo = os.path.join(DATA, "run-demo")
    with open(os.path.join(demo, "results.json")) as f:
        run = json.load(f)
    put(out, "fuzz_report", small_doc(os.path.join(demo, "analysis.json"))
        + SEP.decode() + json.dumps(run, separators=(",", ":")))
    return docs


def seeds_tmpl(out, docs):
    tdir = os.path.join(REPO, "report-templates")
    esc = {".txt": 0, ".md": 1, ".html": 2, ".gp": 3}
    for name in sorted(os.listdir(tdir)):
        with open(os.path.join(tdir, name), "rb") as f:
            text = f.read()
        kind = esc.get(os.path.splitext(name[:-5])[1], 0)
        put(out, "fuzz_tmpl", bytes([kind]) + text[:4000] + SEP +
            docs["analysis-real-1.7.0.json"].encode())
        put(out, "fuzz_tmpl", bytes([kind]) + text[:1500])


def seeds_collect(out):
    for line in lines(os.path.join(DATA, "acapy-0.12.0-http-traces.ndjson"),
                      8):
        put(out, "fuzz_collect", line)
        put(out, "fuzz_collect", b"/acapy.events" + SEP + line + b"\n")
    put(out, "fuzz_collect", b'/x\n=====\n{"medload": 1,\n"a": "\\u00e9"}')
    put(out, "fuzz_collect", b'{"@timestamp": "2026-11-29T07:55:57Z"}')


def seeds_invite(out):
    url = None
    with open(os.path.join(DATA, "run-demo", "results.json")) as f:
        url = json.load(f)["config"]["mediator_invitation_url"]
    put(out, "fuzz_invite", url)
    inv = json.loads(base64.urlsafe_b64decode(
        url.split("c_i=")[1] + "=="))
    oob = {"@type": "https://didcomm.org/out-of-band/1.1/invitation",
           "@id": inv["@id"], "label": inv["label"],
           "handshake_protocols": ["https://didcomm.org/didexchange/1.1"],
           "services": [{"id": "#inline", "type": "did-communication",
                         "recipientKeys": ["did:key:z6Mk"],
                         "serviceEndpoint": "http://127.0.0.1:9004"}]}
    b = base64.urlsafe_b64encode(json.dumps(oob).encode()).decode()
    put(out, "fuzz_invite", "http://127.0.0.1:9004?oob=" + b)
    put(out, "fuzz_invite", "http://127.0.0.1:9004/?x=1&oob=" +
        b.rstrip("=") + "%3D&y")
    put(out, "fuzz_invite", "http://127.0.0.1:3000?c_i=" + base64.b64encode(
        json.dumps(inv).encode()).decode())


def dumped(binary, var, inp):
    """The envelope or response a DIDComm harness packs for input inp
    (its replay build writes it to the file var names), or None."""
    if not os.access(binary, os.X_OK):
        return None
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in"), os.path.join(d, "out")
        with open(src, "wb") as f:
            f.write(inp)
        subprocess.run([binary, src], env=dict(os.environ, **{var: dst}),
                       stderr=subprocess.DEVNULL, check=False)
        if not os.path.exists(dst):
            return None
        with open(dst, "rb") as f:
            return f.read()


def didcomm_answers(vk):
    """Answers in the shapes ACA-Py 0.12 and 1.7 give an edge agent."""
    t = "https://didcomm.org/"
    old = "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/"
    th = {"~thread": {"thid": "req-1"}}
    got = [
        dict({"@type": t + "coordinate-mediation/1.0/mediate-grant",
              "@id": "g", "endpoint": "http://127.0.0.1:9000",
              "routing_keys": ["did:key:z6Mk" + vk[:44]]}, **th),
        dict({"@type": t + "coordinate-mediation/1.0/mediate-grant",
              "@id": "g", "endpoint": "", "routing_keys": [vk]}, **th),
        dict({"@type": t + "coordinate-mediation/1.0/keylist-update-"
              "response", "@id": "k", "updated": [
                  {"recipient_key": vk, "action": "add",
                   "result": "success"}]}, **th),
        dict({"@type": old + "trust_ping/1.0/ping_response", "@id": "p",
              "comment": "pong"}, **th),
        dict({"@type": t + "notification/1.0/problem-report", "@id": "x",
              "description": {"en": "no such connection",
                              "code": "abandoned"}}, **th),
        dict({"@type": t + "didexchange/1.1/problem-report",
              "explain-ltxt": "bad \u001b[31m"}, **th),
    ]
    return [json.dumps(a).encode() for a in got]


def seeds_didcomm(out):
    """Envelopes and responses packed by the harnesses themselves (their
    fixed keys), answers and invitations of the shapes the stack gives,
    and text for the decoders."""
    tests = os.path.join(REPO, "build", "tests")
    env_bin = os.path.join(tests, "replay_fuzz_didcomm_envelope")
    msg_bin = os.path.join(tests, "replay_fuzz_didcomm_msg")
    msgs = [b'{"@type":"https://didcomm.org/trust_ping/1.0/ping",'
            b'"@id":"1","response_requested":true}', b"", b"x" * 300]
    for mode in (0x01, 0x05, 0x09, 0x0d, 0x15, 0x1d, 0x03):
        for m in msgs[:2] if mode != 0x03 else msgs[:1]:
            put(out, "fuzz_didcomm_envelope", bytes([mode]) + m)
            env = dumped(env_bin, "FUZZ_DENV_DUMP", bytes([mode]) + m)
            if env:
                put(out, "fuzz_didcomm_envelope", env)
    put(out, "fuzz_didcomm_envelope", bytes([0x05]) + msgs[0] + SEP +
        b"\x00\x20\x00A\x01\x00\x01\x00")
    for mode in (0x02, 0x06, 0x0a, 0x12):
        put(out, "fuzz_didcomm_msg", bytes([mode]) + b"edge-1")
        r = dumped(msg_bin, "FUZZ_DMSG_DUMP", bytes([mode]) + b"edge-1")
        if r:
            put(out, "fuzz_didcomm_msg", r)
    with open(os.path.join(DATA, "run-demo", "results.json")) as f:
        url = json.load(f)["config"]["mediator_invitation_url"]
    inv = json.loads(base64.urlsafe_b64decode(url.split("c_i=")[1] + "=="))
    vk = inv["recipientKeys"][0]
    put(out, "fuzz_didcomm_msg", b"\x00" + json.dumps(inv).encode())
    oob = {"@type": "https://didcomm.org/out-of-band/1.1/invitation",
           "@id": inv["@id"], "label": inv["label"],
           "handshake_protocols": ["https://didcomm.org/didexchange/1.1",
                                   "https://didcomm.org/connections/1.0"],
           "services": [{"id": "#inline", "type": "did-communication",
                         "recipientKeys": [vk], "routingKeys": [vk],
                         "serviceEndpoint": "http://127.0.0.1:9004"}]}
    put(out, "fuzz_didcomm_msg", b"\x00" + json.dumps(oob).encode())
    # mode 1 in thread req-1, waiting for the type each answer has
    for want, a in zip((4, 4, 5, 6, 0, 2), didcomm_answers(vk)):
        put(out, "fuzz_didcomm_msg", bytes([0x21 | want << 2]) + a)
    put(out, "fuzz_didcomm_msg", b"\x03ping \xc3\xa9 \" \\ \x01")
    for t in (vk, "did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th",
              "did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th"
              "#z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th",
              "111" + vk[3:], base64.urlsafe_b64encode(b"\0\1\2").decode(),
              base64.b64encode(b"\xff\xfe").decode().rstrip("=")):
        put(out, "fuzz_didcomm_crypto", t)


THRESHOLDS = ["p95<1000", "p(95)<500", "avg<=200ms", "rate>50",
              "error_rate<1%", "label=mediator.trace p95<250",
              "label=mediator.trace outcome=*END p95<50",
              "p95 < baseline*1.10", "p99.9 < +10%", "med>=baseline-5",
              "label=\"multi agent\" count > 3", "max != 0",
              "mean<baseline", "traced_type=*ping* p99<2s", "p95 <> 3"]


def seeds_threshold(out):
    for t in THRESHOLDS:
        put(out, "fuzz_threshold", t)
    put(out, "fuzz_threshold", "\n".join(THRESHOLDS))


def seeds_config(out, medload):
    yaml = ("step_time: 30s\nstep_load: 10\nstages:\n"
            "  - {duration: 10s, users: 5}\n  - duration: 20s\n"
            "    users: 10\nthresholds:\n  - \"p(95)<500\"\n"
            "admin_url: \"http://127.0.0.1:9014\"\n")
    put(out, "fuzz_config", b"\x18" + yaml.encode())
    put(out, "fuzz_config", b"\x14" + yaml.encode())
    with open(os.path.join(REPO, "compose", ".env.example"), "rb") as f:
        put(out, "fuzz_config", b"\x01" + f.read()[:3000])
    put(out, "fuzz_config", b"\x09# the seed's .env\nSTEP_TIME=30\n"
        b"export STEP_LOAD = 10\nLOCUST_HOST=http://127.0.0.1:9014\n"
        b"MEDIATOR_INVITATION_URL=\"http://x?c_i=e30 # not a comment\"\n")
    put(out, "fuzz_config", b"\x10" + "\n".join(THRESHOLDS[:5]).encode())
    if medload:
        got = subprocess.run([medload, "run", "--print-config"],
                             capture_output=True).stdout
        put(out, "fuzz_config", b"\x08" + got)
        env = b"\n".join(x.split(b":")[0].upper() + b"=" +
                         x.split(b": ", 1)[1].split(b"  #")[0]
                         for x in got.splitlines()
                         if b": " in x and not x.startswith(b"#"))
        put(out, "fuzz_config", b"\x01" + env)


def seeds_history(out, medload, docs):
    nights = []
    if medload:
        with tempfile.TemporaryDirectory() as t:
            hist = os.path.join(t, "history.jsonl")
            for i, n in enumerate(("analysis-base.json",
                                   "analysis-slow.json")):
                a = os.path.join(t, n)
                with open(a, "w") as f:
                    f.write(docs[n])
                subprocess.run([medload, "nightly", "--analysis", a,
                                "--history", hist, "--out",
                                os.path.join(t, "o%d" % i)],
                               capture_output=True)
            if os.path.exists(hist):
                with open(hist, "rb") as f:
                    nights = f.read().splitlines()
    for n in nights:
        put(out, "fuzz_history", n + b"\n")
    if nights:
        put(out, "fuzz_history", b"\n".join(nights) + b"\n{\"x\":1}\nnot")


def seeds_opt(out):
    lines_ = [(0, "--admin-url\nhttp://127.0.0.1:9014\n--step-load\n5\n"
               "--stages\n30s:10,1m:20\n--report\nr\n--threshold\np95<500"),
              (0, "--config=x.yaml\n--print-config\n--seed\n7"),
              (1, "--by\nlabel,outcome\n--since\n-30m\n--until\n"
               "2026-11-29T10:00:00Z\n--percentiles\n50,95,99.9\n-o\nx\n"
               "--format\ncsv\n--\n-"),
              (1, "--es\nhttp://127.0.0.1:9200\n--index\nlogs-*\n--mode\n"
               "aggs\n--slices\n4\n--interval\n1m\n--insecure"),
              (2, "--analysis\na.json\n--run\nr.json\n--out\nd"),
              (3, "a.json\nb.json\n--margin\n10%\n--min-delta\n2ms\n"
               "--format\nmd\n--fail-on-regression"),
              (4, "--analysis\na.json\n--history\nh.jsonl\n--out\no\n"
               "--threshold\np95<baseline*1.2"),
              (5, "--listen\n127.0.0.1:9700\n--out\nt.ndjson\n--fsync\n"
               "always\n--max-body\n1m"),
              (6, "--es\nhttp://127.0.0.1:9200\n--index\nmedload-traces\n"
               "t.ndjson\n--batch\n500")]
    for cmd, text in lines_:
        put(out, "fuzz_opt", bytes([cmd]) + text.encode())


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "build-fuzz/seeds"
    medload = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        REPO, "medload")
    medload = medload if os.access(medload, os.X_OK) else None
    seeds_trace(out)
    seeds_analyze(out)
    seeds_es(out)
    docs = seeds_docs(out)
    seeds_tmpl(out, docs)
    seeds_collect(out)
    seeds_invite(out)
    seeds_didcomm(out)
    seeds_threshold(out)
    seeds_config(out, medload)
    seeds_history(out, medload, docs)
    seeds_opt(out)
    for name in sorted(os.listdir(out)):
        print("%-16s %d seeds" % (name, len(os.listdir(
            os.path.join(out, name)))))


if __name__ == "__main__":
    main()
