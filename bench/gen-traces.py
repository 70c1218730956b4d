#!/usr/bin/env python3
"""gen-traces.py N OUT: writes N ACA-Py-shaped trace events (one JSON object
per line, as ACA-Py 0.12.0 writes them, sorted by timestamp) of two agents,
forming the exchanges of the mediator workflow as real traces do: pings to
the mediator and between tenants through it (forwards and their relays,
msg_id N/A), mediate-request/grant, keylist-update/response and the
connection request/response, about 300 in flight at once, with
log-normal latencies (handler durations in ellapsed_milli, as integers).
Deterministic (seeded) so benchmark runs compare like with like; every
exchange is complete except those cut by the end of the file."""
import heapq
import random
import sys
import time

MULTI, MED = "multi.agent.trace", "mediator.trace"
MED_EP, MULTI_EP = "http://127.0.0.1:3000", "http://127.0.0.1:9004"
P = "https://didcomm.org/"
OTM = "OutboundTransportManager."
KINDS = [  # request, response, to the mediator or between tenants
    ("trust_ping/1.0/ping", "trust_ping/1.0/ping_response", False),
    ("trust_ping/1.0/ping", "trust_ping/1.0/ping_response", True),
    ("coordinate-mediation/1.0/mediate-request", "coordinate-mediation/1.0/mediate-grant", False),
    ("coordinate-mediation/1.0/keylist-update", "coordinate-mediation/1.0/keylist-update-response", False),
    ("connections/1.0/request", "connections/1.0/response", False),
]


class Gen:
    def __init__(self):
        self.rnd = random.Random(1)
        self.heap = []
        self.seq = 0

    def lat(self, mu):
        return self.rnd.lognormvariate(mu, 0.6)

    def ev(self, t, agent, mid, thid, typ, outcome, el=0):
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, agent, mid, thid, typ, outcome, el))

    def mid(self):
        return "%032x" % self.rnd.getrandbits(128)

    def send(self, t, agent, mid, thid, typ, ep):
        self.ev(t, agent, mid, thid, typ, OTM + "ENCODE.START")
        self.ev(t + 0.0002, agent, mid, thid, typ, OTM + "ENCODE.END")
        t += self.lat(0.8) / 1000
        self.ev(t, agent, mid, thid, typ, OTM + "DELIVER.START." + ep)
        self.ev(t + 0.0002, agent, mid, thid, typ, OTM + "DELIVER.END." + ep)
        return t

    def handle(self, t, agent, mid, thid, typ):
        d = self.lat(1.8)
        self.ev(t, agent, mid, thid, typ, "Dispatcher.handle_message.START")
        self.ev(t + d / 1000, agent, mid, thid, typ, "Dispatcher.handle_message.END", int(d))
        return t + d / 1000

    def forward(self, t):
        fid = self.mid()
        end = self.handle(t, MED, fid, fid, P + "routing/1.0/forward")
        self.ev(end + 0.0002, MED, "N/A", "N/A", "OutboundMessage", OTM + "DELIVER.START." + MULTI_EP)
        self.ev(end + 0.0002000001, MED, "N/A", "N/A", "OutboundMessage", OTM + "DELIVER.END." + MULTI_EP)
        return end + 0.0002

    def leg(self, t, frm, to, mid, thid, typ, via):
        ds = self.send(t, frm, mid, thid, typ, MED_EP if to == MED or via else MULTI_EP)
        hs = (self.forward(ds + self.lat(1) / 1000) if via else ds) + self.lat(1.5) / 1000
        return self.handle(hs, to, mid, thid, typ)

    def exchange(self, t, kind):
        req, rtyp, via = KINDS[kind]
        to = MULTI if via else MED
        q, r = self.mid(), self.mid()
        end = self.leg(t, MULTI, to, q, q, P + req, via)
        unthreaded = rtyp.endswith("mediate-grant")
        self.leg(end + 0.0003, to, MULTI, r, r if unthreaded else q, P + rtyp, via)


def line(e):
    t, _, agent, mid, thid, typ, outcome, el = e
    st = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ".%06d" % int((t % 1) * 1e6)
    return ('{"msg_id": "%s", "thread_id": "%s", "traced_type": "%s", '
            '"timestamp": %.7f, "str_time": "%s", "handler": "%s", '
            '"ellapsed_milli": %d, "outcome": "%s"}\n'
            % (mid, thid, typ, t, st, agent, el, outcome))


def main(n, out):
    g = Gen()
    t = 1795939000.0
    written = 0
    with open(out, "w") as f:
        while written < n:
            g.exchange(t, g.rnd.randrange(len(KINDS)))
            t += g.rnd.expovariate(1 / 0.0006)
            # every event before t is final: no exchange starts earlier
            while g.heap and g.heap[0][0] < t and written < n:
                f.write(line(heapq.heappop(g.heap)))
                written += 1


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
