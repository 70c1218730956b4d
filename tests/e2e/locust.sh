#!/bin/sh
# locust.sh: the post-mortem of a Locust run and medload's Locust CSVs.
# 1. report --locust PREFIX --traces FILE over a real Locust run and the
#    traces of its window (tests/data/locust): the request table, failures,
#    exceptions, the users chart from the history, the traces kept to the
#    run's window (or not, with --all-traces);
# 2. report --run on a folder of Locust files says to use --locust;
# 3. damaged or foreign CSV files: an error naming the file and the line;
# 4. medload's own CSV files (run --merge of two journals): Locust's
#    headers byte for byte, requests and waits apart, the full history,
#    the shards' requests merged in time order.
. "$(dirname "$0")/../lib.sh"
L=$REPO/tests/data/locust
OLD=$REPO/tests/data/acapy-0.12.0-traces.ndjson	# 2026-11-29, another day

# 1. The report of a real Locust run.
expect_rc locust-report 0 "$MEDLOAD" report --locust "$L/acapy" --traces "$L/traces.ndjson.gz" -o "$TMP/r1" -q --title "locust post-mortem"
python3 - "$TMP/r1" "$L" <<'PY' && pass locust-report-contents || fail locust-report-contents "see above"
import csv, html.parser, sys
d, src = sys.argv[1], sys.argv[2]
page = open(d + "/index.html").read()
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.svgs = 0; self.tables = 0; self.cells = []; self.td = False
    def handle_starttag(self, tag, attrs):
        self.svgs += tag == "svg"; self.tables += tag == "table"; self.td = tag in ("td", "pre")
    def handle_data(self, data):
        if self.td: self.cells.append(data)
p = P(); p.feed(page)
# run table, failures, exceptions, traces
assert p.tables == 5 and p.svgs == 6, (p.tables, p.svgs)
assert "Load run (locust <code>" in page, "heading"
assert "timed from each request&#39;s actual start" in page or "timed from each request&#x27;s actual start" in page, "latency note"
rows = list(csv.DictReader(open(src + "/acapy_stats.csv", newline="")))
for r in rows[:-1]:
    name = r["Type"] + " " + r["Name"]
    i = p.cells.index(name)
    assert p.cells[i + 1] == r["Request Count"] and p.cells[i + 2] == r["Failure Count"], (name, p.cells[i:i + 4])
    assert p.cells[i + 3] == "%.1f" % float(r["Median Response Time"]), (name, p.cells[i + 3])
    assert p.cells[i + 9] == "%.1f" % float(r["Max Response Time"]), (name, p.cells[i + 9])
fails = list(csv.DictReader(open(src + "/acapy_failures.csv", newline="")))
for f in fails:
    assert f["Error"] in p.cells, f["Error"]
ex = list(csv.DictReader(open(src + "/acapy_exceptions.csv", newline="")))
assert ex[0]["Message"] in p.cells, "exception message"
tb = ex[0]["Traceback"].rstrip("\n").split("\n")
i = p.cells.index(ex[0]["Message"])
assert p.cells[i + 1].rstrip("\n").split("\n") == tb and "locustfile.py" in tb[-3], p.cells[i + 1]
# the users chart: one point per Aggregated history row, Locust's values
hist = [r for r in csv.DictReader(open(src + "/acapy_stats_history.csv", newline="")) if r["Name"] == "Aggregated"]
pts = [l.split() for l in open(d + "/charts/users-series.dat") if not l.startswith("#")]
assert len(pts) == len(hist), (len(pts), len(hist))
t0 = int(hist[0]["Timestamp"])
for pt, h in zip(pts, hist):
    assert int(pt[0]) == int(h["Timestamp"]) - t0 and int(pt[2]) == int(h["User Count"]), (pt, h)
    assert abs(float(pt[3]) - float(h["Requests/s"])) < 1e-4 and abs(float(pt[4]) - float(h["Failures/s"])) < 1e-4
