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


def events(rng, label, outcome, n, median, sigma, t0, ttype="x", step=0.05):
    out = []
    for i in range(n):
        ms = round(rng.lognormvariate(0, sigma) * median)
        out.append({"timestamp": t0 + i * step, "handler": label,
                    "ellapsed_milli": ms, "outcome": outcome,
                    "traced_type": ttype})
    return out


def night(seed, slow=1.0, errors=40, extra=None, small_scale=1.0,
          lone="Legacy.only", load=1):
    """load multiplies every group's events in the same window."""
    rng = random.Random(seed)
    st = 0.05 / load
    ev = []
    ev += events(rng, "mediator.trace", "Dispatcher.handle_message.END",
                 2000 * load, 20 * slow, 0.5, T0, step=st)
    ev += events(rng, "mediator.trace", "Dispatcher.handle_message.START",
                 2000 * load, 0, 0.1, T0, step=st)
    ev += events(rng, "mediator.trace", "Dispatcher.handle_message.ERROR",
                 errors * load, 5, 0.3, T0, step=st)
    ev += events(rng, "mediator.trace", "Rare.handler.END", 10 * load,
                 30 * small_scale, 0.3, T0, step=st)
    ev += events(rng, "multi.agent.trace", "Dispatcher.handle_message.END",
                 1000 * load, 12, 0.6, T0, step=st)
    if lone:
        ev += events(rng, "mediator.trace", lone, 50 * load, 3, 0.2, T0,
                     step=st)
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
        # the mediator 7.5 times slower under twice the load
        "heavy": night(6, slow=7.5, load=2),
    }
    for name, ev in nights.items():
        ev.sort(key=lambda e: e["timestamp"])
        with open(f"{out}/{name}.ndjson", "w") as f:
            for e in ev:
                f.write(json.dumps(e) + "\n")


main()
