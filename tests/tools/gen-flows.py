#!/usr/bin/env python3
"""gen-flows.py: synthetic ACA-Py traces of two agents with known hop
times, a known clock offset and known lost messages, and what `medload
analyze --flows` must find in them.

usage: gen-flows.py OUTDIR [--seed N] [--offset-ms MS] [--rounds N]
                           [--asymmetric] [--concurrent N]

Writes OUTDIR/multi.ndjson and OUTDIR/mediator.ndjson (each agent's events
in its own order, as its log holds them), OUTDIR/all.ndjson (both, sorted
by timestamp, as a collector's file) and OUTDIR/expect.json:
  {"offset_ms": mediator clock - multi clock, "exact_offset": bool,
   "groups": {"TYPE|FROM|TO": {"count", "complete", "incomplete",
              "undecided", "round_trip": [ms...], "hops": {NAME: [ms...]}}},
   "incomplete": {KIND: n, ..., "undecided": n}}
Every hop is a whole number of milliseconds in true time; the mediator's
timestamps carry the offset. Cross-agent hops are listed as true
durations, which medload reproduces exactly when the offset estimate is
exact: with the default (symmetric) draw the least request transit equals
the least response transit, so the middle of the NTP bounds is the true
offset; --asymmetric breaks that (the estimate is then only within its
stated uncertainty).

The workflow, per round: a ping from the multi-agent to the mediator; a
ping between two tenants of the multi-agent through the mediator (two
forwards, each relayed with msg_id N/A); a mediate-request answered by a
mediate-grant without ~thread; a keylist-update; a didexchange
request/response and its complete (a one-way message). Then the losses,
one each: a ping never handled, a ping handled without response, a handle
START without END, a DELIVER.START without END, a forward handled and
never relayed; near the start a handle END whose START lies before the
window, and near the end a ping still unanswered (both undecided).
--concurrent N adds N pings to the mediator overlapping each other.
"""
import argparse
import json
import random
import time

MULTI = "multi.agent.trace"
MED = "mediator.trace"
MED_EP = "http://127.0.0.1:3000"
MULTI_EP = "http://127.0.0.1:9004"
P = "https://didcomm.org/"
T0_MS = 1795939000000  # ms since the epoch: the window's start (true time)
TIMEOUT_MS = 30000

OTM = "OutboundTransportManager."
ENC_S, ENC_E = OTM + "ENCODE.START", OTM + "ENCODE.END"
DEL_S, DEL_E = OTM + "DELIVER.START.", OTM + "DELIVER.END."
H_S, H_E = "Dispatcher.handle_message.START", "Dispatcher.handle_message.END"


