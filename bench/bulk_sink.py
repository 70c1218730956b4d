#!/usr/bin/env python3
"""bench/bulk_sink.py PORT: a _bulk endpoint that indexes nothing, for
measuring what `medload ingest` itself costs (building and sending the
requests) without a search engine's indexing in the way. Answers every
_bulk request with one "created" item per action line, every other
request with {}. Loopback only; runs until killed. Not a test server."""
import http.server
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if "/_bulk" in self.path:
            items = body.count(b"\n") // 2
            out = (b'{"took":1,"errors":false,"items":[' +
                   b",".join([b'{"index":{"status":201}}'] * items) + b"]}")
        elif self.path == "/":
            out = b'{"version":{"number":"8.19.0"}}'
        else:
            out = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_HEAD = do_any

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
                                Sink).serve_forever()
