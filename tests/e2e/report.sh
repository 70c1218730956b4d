#!/bin/sh
# report.sh: medload report as people and CI meet it: the folder's files,
# charts as valid PNG and SVG with their scripts and data, golden text and
# Markdown, no gnuplot -> tables still written and the reason given,
# hostile names rendered as text everywhere with nothing executed, and
# index.html checked in real headless Chromium (no console errors; a
# screenshot shows the charts).
. "$(dirname "$0")/../lib.sh"
D=$REPO/tests/data/run-demo
G=$REPO/tests/golden/report

# 1. A real run (the demo's results and its collected traces).
expect_rc report-real 0 "$MEDLOAD" report "$D/analysis.json" --run "$D" -o "$TMP/r1" --title "real run"
for f in report.txt report.md index.html; do
	[ -s "$TMP/r1/$f" ] && pass "report-file-$f" || fail "report-file-$f" "missing or empty"
done
n=0
for c in users latency groups spectrum outcomes requests; do
	ok=1
	for ext in png svg gp; do [ -s "$TMP/r1/charts/$c.$ext" ] || ok=0; done
	ls "$TMP/r1/charts/$c"-*.dat >/dev/null 2>&1 || ok=0
	head -c 8 "$TMP/r1/charts/$c.png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' || ok=0
	[ $ok = 1 ] && n=$((n + 1)) || fail "chart-$c" "png/svg/gp/dat missing or not a PNG"
done
[ $n = 6 ] && pass report-six-charts || fail report-six-charts "$n of 6 charts"
python3 - "$TMP/r1" <<'PY' && pass report-svg-and-html-parse || fail report-svg-and-html-parse "see above"
import glob, sys, html.parser, xml.etree.ElementTree as ET
d = sys.argv[1]
for f in glob.glob(d + "/charts/*.svg"):
    ET.parse(f)
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.svgs = 0; self.scripts = 0; self.tables = 0
    def handle_starttag(self, tag, attrs):
        self.svgs += tag == "svg"; self.scripts += tag == "script"; self.tables += tag == "table"
p = P(); p.feed(open(d + "/index.html").read())
assert p.svgs == 6 and p.scripts == 0 and p.tables == 3, (p.svgs, p.scripts, p.tables)
PY
python3 - "$TMP/r1" "$D" <<'PY' && pass report-chart-data || fail report-chart-data "chart data do not match the documents"
import json, sys
d, src = sys.argv[1], sys.argv[2]
run = json.load(open(src + "/results.json"))
rows = [l.split() for l in open(d + "/charts/users-series.dat") if not l.startswith("#")]
assert len(rows) == len(run["series"]), (len(rows), len(run["series"]))
assert [int(float(r[1])) for r in rows] == [s["target_users"] for s in run["series"]]
req = [l for l in open(d + "/charts/requests-requests.dat") if not l.startswith("#")]
assert len(req) == len(run["stats"])
an = json.load(open(src + "/analysis.json"))
labels = [s["label"] for s in an["series"]["labels"]]
assert len(labels) == 2 and sorted(labels) == ["mediator.trace", "multi.agent.trace"]
PY

# 2. Golden text and Markdown (no gnuplot: deterministic, no chart list).
GNUPLOT=/nonexistent/gnuplot "$MEDLOAD" report "$D/analysis.json" --run "$D" -o "$TMP/r2" -q --title "golden" 2>"$TMP/err"
grep -q 'charts skipped: gnuplot (/nonexistent/gnuplot) is not installed' "$TMP/err" &&
    pass report-no-gnuplot-says-why || fail report-no-gnuplot-says-why "$(cat "$TMP/err")"
grep -qi 'charts skipped' "$TMP/r2/index.html" && grep -q '<table>' "$TMP/r2/index.html" &&
    pass report-no-gnuplot-tables || fail report-no-gnuplot-tables "index.html without tables or reason"
for f in report.txt report.md; do
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then cp "$TMP/r2/$f" "$G/$f"; fi
	if diff -u "$G/$f" "$TMP/r2/$f" >"$TMP/diff"; then pass "report-golden-$f"; else
		fail "report-golden-$f" "$(head -20 "$TMP/diff")"; fi
done

