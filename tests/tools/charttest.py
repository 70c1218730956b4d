#!/usr/bin/env python3
"""charttest.py: helpers for the chart tests in tests/e2e.

  charttest.py traces OUT [--labels N] [--prefix P] [--slow PCT]
                         [--start T] [--errors]
      Writes a trace file (NDJSON) OUT. Without --labels the labels are
      the quoting cases of QUOTING (a quote first, doubled quotes, a
      double quote, a backslash, a newline, gnuplot enhanced-text and
      macro characters, a backtick); with --labels N they are N labels
      "lab00".."labNN" (--prefix: P00..PNN) where label i has 10 * (i + 1)
      events and is 2 * (N - i) ms slower than the base, so the busiest
      labels are the last ones and the quietest the slowest. --slow raises
      every latency by PCT percent; --start sets the first timestamp; with
      --errors the first i events of label i have the outcome
      Dispatcher.handle.error.
  charttest.py missing TEXTS FORMAT...
      Prints each quoting label (as medload shows it: a newline as
      \\x0a) that is not a line of the file TEXTS in every FORMAT ("{}"
      stands for the label), as "[FORMAT: label]"; nothing when all are.
  charttest.py texts SVG...
      Prints the text of every <text> element of the SVG files, one a
      line, as an XML parser reads it (so the files must be well-formed).
"""
import json
import sys
import xml.etree.ElementTree as ET

QUOTING = ["'a", "a''b", 'a"b', "a\\b", "new\nline", "@x{y}^z_w", "`b`"]


def traces(argv):
    out, n, slow, start, prefix = argv[0], 0, 0.0, 1795939003.5, "lab"
    errors = "--errors" in argv
    argv = [a for a in argv if a != "--errors"]
    i = 1
    while i < len(argv):
        if argv[i] == "--labels":
            n = int(argv[i + 1])
        elif argv[i] == "--prefix":
            prefix = argv[i + 1]
        elif argv[i] == "--slow":
            slow = float(argv[i + 1])
        elif argv[i] == "--start":
            start = float(argv[i + 1])
        i += 2
    if n:
        per = [("%s%02d" % (prefix, k), 10 * (k + 1), 2 * (n - k))
               for k in range(n)]
    else:
        per = [(label, 30, len(label)) for label in QUOTING]
    with open(out, "w") as f:
        t = start
        for k, (label, count, base) in enumerate(per):
            for j in range(count):
                ms = (5 + (j * 7) % 23 + base) * (1 + slow / 100)
                f.write(json.dumps({
                    "timestamp": t + (j % 20), "label": label,
                    "handler": label, "elapsed_milli": round(ms),
                    "outcome": "Dispatcher.handle.error" if errors and
                    j < k else "Dispatcher.handle.END"}) + "\n")
            t += 0.01


def texts(argv):
    for path in argv:
        for el in ET.parse(path).getroot().iter():
            if el.tag.endswith("}text") or el.tag == "text":
                print("".join(el.itertext()))


def missing(argv):
    lines = set(open(argv[0]).read().splitlines())
    for label in QUOTING:
        shown = label.replace("\n", "\\x0a")
        for fmt in argv[1:]:
            if fmt.replace("{}", shown) not in lines:
                print("[%s: %s]" % (fmt, shown))


def main():
    cmd = sys.argv[1]
    if cmd == "traces":
        traces(sys.argv[2:])
    elif cmd == "texts":
        texts(sys.argv[2:])
    elif cmd == "missing":
        missing(sys.argv[2:])
    else:
        sys.exit("charttest.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