class Gen:
    def __init__(self, seed, offset_ms, asymmetric):
        self.rnd = random.Random(seed)
        self.offset = offset_ms
        self.asym = asymmetric
        self.events = []  # (agent, true ms, record)
        self.groups = {}
        self.lost = {}
        self.n = 0

    def mid(self):
        self.n += 1
        return "%08x-0000-4000-8000-%012x" % (self.rnd.getrandbits(32), self.n)

    def ev(self, agent, t_ms, mid, thid, typ, outcome, elapsed=0):
        self.events.append((agent, t_ms, {"msg_id": mid, "thread_id": thid,
                            "traced_type": typ, "outcome": outcome,
                            "elapsed": elapsed}))

    def group(self, typ, frm, to):
        key = "%s|%s|%s" % (P + typ if typ else "", frm or "", to or "")
        return self.groups.setdefault(key, {"count": 0, "complete": 0,
                                             "incomplete": 0, "undecided": 0,
                                             "round_trip": [], "hops": {}})

    def hop(self, g, name, v):
        g["hops"].setdefault(name, []).append(v)

    def r(self, lo, hi):
        return self.rnd.randint(lo, hi)

    def transit(self, direction):
        # drawn above the least transits the first round forces: 2 ms
        # each way (symmetric), or 2 and 5 ms (asymmetric)
        return self.r(6, 25)

    def send(self, agent, t, mid, thid, typ, ep, encode=True):
        """Sender events from t; returns (DELIVER.START, hops)."""
        hops = {}
        if encode:
            e = self.r(1, 6)
            self.ev(agent, t, mid, thid, typ, ENC_S)
            self.ev(agent, t, mid, thid, typ, ENC_E)
            hops["encode"] = e
            t += e
        d = self.r(0, 1)
        self.ev(agent, t, mid, thid, typ, DEL_S + ep)
        self.ev(agent, t + d, mid, thid, typ, DEL_E + ep)
        hops["deliver"] = d
        return t, hops

    def handle(self, agent, t, mid, thid, typ):
        h = self.r(2, 60)
        self.ev(agent, t, mid, thid, typ, H_S)
        self.ev(agent, t + h, mid, thid, typ, H_E, h)
        return t + h, h

    def forward(self, t_arrive):
        """A forward at the mediator from t_arrive; returns relay start."""
        fid = self.mid()
        typ = P + "routing/1.0/forward"
        end, h = self.handle(MED, t_arrive, fid, fid, typ)
        relay = self.r(0, 2)
        d = self.r(0, 1)
        self.ev(MED, end + relay, "N/A", "N/A", "OutboundMessage", DEL_S + MULTI_EP)
        self.ev(MED, end + relay + d, "N/A", "N/A", "OutboundMessage", DEL_E + MULTI_EP)
        g = self.group("routing/1.0/forward", None, MED)
        g["count"] += 1
        g["complete"] += 1
        self.hop(g, "forward.handle", h)
        self.hop(g, "forward.relay", relay)
        self.hop(g, "forward.deliver", d)
        return end + relay

    def leg(self, frm, to, t, mid, thid, typ, via_mediator=False, d1=None):
        """One message from frm to to; returns (its hops, handle end)."""
        ep = MED_EP if to == MED or via_mediator else MULTI_EP
        ds, hops = self.send(frm, t, mid, thid, typ, ep)
        if via_mediator:
            relay = self.forward(ds + self.r(1, 4))
            hs = relay + self.r(1, 4)
        else:
            hs = ds + (d1 if d1 is not None else self.transit(frm))
        hops["transit"] = hs - ds
        end, hops["handle"] = self.handle(to, hs, mid, thid, typ)
        return hops, end

    def exchange(self, t, typ, rtyp, to, via=False, threaded=True, d=(None, None)):
        """A request from the multi-agent and its response."""
        req, resp = self.mid(), self.mid()
        rq, qend = self.leg(MULTI, to, t, req, req, P + typ, via, d[0])
        t2 = qend + self.r(0, 2)
        rs, rend = self.leg(to, MULTI, t2, resp, req if threaded else resp,
                            P + rtyp, via, d[1])
        g = self.group(typ, MULTI, to)
        g["count"] += 1
        g["complete"] += 1
        for k, v in rq.items():
            self.hop(g, "request." + k, v)
        self.hop(g, "response.queue", t2 - qend)
        for k, v in rs.items():
            self.hop(g, "response." + k, v)
        g["round_trip"].append(rend - t)
        self.last_request = req
        return rend

    def oneway(self, t, typ, thid):
        mid = self.mid()
        hops, end = self.leg(MULTI, MED, t, mid, thid or mid, P + typ)
        g = self.group(typ, MULTI, MED)
        g["count"] += 1
        g["complete"] += 1
        for k, v in hops.items():
            self.hop(g, "request." + k, v)
        return end

    def round(self, t, first):
        d = (2, 2 if not self.asym else 5) if first else (None, None)
        t = self.exchange(t, "trust_ping/1.0/ping", "trust_ping/1.0/ping_response", MED, d=d) + 300
        t = self.exchange(t, "trust_ping/1.0/ping", "trust_ping/1.0/ping_response", MULTI, via=True) + 300
        t = self.exchange(t, "coordinate-mediation/1.0/mediate-request",
                          "coordinate-mediation/1.0/mediate-grant", MED, threaded=False) + 300
        t = self.exchange(t, "coordinate-mediation/1.0/keylist-update",
                          "coordinate-mediation/1.0/keylist-update-response", MED) + 300
        t = self.exchange(t, "didexchange/1.1/request", "didexchange/1.1/response", MED)
        t = self.oneway(t + 1, "didexchange/1.1/complete", self.last_request) + 300
        return t

    def lose(self, kind, g, n=1):
        self.lost[kind] = self.lost.get(kind, 0) + n
        g["count"] += n
        g["incomplete"] += n

    def losses(self, t):
        ping, pr = P + "trust_ping/1.0/ping", P + "trust_ping/1.0/ping_response"
        g = self.group("trust_ping/1.0/ping", MULTI, None)
        m = self.mid()   # never handled: the mediator never sees it
        self.send(MULTI, t, m, m, ping, MED_EP)
        self.lose("never_handled", g)
        t += 1000
        m = self.mid()   # handled, never answered
        ds, _ = self.send(MULTI, t, m, m, ping, MED_EP)
        self.handle(MED, ds + 5, m, m, ping)
        self.lose("no_response", self.group("trust_ping/1.0/ping", MULTI, MED))
        t += 1000
        m = self.mid()   # handling started, never ended
        ds, _ = self.send(MULTI, t, m, m, ping, MED_EP)
        self.ev(MED, ds + 5, m, m, ping, H_S)
        self.lose("start_without_end", self.group("trust_ping/1.0/ping", MULTI, MED))
        t += 1000
        m = self.mid()   # delivery started, never ended
        self.ev(MULTI, t, m, m, ping, ENC_S)
        self.ev(MULTI, t, m, m, ping, ENC_E)
        self.ev(MULTI, t + 2, m, m, ping, DEL_S + MED_EP)
        self.lose("deliver_without_end", g)
        t += 1000
        f = self.mid()   # a forward handled, its payload never relayed
        self.ev(MED, t, f, f, P + "routing/1.0/forward", H_S)
        self.ev(MED, t + 1000, f, f, P + "routing/1.0/forward", H_E, 1000)
        self.lose("forward_not_delivered", self.group("routing/1.0/forward", None, MED))
        return t + 2000

    def undecided(self, t_start, t_end):
        # a handle END whose START precedes the window
        m = self.mid()
        self.ev(MED, t_start, m, m, P + "trust_ping/1.0/ping", H_E, 7)
        g = self.group("trust_ping/1.0/ping", None, MED)
        g["count"] += 1
        g["undecided"] += 1
        # a ping sent just before the end, not answered yet
        m = self.mid()
        ds, _ = self.send(MULTI, t_end - 3000, m, m, P + "trust_ping/1.0/ping", MED_EP)
        self.handle(MED, ds + 4, m, m, P + "trust_ping/1.0/ping")
        g = self.group("trust_ping/1.0/ping", MULTI, MED)
        g["count"] += 1
        g["undecided"] += 1
        self.lost["undecided"] = self.lost.get("undecided", 0) + 2

    def concurrent(self, t, n):
        """n pings to the mediator started 3 ms apart (they overlap)."""
        ends = [self.exchange(t + 3 * i, "trust_ping/1.0/ping",
                              "trust_ping/1.0/ping_response", MED)
                for i in range(n)]
        return max(ends) + 300

    def records(self, agent_filter=None):
        out = []
        for agent, t_ms, e in self.events:
            if agent_filter and agent != agent_filter:
                continue
            clock = t_ms + (self.offset if agent == MED else 0)
            ticks = int(round(clock * 10000))  # 0.1 us
            sec, frac = divmod(ticks, 10000000)
            ts = "%d.%07d" % (sec, frac)
            st = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec)) + ".%06d" % (frac // 10)
            line = ('{"msg_id": %s, "thread_id": %s, "traced_type": %s, "timestamp": %s, '
                    '"str_time": "%s", "handler": "%s", "ellapsed_milli": %d, "outcome": %s}'
                    % (json.dumps(e["msg_id"]), json.dumps(e["thread_id"]),
                       json.dumps(e["traced_type"]), ts, st, agent, e["elapsed"],
                       json.dumps(e["outcome"])))
            out.append((ticks, line))
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--offset-ms", type=int, default=37)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--asymmetric", action="store_true")
    ap.add_argument("--concurrent", type=int, default=0)
    a = ap.parse_args()
    g = Gen(a.seed, a.offset_ms, a.asymmetric)
    t = T0_MS + 200
    t_start = T0_MS
    for i in range(a.rounds):
        t = g.round(t, i == 0)
    if a.concurrent:
        t = g.concurrent(t, a.concurrent)
    t = g.losses(t + 1000)
    t = max(t + 2 * TIMEOUT_MS, t)
    for i in range(3):  # later traffic, so the losses are decided
        t = g.round(t, False)
    t_end = t + 5000
    g.undecided(t_start, t_end)
    g.ev(MULTI, t_end, "N/A", "N/A", "NoneType", "OutboundTransportManager.ENCODE.START")
    # that last event sets the window's end; medload ignores its join
    lost = {k: 0 for k in ("start_without_end", "deliver_without_end", "never_sent",
                           "never_handled", "no_response", "forward_not_delivered",
                           "end_without_start", "response_without_request")}
    lost.update(g.lost)
    expect = {"offset_ms": a.offset_ms, "exact_offset": not a.asymmetric,
              "groups": g.groups, "incomplete": lost}
    for name, flt in (("multi", MULTI), ("mediator", MED)):
        with open("%s/%s.ndjson" % (a.outdir, name), "w") as f:
            for _, line in sorted(g.records(flt), key=lambda x: x[0]):
                f.write(line + "\n")
    with open(a.outdir + "/all.ndjson", "w") as f:
        for _, line in sorted(g.records(), key=lambda x: x[0]):
            f.write(line + "\n")
    with open(a.outdir + "/expect.json", "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