# 3. Hostile names from traces and from a run: nothing runs, all escaped.
cat >"$TMP/hostile.ndjson" <<'EOF2'
{"timestamp": 1795939003.5, "handler": "x'; system('touch PWNED1'); '", "ellapsed_milli": 5, "outcome": "`touch PWNED2`<script>alert(1)</script>.END"}
{"timestamp": 1795939004.5, "handler": "new\nline|pipe\"quote", "ellapsed_milli": 7, "outcome": "@PWNED3 | ![x](javascript:alert(1))"}
{"timestamp": 1795939005.5, "handler": "x'; system('touch PWNED1'); '", "ellapsed_milli": 9, "outcome": "error\u001b[31m.END"}
{"timestamp": 1795939006.5, "handler": "h", "ellapsed_milli": 4, "outcome": "</svg><script>alert(4)</script> onload=alert(5) javascript:alert(6) c]]>d.END"}
EOF2
"$MEDLOAD" analyze --format json "$TMP/hostile.ndjson" >"$TMP/h.json"
python3 - "$D/results.json" "$TMP/hrun" <<'PY'
import json, os, sys
run = json.load(open(sys.argv[1]))
run["stats"][0]["name"] = "');system('touch PWNED4');#`touch PWNED5`<img src=x onerror=alert(1)>"
os.makedirs(sys.argv[2], exist_ok=True)
json.dump(run, open(sys.argv[2] + "/results.json", "w"))
PY
(cd "$TMP" && "$MEDLOAD" report h.json --run hrun -o hrep -q 2>"$TMP/herr")
rc=$?
[ $rc = 0 ] && pass report-hostile-runs || fail report-hostile-runs "exit $rc: $(cat "$TMP/herr")"
# Every chart stays inline (SVGs holding "javascript:" or " onload=" in a
# label were once dropped from the page while the command said "6 charts").
grep -qx 'medload: report written to hrep/ (6 charts)' "$TMP/herr" &&
    [ "$(grep -c '<svg' "$TMP/hrep/index.html")" = 6 ] &&
    pass report-hostile-charts-inline ||
    fail report-hostile-charts-inline "$(cat "$TMP/herr"); $(grep -c '<svg' "$TMP/hrep/index.html") inline SVGs"
if ls "$TMP"/PWNED* "$TMP"/hrep/PWNED* "$TMP"/hrep/charts/PWNED* >/dev/null 2>&1; then
	fail report-hostile-nothing-ran "a PWNED file exists"; else pass report-hostile-nothing-ran; fi
python3 - "$TMP/hrep" <<'PY' && pass report-hostile-escaped || fail report-hostile-escaped "see above"
import glob, sys, html.parser, xml.etree.ElementTree as ET
d = sys.argv[1]
page = open(d + "/index.html").read()
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.bad = []
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe") or any(a.startswith("on") for a, _ in attrs):
            self.bad.append(tag)
p = P(); p.feed(page)
assert not p.bad, p.bad
assert "&lt;script&gt;" in page
md = open(d + "/report.md").read()
assert "<script>" not in md and "\\|pipe" in md, "markdown"
txt = open(d + "/report.txt").read()
assert "\x1b" not in txt and "\\x1b" in txt, "text"
for f in glob.glob(d + "/charts/*.svg"):
    ET.parse(f)
for f in glob.glob(d + "/charts/*.gp"):
    s = open(f).read()
    # Names appear only inside double-quoted strings, with the
    # backtick (command substitution) and @ (macros) as octal escapes.
    assert "`" not in s and "@PWNED3" not in s, f
    if "PWNED1" in s:
        assert "\"x'; system('touch PWNED1'); '" in s, f
for f in glob.glob(d + "/charts/*.dat"):
    for line in open(f):
        assert line.count('"') % 2 == 0, (f, line)
PY

