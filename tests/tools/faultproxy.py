#!/usr/bin/env python3
"""faultproxy.py: an HTTP proxy on 127.0.0.1 in front of a real search
engine, for the faults a real server will not produce on demand. It
forwards every request unchanged, except those whose "METHOD path" matches
--match, where it can:
  --fail-first N   answer the first N matches with --status (429 by default,
                   with Retry-After: --retry-after seconds);
  --fail-after N   forward the first N matches, then answer every later one
                   with --status (a server that stops answering mid-export);
  --delay S        wait S seconds before forwarding a match;
  --corrupt-every K  forward every match, but damage the answer's body of
                   every K-th one (0: never): cut it short, change bytes,
                   give a JSON value another type, drop a member, or wrap
                   it deeply; --seed makes the choices repeatable;
  --repeat-buckets N  forward every match, but give every element of each
                   "buckets" array of the answer N times (a server that
                   repeats aggregation buckets);
  --replay K       forward the first K matches; answer every later one with
                   the K-th answer again (a server stuck on one scroll page
                   or one composite page, its after_key included);
  --set-total N    forward every match, but say the answer's hits.total is N
                   (a server whose count and pages disagree);
  --pad BYTES      forward every match, but make the answer's JSON object
                   BYTES larger with a first member "medload_pad" holding
                   many small objects (an answer that is huge when parsed
                   into a tree).
  --swap-every K   forward every match, but answer every K-th one (0:
                   never) with the body of the previous match's answer
                   (crossed answers: a DIDComm envelope meant for another
                   agent, sealed to another key).
--match-body REGEX narrows --match to requests whose body matches too.
Every request is logged to --log as "METHOD path -> status" lines.
It is the one fake server of the suite: a fault injector, never the only
test of a feature. Bounded: it exits after --lifetime seconds."""
import argparse
import http.server
import json
import random
import re
import socketserver
import sys
import threading
import time
import urllib.error
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--upstream", required=True)
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--match", default=".*")
ap.add_argument("--fail-first", type=int, default=0)
ap.add_argument("--fail-after", type=int, default=-1)
ap.add_argument("--status", type=int, default=429)
ap.add_argument("--retry-after", default="1")
ap.add_argument("--delay", type=float, default=0)
ap.add_argument("--log", required=True)
ap.add_argument("--lifetime", type=float, default=120)
ap.add_argument("--corrupt-every", type=int, default=0)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--repeat-buckets", type=int, default=0)
ap.add_argument("--replay", type=int, default=0)
ap.add_argument("--set-total", type=int, default=-1)
ap.add_argument("--pad", type=int, default=0)
ap.add_argument("--match-body", default=None)
ap.add_argument("--swap-every", type=int, default=0)
args = ap.parse_args()
rng = random.Random(args.seed)
ODD_VALUES = [None, True, "", "x\u001b[2J\"}", -1, 1e308, 12345678901234567890,
              [], {}, [[[]]], {"a": {"b": None}}, "NaN", 0.5]


def damage_json(doc):
    """Gives one node of doc another type, or drops one member."""
    nodes = []

    def walk(v, parent, key):
        nodes.append((parent, key))
        if isinstance(v, dict):
            for k in list(v):
                walk(v[k], v, k)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, v, i)
    walk(doc, None, None)
    parent, key = rng.choice(nodes)
    if parent is None:
        return rng.choice(ODD_VALUES)
    if isinstance(parent, dict) and rng.random() < 0.3:
        del parent[key]
    else:
        parent[key] = rng.choice(ODD_VALUES)
    return doc