assert max(int(pt[2]) for pt in pts) == 6
PY
head -c 8 "$TMP/r1/charts/users.png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' &&
    pass locust-users-png || fail locust-users-png "no users.png"
expect_grep locust-traces-accepted '948 events accepted of 948 read' "$TMP/r1/report.txt"

# The traces are kept to the run's window: another day's are left out,
# unless --all-traces.
expect_rc locust-window 0 "$MEDLOAD" report --locust "$L/acapy" --traces "$L/traces.ndjson.gz" --traces "$OLD" -o "$TMP/r2" -q
expect_grep locust-window-filters '948 events accepted of 1224 read (0 rejected, 276 filtered out)' "$TMP/r2/report.txt"
expect_rc locust-all-traces 0 "$MEDLOAD" report --locust "$L/acapy" --traces "$L/traces.ndjson.gz" --traces "$OLD" --all-traces -o "$TMP/r3" -q
expect_grep locust-all-traces-kept '1224 events accepted of 1224 read' "$TMP/r3/report.txt"
expect_rc locust-window-none 0 "$MEDLOAD" report --locust "$L/acapy" --traces "$OLD" -o "$TMP/r4" -q
expect_grep locust-window-none-says 'no trace event accepted (276 read, 276 filtered out by the run' "$TMP/err"
# the run alone, no traces
expect_rc locust-run-alone 0 "$MEDLOAD" report --locust "$L/acapy" -o "$TMP/r5" -q
expect_grep locust-run-alone-table '| POST 021\\_ping\\_mediator | 67 | 0 | 14.0 |' "$TMP/r5/report.md"
# medload's own run, its traces analyzed here for its window
D=$REPO/tests/data/run-demo
expect_rc run-traces 0 "$MEDLOAD" report --run "$D" --traces "$D/traces.ndjson.gz" --traces "$L/traces.ndjson.gz" -o "$TMP/r6" -q
accepted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"]["accepted"])' "$D/analysis.json")
expect_grep run-traces-window "$accepted events accepted of" "$TMP/r6/report.txt"
expect_rc report-usage-both 2 "$MEDLOAD" report "$D/analysis.json" --traces "$OLD" -o "$TMP/r7"
expect_grep report-usage-both-says 'ANALYSIS.json is the traces' "$TMP/err"
expect_rc report-usage-run-locust 2 "$MEDLOAD" report --run "$D" --locust "$L/acapy" -o "$TMP/r7"
expect_rc report-usage-index 2 "$MEDLOAD" report --locust "$L/acapy" --index 'x-*' -o "$TMP/r7"

# 2. --run on Locust's files.
expect_rc locust-run-dir 2 "$MEDLOAD" report --run "$L" -o "$TMP/r8"
expect_grep locust-run-dir-hint "has no results.json: it is not a run directory of medload run, but it holds Locust's CSV files (acapy_stats.csv); use --locust $L/acapy" "$TMP/err"
mkdir -p "$TMP/empty"
expect_rc run-dir-empty 3 "$MEDLOAD" report --run "$TMP/empty" -o "$TMP/r8"
expect_grep run-dir-empty-says 'results.json' "$TMP/err"