# 4. Real Chromium: the page loads without console errors (a script the
#    page's policy blocks would be one) and shows charts; the same for the
#    page of hostile names, whose charts stay inline.
chromium_shows_charts() {
	name=$1 page=$2 shot=$3
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking --disable-component-update \
	    --disable-sync --user-data-dir="$TMP/chrome" --enable-logging=stderr --v=0 \
	    --window-size=1280,2400 --screenshot="$shot" \
	    "file://$page" >/dev/null 2>"$TMP/chrome.log"
	if [ ! -s "$shot" ]; then
		fail "$name" "no screenshot: $(tail -3 "$TMP/chrome.log")"
	elif grep ':CONSOLE' "$TMP/chrome.log" >/dev/null; then
		fail "$name" "console messages: $(grep ':CONSOLE' "$TMP/chrome.log" | head -3)"
	else
		set -- $(python3 "$REPO/tests/tools/charttest.py" pixels "$shot")
		# the charts' lines and bars are the only saturated colours
		[ "${3:-0}" -gt 500 ] && pass "$name" ||
		    fail "$name" "the screenshot shows no charts ($3 coloured)"
	fi
}
if ! command -v chromium >/dev/null; then
	fail report-chromium "chromium is not installed (tools/setup-deps)"
else
	chromium_shows_charts report-chromium "$TMP/r1/index.html" "$TMP/shot.png"
	chromium_shows_charts report-chromium-hostile "$TMP/hrep/index.html" \
	    "$TMP/hshot.png"
fi

# 4b. The verdict holds the first screen (1400x900): a judged analysis
#     that failed a threshold; the DOM puts the verdict right under the
#     title, and the screenshot shows its red bar and badge (#cf222e).
zcat "$D/traces.ndjson.gz" >"$TMP/demo.ndjson"
"$MEDLOAD" analyze --format json --threshold 'p95<20' --threshold 'p99<200' \
    "$TMP/demo.ndjson" >"$TMP/judged.json" 2>/dev/null
expect_rc report-verdict 0 "$MEDLOAD" report "$TMP/judged.json" --run "$D" -o "$TMP/rv" -q
if command -v chromium >/dev/null; then
	timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$TMP/chrome" --window-size=1400,900 \
	    --screenshot="$TMP/vshot.png" "file://$TMP/rv/index.html" >/dev/null 2>&1
	timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$TMP/chrome" --dump-dom "file://$TMP/rv/index.html" \
	    >"$TMP/vdom.html" 2>/dev/null
	set -- $(python3 "$REPO/tests/tools/charttest.py" pixels "$TMP/vshot.png" cf222e)
	python3 - "$TMP/vdom.html" "$1" "$2" "$3" <<'PY' && pass report-verdict-first-screen || fail report-verdict-first-screen "see above"
import html.parser, sys
assert (sys.argv[2], sys.argv[3]) == ("1400", "900"), sys.argv[2:4]
assert int(sys.argv[4]) > 1500, ("red verdict pixels on the first screen", sys.argv[4])
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.order = []; self.text = []; self.inv = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h2", "table", "section"):
            self.order.append((tag, a.get("id", ""), a.get("class", "")))
        if a.get("id") == "verdict": self.inv = 1
    def handle_data(self, d):
        if self.inv: self.text.append(d)
    def handle_endtag(self, tag):
        if tag == "section": self.inv = 0
p = P(); p.feed(open(sys.argv[1]).read())
assert p.order[0][0] == "h1" and p.order[1] == ("section", "verdict", "verdict fail"), p.order[:3]
t = " ".join(p.text)
assert "FAIL" in t and "1 of 2 thresholds breached" in t and "p95<20" in t, t
assert "requests: 123, 0 failed" in t and "mediator.trace" in t and "multi.agent.trace" in t, t
PY
fi

# 4c. The summary printed at the end: coloured on a terminal (script(1)
#     gives it one), plain through a pipe and with NO_COLOR set.
if command -v script >/dev/null; then
	script -qec "'$MEDLOAD' report '$TMP/judged.json' --run '$D' -o '$TMP/rvt'" \
	    /dev/null >"$TMP/tty.out" 2>&1
	NO_COLOR=1 script -qec "'$MEDLOAD' report '$TMP/judged.json' --run '$D' -o '$TMP/rvt'" \
	    /dev/null >"$TMP/tty-nc.out" 2>&1
	"$MEDLOAD" report "$TMP/judged.json" --run "$D" -o "$TMP/rvt" >"$TMP/pipe.out" 2>&1
	esc=$(printf '\033')
	if grep -q "${esc}\[1;31mFAIL${esc}\[0m: 1 of 2 thresholds breached" "$TMP/tty.out" &&
	    ! grep -q "$esc" "$TMP/tty-nc.out" && ! grep -q "$esc" "$TMP/pipe.out" &&
	    grep -q '^== FAIL: 1 of 2 thresholds breached' "$TMP/pipe.out"; then
		pass report-summary-colour
	else
		fail report-summary-colour "$(od -c "$TMP/tty.out" | head -5)"
	fi
