#!/usr/bin/env python3
"""Writes the trace files behind the analysis-*.json fixtures of the
compare golden cases: known latency distributions, so the verdicts are
known. Usage: analysis-gen.py OUTDIR; then, for each NAME,
  medload analyze --format json OUTDIR/NAME.ndjson > analysis-NAME.json
(with SOURCE_DATE_EPOCH=0; see the golden README)."""
import json
import random
import sys

T0 = 1795939000.0


def events(rng, label, outcome, n, median, sigma, t0, ttype="x"):
    out = []
    for i in range(n):
        ms = round(rng.lognormvariate(0, sigma) * median)
        out.append({"timestamp": t0 + i * 0.05, "handler": label,
                    "ellapsed_milli": ms, "outcome": outcome,
                    "traced_type": ttype})
    return out


def night(seed, slow=1.0, errors=40, extra=None, small_scale=1.0,
          lone="Legacy.only"):
    rng = random.Random(seed)
    ev = []
    ev += events(rng, "mediator.trace", "Dispatcher.handle_message.END",
                 2000, 20 * slow, 0.5, T0)
    ev += events(rng, "mediator.trace", "Dispatcher.handle_message.START",
                 2000, 0, 0.1, T0)
    ev += events(rng, "mediator.trace", "Dispatcher.handle_message.ERROR",
                 errors, 5, 0.3, T0)
    ev += events(rng, "mediator.trace", "Rare.handler.END", 10,
                 30 * small_scale, 0.3, T0)
    ev += events(rng, "multi.agent.trace", "Dispatcher.handle_message.END",
                 1000, 12, 0.6, T0)
    if lone:
        ev += events(rng, "mediator.trace", lone, 50, 3, 0.2, T0)
    if extra:
        ev += extra(rng)
    return ev


def hostile(rng):
    names = ['quote"d \'x\'', '<script>alert(1)</script>',
             'new\nline', 'back`tick` | pipe *md* & amp']
    ev = []
    for k, name in enumerate(names):
        ev += events(rng, "mediator.trace", name, 30, 10 + k, 0.2, T0)
    return ev


def main():
    out = sys.argv[1]
    nights = {
        "base": night(1),
        "noise": night(2),
        "slow": night(3, slow=1.3, errors=160, small_scale=3.0,
                      lone="New.only"),
        "hostile-base": night(4, extra=hostile, lone=None),
        "hostile-slow": night(5, slow=1.5, extra=hostile, lone=None),
    }
    for name, ev in nights.items():
        ev.sort(key=lambda e: e["timestamp"])
        with open(f"{out}/{name}.ndjson", "w") as f:
            for e in ev:
                f.write(json.dumps(e) + "\n")


main()