# 3. Damaged and foreign files: the message names the file and the line.
bad() {	# bad NAME FILE-SUFFIX MESSAGE: $B_EDIT breaks the file $B_FILE
	b_name=$1 b_suffix=$2 b_want=$3
	rm -rf "$TMP/bad"
	mkdir -p "$TMP/bad"
	cp "$L"/acapy_*.csv "$TMP/bad/"
	B_FILE="$TMP/bad/acapy$b_suffix" sh -c "$B_EDIT"
	expect_rc "locust-bad-$b_name" 3 "$MEDLOAD" report --locust "$TMP/bad/acapy" -o "$TMP/rb" -q
	expect_grep "locust-bad-$b_name-says" "$TMP/bad/$b_want" "$TMP/err"
}
B_EDIT='head -c 12000 "$B_FILE" >"$B_FILE.t" && mv "$B_FILE.t" "$B_FILE"'
bad history-cut _stats_history.csv "acapy_stats_history.csv:74: the last line has no line end (cut short?)"
B_EDIT='head -c 300 "$B_FILE" >"$B_FILE.t" && mv "$B_FILE.t" "$B_FILE"'
bad exceptions-cut _exceptions.csv "acapy_exceptions.csv:4: the file ends inside the quoted field begun on line 2 (cut short?)"
B_EDIT='head -n 4 "$B_FILE" >"$B_FILE.t" && mv "$B_FILE.t" "$B_FILE"'
bad stats-no-total _stats.csv "acapy_stats.csv:5: no Aggregated row (cut short?)"
B_EDIT='cp "${B_FILE%_stats.csv}_failures.csv" "$B_FILE"'
bad stats-other-shape _stats.csv 'acapy_stats.csv:1: not a Locust stats.csv file: no column "Type"'
B_EDIT='sed -i "4s/,76,0,/,76,0,x,/" "$B_FILE"'
bad stats-fields _stats.csv "acapy_stats.csv:4: 23 fields, the header has 22"
B_EDIT='sed -i "4s/,76,0,/,seventy-six,0,/" "$B_FILE"'
bad stats-number _stats.csv 'acapy_stats.csv:4: column "Request Count": "seventy-six" is not a number'
B_EDIT='sed -i "s/^GET,013_connection_fetch,/GET,014_other,/" "$B_FILE"'
bad failures-unknown _failures.csv "acapy_failures.csv:2: GET 014_other is not in the stats file"
B_EDIT='rm "$B_FILE"'
bad exceptions-missing _exceptions.csv "acapy_exceptions.csv: No such file or directory"

# 4. medload's CSV files: two shards' journals merged.
T=1796188646
j1="$TMP/j/s1" j2="$TMP/j/s2"
mkdir -p "$j1" "$j2"
us() { echo "$(($1 * 1000000 + $2 * 1000))"; }	# us SECOND MS
row() {	# row AT_MS DUR_MS METHOD NAME KIND ERROR BYTES
	s=$(us $T "$1") e=$(us $T $(($1 + $2)))
	printf 'R\t%s\t%s\t%s\t%s\t%s\tu1\t%s\t%s\t%s\t-\t%s\n' "$s" "$s" "$e" "$3" "$4" \
		"$([ "$5" = ok ] && echo 200 || echo 0)" "$5" "$6" "$7"
}
{
	printf '# medload.journal/1 run_id=e2e-csv shard=1/2 start_us=%s\n' "$(us $T 0)"
	printf 'U\t%s\t2\t2\n' "$(us $T 0)"
	row 100 10 GET 002_connections_list ok - 100
	row 200 300 WAIT 004_mediation_granted ok - 0
	row 8100 10 GET 002_connections_list ok - 100
	row 8200 5 POST 021_ping_mediator connection "connection: Couldn't connect to server" 0
} >"$j1/journal.tsv"
{
	printf '# medload.journal/1 run_id=e2e-csv shard=2/2 start_us=%s\n' "$(us $T 0)"
	printf 'U\t%s\t2\t1\n' "$(us $T 0)"
	row 300 30 GET 002_connections_list ok - 100
	row 400 2000 WAIT 004_mediation_granted timeout "timeout: mediation not granted" 0
	row 8300 1 POST 021_ping_mediator other "could not start a transfer" 0
} >"$j2/journal.tsv"
expect_rc csv-merge 0 "$MEDLOAD" run --merge --out-dir "$TMP/m" "$j1" "$j2"
M=$TMP/m/e2e-csv
for f in stats stats_history failures exceptions; do
	if cmp -s "$L/acapy_${f}.csv" "$M/medload_${f}.csv" -n "$(head -n 1 "$L/acapy_${f}.csv" | wc -c)"; then
		pass "csv-header-$f"
	else
		fail "csv-header-$f" "$(head -n 1 "$M/medload_${f}.csv" | od -c | head -n 4)"
	fi