def damage(body):
    """One kind of damage, chosen at random (with --seed)."""
    kind = rng.choice(["cut", "bytes", "json", "json", "json", "deep"])
    if kind == "cut" and body:
        return kind, body[:rng.randrange(len(body))]
    if kind == "bytes" and body:
        b = bytearray(body)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return kind, bytes(b)
    if kind == "deep":
        return kind, b"[" * 5000 + body + b"]" * 5000
    try:
        doc = json.loads(body)
    except ValueError:
        return "cut", body[:len(body) // 2]
    for _ in range(rng.randint(1, 3)):
        doc = damage_json(doc)
    return kind, json.dumps(doc).encode()


def repeat_buckets(v):
    """Gives every element of each "buckets" array args.repeat_buckets times."""
    if isinstance(v, dict):
        for k in v:
            if k == "buckets" and isinstance(v[k], list):
                v[k] = [y for y in map(repeat_buckets, v[k])
                        for _ in range(args.repeat_buckets)]
            else:
                v[k] = repeat_buckets(v[k])
    elif isinstance(v, list):
        return [repeat_buckets(x) for x in v]
    return v


def set_total(data):
    """The answer with hits.total (a number or {"value": n}) set to N."""
    doc = json.loads(data)
    hits = doc.get("hits") if isinstance(doc, dict) else None
    if isinstance(hits, dict) and "total" in hits:
        if isinstance(hits["total"], dict):
            hits["total"]["value"] = args.set_total
        else:
            hits["total"] = args.set_total
    return json.dumps(doc).encode()


def pad(data):
    """The answer object with a first member of about args.pad bytes of
    small objects (json-c makes a table for each)."""
    body = data.strip()
    if not body.startswith(b"{"):
        return data
    unit = b'{"k":0},'
    filler = b'"medload_pad":[' + unit * (args.pad // len(unit)) + b'{}]'
    rest = body[1:].lstrip()
    return b"{" + filler + (b"," if not rest.startswith(b"}") else b"") + rest


lock = threading.Lock()
seen = {"n": 0, "last": None}
replayed = {}
logf = open(args.log, "a", buffering=1)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            logf.write("(the client went away) ")
        logf.write("%s %s -> %d\n" % (self.command, self.path, status))

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        matched = re.search(args.match, "%s %s" % (self.command, self.path))
        if matched and args.match_body is not None:
            matched = re.search(args.match_body.encode(), body or b"")
        k = 0
        if matched:
            with lock:
                seen["n"] += 1
                k = seen["n"]
            if k <= args.fail_first or (args.fail_after >= 0 and k > args.fail_after):
                hdrs = [("Content-Type", "application/json")]
                if args.status == 429:
                    hdrs.append(("Retry-After", args.retry_after))
                self.answer(args.status, b'{"error":{"type":"injected_fault",'
                            b'"reason":"fault injected by the test proxy"},"status":%d}'
                            % args.status, hdrs)
                return
            if args.delay:
                time.sleep(args.delay)
            if args.replay > 0 and k > args.replay and "answer" in replayed:
                status, data, ctype = replayed["answer"]
                logf.write("replayed answer %d: " % args.replay)
                self.answer(status, data, [("Content-Type", ctype)])
                return
        req = urllib.request.Request(args.upstream + self.path, data=body,
                                     method=self.command)
        for h in ("Content-Type", "Authorization", "x-api-key"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, data = r.status, r.read()
                ctype = r.headers.get("Content-Type", "application/json")
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
            ctype = e.headers.get("Content-Type", "application/json")
        if args.replay > 0 and k == args.replay:
            replayed["answer"] = (status, data, ctype)
        if args.set_total >= 0 and k > 0:
            try:
                data = set_total(data)
                logf.write("total set to %d: " % args.set_total)
            except ValueError:
                pass
        if args.pad > 0 and k > 0:
            data = pad(data)
            logf.write("padded to %d bytes: " % len(data))
        if args.repeat_buckets > 0 and k > 0:
            try:
                data = json.dumps(repeat_buckets(json.loads(data))).encode()
                logf.write("repeated buckets: ")
            except ValueError:
                pass
        if args.swap_every > 0 and k > 0:
            with lock:
                last, seen["last"] = seen["last"], data
            if k % args.swap_every == 0 and last is not None:
                data = last
                logf.write("swapped: ")
        if args.corrupt_every > 0 and k > 0 and k % args.corrupt_every == 0:
            with lock:
                kind, data = damage(data)
            logf.write("damaged (%s): " % kind)
        self.answer(status, data, [("Content-Type", ctype)])

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", args.port), Handler)
threading.Timer(args.lifetime, srv.shutdown).start()
print("ready", flush=True)
srv.serve_forever()