fi

# 4d. Tables people read: START groups folded into their END group (the
#     starts column holds the START count), the handler column gone when
#     it repeats the label, every row with --raw-groups; a failures table
#     of the client's errors with when each was first seen.
python3 - "$TMP/judged.json" "$TMP/rv/report.txt" "$D/results.json" "$TMP/frun" <<'PY' && pass report-tables-folded || fail report-tables-folded "see above"
import json, os, sys
an = json.load(open(sys.argv[1]))
txt = open(sys.argv[2]).read().split("== Traces")[1].split("== Thresholds")[0]
rows = [l.split() for l in txt.splitlines() if l.startswith(("mediator.trace", "multi.agent.trace"))]
starts = {(g["key"]["label"], g["key"]["outcome"].replace(".START", ".END")): g["count"]
          for g in an["groups"] if ".START" in g["key"]["outcome"]}
assert len(starts) == 6 and len(rows) == 6, (len(starts), rows)
assert "handler" not in txt.splitlines()[3], txt.splitlines()[3]
for r in rows:
    assert ".START" not in r[1], r
    assert int(r[3]) == starts[(r[0], r[1])], (r, starts)
run = json.load(open(sys.argv[3]))
s = run["stats"][13]
s["failures"] = 3
s["error_texts"] = {"HTTP 500: Internal Server Error": 2, "timeout": 1}
s["error_first_s"] = {"HTTP 500: Internal Server Error": 12.25, "timeout": 40.5}
run["total"]["failures"] = 3
os.makedirs(sys.argv[4], exist_ok=True)
json.dump(run, open(sys.argv[4] + "/results.json", "w"))
PY
expect_rc report-raw-groups 0 "$MEDLOAD" report "$TMP/judged.json" --run "$D" -o "$TMP/rraw" -q --raw-groups
[ "$(grep -c '\.START' "$TMP/rraw/report.txt")" = 6 ] && grep -q '^label  *handler  *outcome' "$TMP/rraw/report.txt" &&
    pass report-raw-groups-rows || fail report-raw-groups-rows "$(grep -c START "$TMP/rraw/report.txt") START rows"
expect_rc report-failures 0 "$MEDLOAD" report "$TMP/judged.json" --run "$TMP/frun" -o "$TMP/rf" -q
if grep -q '^  POST 022_ping_other  HTTP 500: Internal Server Error      2      12.2 s$' "$TMP/rf/report.txt" &&
    grep -q '^  POST 022_ping_other  timeout                              1      40.5 s$' "$TMP/rf/report.txt" &&
    grep -q '<td class="k wrap">HTTP 500: Internal Server Error</td><td>2</td><td>12.2 s</td>' "$TMP/rf/index.html" &&
    grep -q '| POST 022\\_ping\\_other | HTTP 500: Internal Server Error | 2 | 12.2 s |' "$TMP/rf/report.md"; then
	pass report-failures-table
else
	fail report-failures-table "$(grep -A4 '^failures' "$TMP/rf/report.txt")"
fi

# 4e. One time axis: users, latency and outcomes charts all count seconds
#     since the run's start over the run's length, mark the three load
#     steps, and leave out (and count) trace events before and after it.
python3 - "$TMP/demo.ndjson" "$D/results.json" >"$TMP/wide.ndjson" <<'PY'
import datetime, json, sys
for line in open(sys.argv[1]):
    sys.stdout.write(line)
