#!/usr/bin/env python3
"""gen-traces.py N OUT: writes N ACA-Py-shaped trace events (one JSON object
per line, as ACA-Py 0.12.0 writes them) with both agents' labels, the
workflow's outcomes and message types, and log-normal integer latencies.
Deterministic (seeded) so benchmark runs compare like with like."""
import random
import sys
import time

OUTCOMES = [
    "Dispatcher.handle_message.START", "Dispatcher.handle_message.END",
    "OutboundTransportManager.ENCODE.START", "OutboundTransportManager.ENCODE.END",
    "OutboundTransportManager.DELIVER.START.http://127.0.0.1:3000",
    "OutboundTransportManager.DELIVER.END.http://127.0.0.1:3000",
]
TYPES = [
    "https://didcomm.org/trust_ping/1.0/ping",
    "https://didcomm.org/trust_ping/1.0/ping_response",
    "https://didcomm.org/coordinate-mediation/1.0/mediate-request",
    "https://didcomm.org/routing/1.0/forward",
    "https://didcomm.org/connections/1.0/request",
]


def main(n, out):
    rnd = random.Random(1)
    t0 = 1795939000.0
    with open(out, "w") as f:
        for i in range(n):
            outcome = OUTCOMES[i % 6]
            label = "mediator.trace" if i % 2 else "multi.agent.trace"
            elapsed = 0 if "START" in outcome else int(rnd.lognormvariate(2, 1))
            t = t0 + i * 0.0003
            mid = "%032x" % rnd.getrandbits(128)
            st = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ".%06d" % int((t % 1) * 1e6)
            f.write('{"msg_id": "%s", "thread_id": "%s", "traced_type": "%s", '
                    '"timestamp": %.7f, "str_time": "%s", "handler": "%s", '
                    '"ellapsed_milli": %d, "outcome": "%s"}\n'
                    % (mid, mid, TYPES[i % 5], t, st, label, elapsed, outcome))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