done
cmp -s "$L/acapy_stats.csv" "$M/medload_waits.csv" -n "$(head -n 1 "$L/acapy_stats.csv" | wc -c)" &&
    pass csv-header-waits || fail csv-header-waits "$(head -n 1 "$M/medload_waits.csv")"
python3 - "$M" <<'PY' && pass csv-merge-contents || fail csv-merge-contents "see above"
import csv, json, sys
d = sys.argv[1]
def rows(name):
    raw = open(d + "/medload_" + name + ".csv", "rb").read()
    assert raw.count(b"\r\n") >= raw.count(b"\n") - raw.count(b"\n\n"), name + ": not CR LF"
    return list(csv.DictReader(open(d + "/medload_" + name + ".csv", newline="")))
res = json.load(open(d + "/results.json"))
st, wt = rows("stats"), rows("waits")
assert [r["Type"] for r in st] == ["GET", "POST", ""] and st[-1]["Name"] == "Aggregated", st
assert [r["Type"] for r in wt] == ["WAIT", ""], wt
for tbl, tot in ((st, res["total_requests"]), (wt, res["total_waits"])):
    assert sum(int(r["Request Count"]) for r in tbl[:-1]) == int(tbl[-1]["Request Count"]) == tot["count"]
    assert sum(int(r["Failure Count"]) for r in tbl[:-1]) == int(tbl[-1]["Failure Count"]) == tot["failures"]
assert res["total"]["count"] == 7 and res["total_requests"]["count"] == 5 and res["total_waits"]["count"] == 2
ex = rows("exceptions")
msgs = sorted((r["Message"], r["Count"], r["Traceback"], r["Nodes"]) for r in ex)
assert msgs == [("connection: Couldn't connect to server", "1", "POST 021_ping_mediator: 1", "shard 1"),
                ("could not start a transfer", "1", "POST 021_ping_mediator: 1", "shard 2")], msgs
assert res["exceptions"]["count"] == 2
h = rows("stats_history")
sec0 = [r for r in h if r["Timestamp"] == "1796188647"]
assert [(r["Type"], r["Name"]) for r in sec0] == [("GET", "002_connections_list"), ("", "Aggregated")], sec0
# both shards' requests of second 0 are in its percentiles: the journals
# are replayed in time order (one after the other, second 8 of shard 1
# would close second 0 before shard 2's request of second 0 came)
assert sec0[0]["Requests/s"] == "2.000000" and sec0[0]["50%"] == "10" and sec0[0]["100%"] == "30", sec0[0]
assert sec0[0]["User Count"] == "3"
sec8 = [r for r in h if r["Timestamp"] == "1796188655"]
assert [(r["Type"], r["Name"]) for r in sec8] == [("GET", "002_connections_list"), ("POST", "021_ping_mediator"), ("", "Aggregated")], sec8
assert sec8[2]["Total Request Count"] == "5" and sec8[2]["Total Failure Count"] == "2", sec8[2]
assert sec8[0]["Total Request Count"] == "3" and sec8[0]["Total Median Response Time"] == "10", sec8[0]
assert sec8[1]["Requests/s"] == "2.000000" and sec8[1]["Failures/s"] == "2.000000", sec8[1]
# a name before its first request has no row; after it, one every second
sec3 = [(r["Name"], r["Requests/s"], r["50%"]) for r in h if r["Timestamp"] == "1796188650"]
assert sec3 == [("002_connections_list", "0.000000", "N/A"), ("Aggregated", "0.000000", "N/A")], sec3
assert len(h) == 8 * 2 + 3, len(h)
f = rows("failures")
assert ("WAIT", "004_mediation_granted", "timeout: mediation not granted", "1") in [(r["Method"], r["Name"], r["Error"], r["Occurrences"]) for r in f], f
assert all(r["First Seen"].endswith("Z") for r in f)
PY
# medload's files read back as Locust's: the same counts
expect_rc csv-read-back 0 "$MEDLOAD" report --locust "$M/medload" -o "$TMP/rm" -q
expect_grep csv-read-back-total '5 requests, 2 failed' "$TMP/rm/report.txt"
