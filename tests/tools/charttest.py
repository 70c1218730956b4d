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
  charttest.py pixels PNG [RRGGBB]
      Prints the PNG's width, height and how many pixels are coloured:
      with RRGGBB, every pixel within 5 of that colour; without, every
      other pixel of every fourth row whose channels differ by more than
      80 (saturated colours: a chart's lines and bars).
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


def png_rows(path):
    """Yields the decoded rows of an 8-bit RGB/RGBA PNG, and w, h, bpp."""
    import struct
    import zlib
    data = open(path, "rb").read()
    w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
    chunks, pos = b"", 8
    while pos < len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        if data[pos + 4:pos + 8] == b"IDAT":
            chunks += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(chunks)
    bpp = 4 if ctype == 6 else 3
    stride = w * bpp
    prev = bytearray(stride)
    i = 0
    rows = []
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else
                                      b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return rows, w, h, bpp


def pixels(argv):
    rows, w, h, bpp = png_rows(argv[0])
    n = 0
    if len(argv) > 1:
        want = [int(argv[1][k:k + 2], 16) for k in (0, 2, 4)]
        for line in rows:
            for x in range(w):
                px = line[x * bpp:x * bpp + 3]
                n += all(abs(px[k] - want[k]) <= 5 for k in range(3))
    else:
        for line in rows[::4]:
            for x in range(0, w, 2):
                px = line[x * bpp:x * bpp + 3]
                n += max(px) - min(px) > 80
    print(w, h, n)


def main():
    cmd = sys.argv[1]
    if cmd == "traces":
        traces(sys.argv[2:])
    elif cmd == "texts":
        texts(sys.argv[2:])
    elif cmd == "pixels":
        pixels(sys.argv[2:])
    elif cmd == "missing":
        missing(sys.argv[2:])
    else:
        sys.exit("charttest.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