run = json.load(open(sys.argv[2]))
t0 = datetime.datetime.strptime(run["window_start"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
for k, (dt, n) in enumerate(((-30, 5), (run["duration_s"] + 30, 3))):
    for i in range(n):
        print(json.dumps({"timestamp": t0 + dt + i * 0.1, "handler": "mediator.trace", "thread_id": "x%d%d" % (k, i),
                          "msg_id": "m%d%d" % (k, i), "traced_type": "https://didcomm.org/trust_ping/1.0/ping",
                          "ellapsed_milli": 900, "outcome": "Dispatcher.handle_message.END"}))
PY
"$MEDLOAD" analyze --format json "$TMP/wide.ndjson" >"$TMP/wide.json" 2>/dev/null
expect_rc report-time-axis 0 "$MEDLOAD" report "$TMP/wide.json" --run "$D" -o "$TMP/rt" -q
python3 - "$TMP/rt" <<'PY' && pass report-one-time-axis || fail report-one-time-axis "see above"
import glob, re, sys
d = sys.argv[1]
txt = open(d + "/report.txt").read()
assert "5 trace events before the run's start and 3 after its end are left out of the time charts." in txt, txt
for c in ("users", "latency", "outcomes"):
    gp = open("%s/charts/%s.gp" % (d, c)).read()
    assert "set xrange [0:60.000185]" in gp, (c, "xrange")
    steps = re.findall(r'set label "(step \d+: \d+ users)" at ([\d.]+),', gp)
    assert steps == [("step 1: 2 users", "0"), ("step 2: 4 users", "20"), ("step 3: 6 users", "40")], (c, steps)
xs = [float(l.split()[0]) for f in glob.glob(d + "/charts/latency-*.dat") for l in open(f) if l.strip() and not l.startswith("#")]
assert xs and min(xs) >= -0.5 and max(xs) <= 60.5, (min(xs), max(xs))
xs = [float(l.split()[0]) for f in glob.glob(d + "/charts/outcomes-*.dat") for l in open(f) if l.strip() and not l.startswith("#")]
assert min(xs) == 0 and max(xs) <= 60.5, (min(xs), max(xs))
PY

# 5. A document of another kind is refused with the schema it has (the
#    message used to read the document after freeing it and print "").
printf '{"schema": "medload.run/1", "groups": []}\n' >"$TMP/wrong.json"
expect_rc report-wrong-schema 3 "$MEDLOAD" report "$TMP/wrong.json" -o "$TMP/rw"
expect_grep report-wrong-schema-named \
    'wrong.json: not a medload.analysis/1 document (its schema is "medload.run/1")' "$TMP/err"
mkdir -p "$TMP/wrun"
printf '{"schema": "medload.analysis/1"}\n' >"$TMP/wrun/results.json"
expect_rc report-wrong-run-schema 3 "$MEDLOAD" report "$D/analysis.json" --run "$TMP/wrun" -o "$TMP/rw2"
expect_grep report-wrong-run-schema-named \
    'results.json: not a medload.run/1 document (its schema is "medload.analysis/1")' "$TMP/err"

# 6. Links planted under the names medload writes in a report folder (a
#    script, a chart data file, a gnuplot image and log, a report file and
#    the temporary name the report files once used) are replaced, never
#    written through: the 0600 files they point at keep their bytes.
P=$TMP/planted
mkdir -p "$P/charts"
n=0
for f in charts/latency.gp charts/latency-label0.dat charts/latency.png \
    charts/spectrum.svg charts/latency.log report.txt report.md.tmp; do
	n=$((n + 1))
	printf 'victim %s\n' "$n" >"$TMP/victim$n"
	chmod 0600 "$TMP/victim$n"
	ln -s "$TMP/victim$n" "$P/$f"
done
expect_rc report-planted-links 0 "$MEDLOAD" report "$D/analysis.json" -o "$P" -q
n=0 bad=""
for f in charts/latency.gp charts/latency-label0.dat charts/latency.png \
    charts/spectrum.svg charts/latency.log report.txt report.md.tmp; do
	n=$((n + 1))
	[ "$(cat "$TMP/victim$n")" = "victim $n" ] || bad="$bad $f"
	[ "$(stat -c %a "$TMP/victim$n")" = 600 ] || bad="$bad $f(mode)"
	case $f in *.tmp) continue ;; esac
	{ [ -f "$P/$f" ] && [ ! -L "$P/$f" ]; } || bad="$bad $f(not replaced)"
done
[ -z "$bad" ] && pass report-planted-links-untouched ||
    fail report-planted-links-untouched "written through:$bad"
left=$(find "$P" -name '.*' ! -name . -print)
[ -z "$left" ] && pass report-no-temporaries || fail report-no-temporaries "$left"

# 7. A folder every user may write (0777, no sticky bit) is refused with
#    the reason; the same with the sticky bit (as /tmp) is fine.
mkdir -p "$TMP/open" "$TMP/sticky"
chmod 0777 "$TMP/open"
chmod 1777 "$TMP/sticky"
expect_rc report-open-folder 3 "$MEDLOAD" report "$D/analysis.json" -o "$TMP/open" -q
expect_grep report-open-folder-says-why \
    'open: every user may write in this folder (mode 0777, no sticky bit)' "$TMP/err"
[ ! -e "$TMP/open/report.txt" ] && pass report-open-folder-empty ||
    fail report-open-folder-empty "report.txt written"
expect_rc report-sticky-folder 0 "$MEDLOAD" report "$D/analysis.json" -o "$TMP/sticky" -q

# 8. Labels gnuplot's quoting used to break (a quote first, doubled
#    quotes, a double quote, a backslash, a newline, enhanced-text and
#    macro characters, a backtick): every chart is drawn and shows each
#    label as it is, in the legends and on the axis.
CT=$REPO/tests/tools/charttest.py
python3 "$CT" traces "$TMP/q.ndjson"
"$MEDLOAD" analyze --format json -o "$TMP/q.json" "$TMP/q.ndjson"
expect_rc report-quoting 0 "$MEDLOAD" report "$TMP/q.json" -o "$TMP/q" -q
expect_grep report-quoting-all-drawn 'report written to .*q/ (4 charts)$' \
    "$TMP/err"
bad=""
for c in "latency:{} p95" "spectrum:{}" "groups:{} Dispatcher.handle.END" \
    "outcomes:{} Dispatcher.handle.END"; do
	python3 "$CT" texts "$TMP/q/charts/${c%%:*}.svg" >"$TMP/q.texts" 2>&1
	bad="$bad$(python3 "$CT" missing "$TMP/q.texts" "${c#*:}" | tr '\n' ' ')"
done
[ -z "$bad" ] && pass report-quoting-labels-shown ||
    fail report-quoting-labels-shown "not shown as they are: $bad"

# 9. Forty labels (more than the 16 data files a chart once took): every
#    chart is drawn with the 8 busiest labels one by one and one "others"
#    line: counts and rates of the rest added up, latencies the highest
#    of the rest (as the legend says).
python3 "$CT" traces "$TMP/l40.ndjson" --labels 40
"$MEDLOAD" analyze --format json -o "$TMP/l40.json" "$TMP/l40.ndjson"
expect_rc report-40-labels 0 "$MEDLOAD" report "$TMP/l40.json" -o "$TMP/l40" -q
expect_grep report-40-labels-all-drawn 'report written to .*l40/ (4 charts)$' \
    "$TMP/err"
python3 - "$TMP/l40.json" "$TMP/l40/charts" "$CT" <<'PY' >"$TMP/py" 2>&1 &&
import json, os, subprocess, sys
an, d, ct = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
top = ["lab%02d" % k for k in range(32, 40)]
rest = ["lab%02d" % k for k in range(32)]
def rows(name):
    return [list(map(float, l.split())) for l in open(os.path.join(d, name))
            if l.strip() and not l.startswith("#")]
def texts(name):
    return subprocess.run([sys.executable, ct, "texts", os.path.join(d, name)],
                          capture_output=True, text=True).stdout.splitlines()
series = {s["label"]: s["points"] for s in an["series"]["labels"]}
start = min(p["ts"] for pts in series.values() for p in pts)
others = {}
for l in rest:
    for p in series[l]:
        o = others.setdefault(p["ts"] - start, [0, 0])
        o[0] += p["count"]
        o[1] = max(o[1], p["p95"])
got = {r[0]: (r[1], r[3]) for r in rows("latency-others.dat")}
assert got == {t: tuple(v) for t, v in others.items()}, ("latency", got, others)
legend = texts("latency.svg")
for l in top:
    assert l + " p95" in legend, ("latency legend", l)
assert not any(t.startswith(tuple(rest)) for t in legend), "a quiet label shown"
assert "others (highest of 32 labels) p95" in legend, legend
spec = {s["label"]: {p["q"]: p["v"] for p in s["points"]} for s in an["spectrum"]}
want = {q: max(spec[l][q] for l in rest) for q in spec["lab00"] if q < 100}
got = {r[0]: r[2] for r in rows("spectrum-others.dat")}
assert got == want, ("spectrum", got, want)
assert "others (highest of 32 labels)" in texts("spectrum.svg")
outs = {s["label"]: s["points"] for s in an["outcomes"]["series"]}
ostart = min(p["ts"] for pts in outs.values() for p in pts)
rate = {}
for l in ["lab%02d" % k for k in range(30)]:
    for p in outs[l]:
        rate[p["ts"] - ostart] = rate.get(p["ts"] - ostart, 0) + p["count"]
got = {r[0]: r[1] for r in rows("outcomes-others.dat")}
assert got == rate, ("outcomes", got, rate)
assert "others: 30 more series added up" in texts("outcomes.svg")
PY
pass report-40-labels-others || fail report-40-labels-others "$(tail -5 "$TMP/py")"

# 10. An SVG that must be left out is said and counted: a template that
#     asks gnuplot for mouse tracking (a script and an onload handler in
#     its SVG) keeps its PNG, and the page, report.txt and stderr say the
#     SVG was left out and why (it used to vanish from the page silently).
mkdir -p "$TMP/mouse"
{ echo 'if (GPVAL_TERM eq "svg") set terminal svg mouse standalone size 1100,520'
  cat "$REPO/report-templates/chart-groups.gp.tmpl"; } >"$TMP/mouse/chart-groups.gp.tmpl"
expect_rc report-svg-left-out 0 "$MEDLOAD" report "$TMP/q.json" -o "$TMP/mo" \
    --templates "$TMP/mouse" -q
expect_grep report-svg-left-out-counted \
    'report written to .*mo/ (4 charts, 1 without SVG in index.html)$' "$TMP/err"
expect_grep report-svg-left-out-why \
    '^medload: chart: groups.svg left out: SVG byte [0-9]*: an event handler attribute (onload)$' \
    "$TMP/err"
expect_grep report-svg-left-out-page \
    'class="warn">Not shown here: groups.svg left out: SVG byte [0-9]*: an event handler attribute (onload)' \
    "$TMP/mo/index.html"
expect_grep report-svg-left-out-text '^  groups.svg left out: ' "$TMP/mo/report.txt"
[ "$(grep -c '<svg' "$TMP/mo/index.html")" = 3 ] && [ -s "$TMP/mo/charts/groups.png" ] &&
    [ ! -e "$TMP/mo/charts/groups.svg" ] && pass report-svg-left-out-files ||
    fail report-svg-left-out-files "inline SVGs, groups.png or groups.svg not as said"

# 11. A chart that fails under a relative --out: the message names the
#     gnuplot log by a path that exists from where the command ran, and
#     the log holds gnuplot's error (it once landed elsewhere).
mkdir -p "$TMP/rel/broken"
printf 'set title "{{title}}"\nplot nonsense(\n' >"$TMP/rel/broken/chart-spectrum.gp.tmpl"
(cd "$TMP/rel" && "$MEDLOAD" report "$TMP/q.json" --out out/dir \
    --templates broken -q >/dev/null 2>"$TMP/err")
log=$(sed -n 's/^chart not drawn: spectrum.png: gnuplot reported an error (see \(.*\))$/\1/p' \
    "$TMP/rel/out/dir/report.txt")
if [ -z "$log" ]; then
	fail report-relative-log "report.txt names no log: $(grep chart "$TMP/rel/out/dir/report.txt")"
elif ! (cd "$TMP/rel" && grep -q 'invalid expression' "$log"); then
	fail report-relative-log "$log: missing or without gnuplot's error"
elif ! grep -qxF "medload: chart: spectrum.png: gnuplot reported an error (see $log)" "$TMP/err"; then
	fail report-relative-log "stderr does not name $log: $(cat "$TMP/err")"
else
	pass report-relative-log
fi
# GNUPLOT given as a relative path still runs in the chart folder
mkdir -p "$TMP/rel/bin"
ln -s "$(command -v gnuplot)" "$TMP/rel/bin/gp"
(cd "$TMP/rel" && GNUPLOT=bin/gp "$MEDLOAD" report "$TMP/q.json" --out out/d2 \
    -q >/dev/null 2>"$TMP/err")
expect_grep report-relative-gnuplot 'report written to out/d2/ (4 charts)$' "$TMP/err"
