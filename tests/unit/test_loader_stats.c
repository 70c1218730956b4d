/* test_loader_stats.c: Locust CSV escaping, counts, percentiles, series. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check.h"
#include "journal.h"
#include "jx.h"
#include "shape.h"
#include "stats.h"
#include "stats_csv.h"

/* CSV field as text (caller frees). */
static char *
csv(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	stats_csv_field(f, s);
	fclose(f);
	return buf;
}

static void
test_csv_escaping(void)
{
	char *s;

	s = csv("plain name");
	CHECK_STR(s, "plain name");
	free(s);
	s = csv("a,b");
	CHECK_STR(s, "\"a,b\"");
	free(s);
	s = csv("say \"hi\"");
	CHECK_STR(s, "\"say \"\"hi\"\"\"");
	free(s);
	s = csv("two\nlines");
	CHECK_STR(s, "\"two\nlines\"");
	free(s);
	s = csv("");
	CHECK_STR(s, "");
	free(s);
	/* An answer's escape sequence is shown, never sent to a terminal. */
	s = csv("x\x1b[2J\"}\r\nnext");
	CHECK_STR(s, "\"x\\x1b[2J\"\"}\\x0d\nnext\"");
	free(s);
}

/*
 * A journal line keeps an answer's text on one line and one field, its
 * escape sequences shown, never sent to a terminal that prints the file.
 */
static void
test_journal_text(void)
{
	char path[] = "/tmp/medload-journal-XXXXXX", *cause = NULL, *text;
	struct journal *j = NULL;
	struct stats_rec r;
	FILE *f;
	size_t n;
	int fd = mkstemp(path), lines = 0;

	CHECK(fd != -1);
	close(fd);
	unlink(path);
	CHECK(journal_open(path, "r", 0, 1, 1, &j, &cause) == 0);
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.name = "002_connections_list";
	r.tenant = "t\x1b]0;x\x07";
	r.status = 200;
	r.err = STATS_ERR_OTHER;
	r.error = "state \"x\x1b[2J\"}\tnext\nline";
	r.detail = "\x9b" "31m";
	journal_request(j, &r);
	CHECK(journal_close(j, &cause) == 0);
	f = fopen(path, "r");
	CHECK(f != NULL);
	text = calloc(1, 4096);
	n = fread(text, 1, 4095, f);
	fclose(f);
	unlink(path);
	CHECK(n > 0 && memchr(text, 0x1b, n) == NULL);
	CHECK(strstr(text, "\\x1b[2J") != NULL);
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	CHECK(lines == 2);	/* the header and one request line */
	CHECK(strstr(text, "\x9b") == NULL);
	free(text);
	free(cause);
}

/* One record. */
static void
rec_on(struct stats *st, const char *m, const char *n, int64_t sched,
    int64_t start, int64_t end, enum stats_err err, const char *e,
    unsigned shard)
{
	struct stats_rec r;

	memset(&r, 0, sizeof(r));
	r.method = m;
	r.name = n;
	r.tenant = "t";
	r.sched_us = sched;
	r.start_us = start;
	r.end_us = end;
	r.status = err == STATS_OK ? 200 : 400;
	r.err = err;
	r.error = e;
	r.shard = shard;
	stats_record(st, &r);
}

/* The same from shard 0. */
static void
rec(struct stats *st, const char *m, const char *n, int64_t sched,
    int64_t start, int64_t end, enum stats_err err, const char *e)
{
	rec_on(st, m, n, sched, start, end, err, e, 0);
}

static void
test_counts_and_json(void)
{
	const int64_t t0 = 1700000000000000LL;
	struct stats *st = stats_new(t0);
	struct json_object *doc, *a, *e, *v, *ser;
	int i;

	/* 100 requests of 1..100 ms from the actual start, each started
	 * 5 ms after it was scheduled */
	for (i = 1; i <= 100; i++)
		rec(st, "POST", "021_ping_mediator", t0 + i * 10000 - 5000,
		    t0 + i * 10000, t0 + i * 10000 + i * 1000,
		    i % 10 == 0 ? STATS_ERR_HTTP : STATS_OK,
		    i % 10 == 0 ? "HTTP 400" : NULL);
	rec(st, "WAIT", "004_mediation_granted", t0, t0, t0 + 250000,
	    STATS_OK, NULL);
	stats_users(st, t0 + 500000, 10, 7, 0);
	stats_users(st, t0 + 1500000, 20, 12, 0);
	stats_set_end(st, t0 + 2000000);
	/* a wait counts in the total like a request (its failure would too) */
	CHECK(stats_count(st) == 101);
	CHECK(stats_failures(st) == 10);
	doc = stats_json(st, NULL);
	CHECK(json_object_object_get_ex(doc, "stats", &a));
	CHECK(json_object_array_length(a) == 2);
	e = json_object_array_get_idx(a, 0);	/* sorted by name */
	CHECK_STR(json_object_get_string(json_object_object_get(e, "name")),
	    "004_mediation_granted");
	e = json_object_array_get_idx(a, 1);
	CHECK(json_object_get_int(json_object_object_get(e, "count")) == 100);
	CHECK(json_object_get_int(json_object_object_get(e,
	    "failures")) == 10);
	v = json_object_object_get(e, "latency_actual_ms");
	CHECK_NUM(json_object_get_double(json_object_object_get(v, "p50")),
	    50, 0);
	CHECK_NUM(json_object_get_double(json_object_object_get(v, "p99")),
	    99, 0);
	v = json_object_object_get(e, "latency_intended_ms");
	CHECK_NUM(json_object_get_double(json_object_object_get(v, "p50")),
	    55, 0);
	CHECK_NUM(json_object_get_double(json_object_object_get(v, "max")),
	    105, 0);
	v = json_object_object_get(json_object_object_get(e, "errors"),
	    "http");
	CHECK(json_object_get_int(v) == 10);
	CHECK(json_object_object_get_ex(doc, "series", &ser));
	CHECK(json_object_array_length(ser) == 2);
	e = json_object_array_get_idx(ser, 1);
	CHECK(json_object_get_int(json_object_object_get(e,
	    "target_users")) == 20);
	CHECK(json_object_get_int(json_object_object_get(e,
	    "actual_users")) == 12);
	/* requests ending in second 0: i*10+i ms < 1000 -> i <= 90, and
	 * the wait */
	e = json_object_array_get_idx(ser, 0);
	CHECK(json_object_get_int(json_object_object_get(e, "rps")) == 91);
	json_object_put(doc);
	stats_free(st);
}

/*
 * The end table's failures name each request's most frequent reason,
 * escaped (it may quote a server), the earlier of two as frequent.
 */
static void
test_table_reasons(void)
{
	const int64_t t0 = 1700000000000000LL;
	struct stats *st = stats_new(t0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	rec(st, "WS", "120_edge_session", t0, t0, t0 + 1000,
	    STATS_ERR_CONNECTION, "session: connect: Connection refused");
	rec(st, "WS", "120_edge_session", t0 + 1, t0 + 2, t0 + 1000,
	    STATS_ERR_CONNECTION, "session: TLS: \x1b[2J");
	rec(st, "WS", "120_edge_session", t0 + 3, t0 + 4, t0 + 1000,
	    STATS_ERR_CONNECTION, "session: TLS: \x1b[2J");
	rec(st, "POST", "100_edge_connect", t0 + 9, t0 + 9, t0 + 2000,
	    STATS_ERR_HTTP, "HTTP 502");
	rec(st, "POST", "100_edge_connect", t0, t0, t0 + 1000, STATS_ERR_HTTP,
	    "HTTP 500");
	rec(st, "POST", "101_edge_mediate", t0, t0, t0 + 1000, STATS_OK,
	    NULL);
	stats_set_end(st, t0 + 2000000);
	stats_print_table(st, 0, f);
	fclose(f);
	CHECK(strstr(buf, "\nFailures by kind:\n"
	    "  POST 100_edge_connect: http 2\n"
	    "    most often (1): HTTP 500\n"
	    "  WS 120_edge_session: connection 3\n"
	    "    most often (2): session: TLS: \\x1b[2J\n") != NULL);
	CHECK(strchr(buf, 0x1b) == NULL);
	free(buf);
	stats_free(st);
}

/* The whole of prefix+suffix (caller frees), then removes it. */
static char *
slurp(const char *prefix, const char *suffix)
{
	char path[160], *buf = NULL;
	size_t len = 0;
	FILE *f, *out = open_memstream(&buf, &len);
	int c;

	snprintf(path, sizeof(path), "%s%s", prefix, suffix);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f != NULL && (c = getc(f)) != EOF)
		putc(c, out);
	if (f != NULL)
		fclose(f);
	fclose(out);
	unlink(path);
	return buf;
}

/* Checks that prefix+suffix holds exactly want. */
#define FILE_IS(prefix, suffix, want) do {				\
		char *got_ = slurp((prefix), (suffix));			\
		CHECK_STR(got_, (want));				\
		free(got_);						\
	} while (0)

#define T0 1700000000000000LL

/* One record with its bytes. */
static void
rec_bytes(struct stats *st, const char *m, const char *n, int64_t at,
    int64_t ms, enum stats_err err, const char *e, uint64_t bytes)
{
	struct stats_rec r;

	memset(&r, 0, sizeof(r));
	r.method = m;
	r.name = n;
	r.tenant = "t";
	r.sched_us = r.start_us = at;
	r.end_us = at + ms * 1000;
	r.status = err == STATS_OK ? 200 : 0;
	r.err = err;
	r.error = e;
	r.bytes = bytes;
	stats_record(st, &r);
}

#define STATS_HDR "Type,Name,Request Count,Failure Count,Median Response " \
    "Time,Average Response Time,Min Response Time,Max Response Time," \
    "Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%," \
    "98%,99%,99.9%,99.99%,100%\r\n"

static void
test_csv_files(void)
{
	struct stats *st = stats_new(T0);
	char dir[] = "/tmp/medload-csv-XXXXXX", prefix[64];
	char *cause = NULL;

	CHECK(mkdtemp(dir) != NULL);
	rec_bytes(st, "POST", "a,b", T0, 2, STATS_ERR_HTTP,
	    "HTTP 500, \"oops\"", 0);
	rec_bytes(st, "GET", "list", T0 + 100000, 10, STATS_OK, NULL, 100);
	rec_bytes(st, "GET", "list", T0 + 200000, 20, STATS_OK, NULL, 100);
	rec_bytes(st, "WAIT", "w", T0, 250, STATS_OK, NULL, 0);
	rec_bytes(st, "GET", "list", T0 + 2000000, 40, STATS_OK, NULL, 100);
	rec_bytes(st, "GET", "list", T0 + 2500000, 1, STATS_ERR_CONNECTION,
	    "connection: Couldn't connect to server", 0);
	stats_set_end(st, T0 + 3000000);
	snprintf(prefix, sizeof(prefix), "%s/x", dir);
	CHECK(stats_csv_write(st, prefix, FILES_OWN, &cause) == 0);
	/* the requests only; Aggregated sums exactly these rows */
	FILE_IS(prefix, "_stats.csv", STATS_HDR
	    "POST,\"a,b\",1,1,2,2,2,2,0,0.333333,0.333333,2,2,2,2,2,2,2,2,2,2,2"
	    "\r\n"
	    "GET,list,4,1,10,17.75,1,40,75,1.333333,0.333333,10,20,20,40,40,40,"
	    "40,40,40,40,40\r\n"
	    ",Aggregated,5,2,10,14.6,1,40,60,1.666667,0.666667,10,20,20,20,40,"
	    "40,40,40,40,40,40\r\n");
	FILE_IS(prefix, "_waits.csv", STATS_HDR
	    "WAIT,w,1,0,250,250,250,250,0,0.333333,0,250,250,250,250,250,250,"
	    "250,250,250,250,250\r\n"
	    ",Aggregated,1,0,250,250,250,250,0,0.333333,0,250,250,250,250,250,"
	    "250,250,250,250,250,250\r\n");
	FILE_IS(prefix, "_failures.csv", "Method,Name,Error,Occurrences,First "
	    "Seen,Last Seen\r\n"
	    "POST,\"a,b\",\"HTTP 500, \"\"oops\"\"\",1,2023-11-14T22:13:20Z,"
	    "2023-11-14T22:13:20Z\r\n"
	    "GET,list,connection: Couldn't connect to server,1,"
	    "2023-11-14T22:13:22Z,2023-11-14T22:13:22Z\r\n");
	FILE_IS(prefix, "_exceptions.csv", "Count,Message,Traceback,Nodes\r\n"
	    "1,connection: Couldn't connect to server,GET list: 1,local\r\n");
	FILE_IS(prefix, "_stats_history.csv", "Timestamp,User Count,Type,Name,"
	    "Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
	    "99.99%,100%,Total Request Count,Total Failure Count,Total Median "
	    "Response Time,Total Average Response Time,Total Min Response Time,"
	    "Total Max Response Time,Total Average Content Size\r\n"
	    "1700000001,0,POST,\"a,b\",1.000000,1.000000,2,2,2,2,2,2,2,2,2,2,2,"
	    "1,1,2,2,2,2,0\r\n"
	    "1700000001,0,GET,list,2.000000,0.000000,10,20,20,20,20,20,20,20,"
	    "20,20,20,2,0,10,15,10,20,100\r\n"
	    "1700000001,0,,Aggregated,3.000000,1.000000,10,10,20,20,20,20,20,"
	    "20,20,20,20,3,1,10,10.667,2,20,66.67\r\n"
	    "1700000002,0,POST,\"a,b\",0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,"
	    "N/A,N/A,N/A,N/A,N/A,N/A,1,1,2,2,2,2,0\r\n"
	    "1700000002,0,GET,list,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,"
	    "N/A,N/A,N/A,N/A,N/A,2,0,10,15,10,20,100\r\n"
	    "1700000002,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,"
	    "N/A,N/A,N/A,N/A,N/A,N/A,3,1,10,10.667,2,20,66.67\r\n"
	    "1700000003,0,POST,\"a,b\",0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,"
	    "N/A,N/A,N/A,N/A,N/A,N/A,1,1,2,2,2,2,0\r\n"
	    "1700000003,0,GET,list,2.000000,1.000000,1,40,40,40,40,40,40,40,40,"
	    "40,40,4,1,10,17.75,1,40,75\r\n"
	    "1700000003,0,,Aggregated,2.000000,1.000000,1,40,40,40,40,40,40,40,"
	    "40,40,40,5,2,10,14.6,1,40,60\r\n");
	rmdir(dir);
	free(cause);
	stats_free(st);
}

/* The history row of second sec (0-based) for name, from the file. */
static char *
history_row(const char *text, int sec, const char *name)
{
	char key[64];
	const char *p, *e;

	snprintf(key, sizeof(key), "\n%lld,0,%s", 1700000000LL + sec + 1,
	    name);
	p = strstr(text, key);
	if (p == NULL)
		return NULL;
	e = strstr(p + 1, "\r\n");
	return strndup(p + 1, (size_t)(e - p - 1));
}

/* Checks the history row of second sec. */
#define ROW_IS(text, sec, name, want) do {				\
		char *got_ = history_row((text), (sec), (name));	\
		CHECK_STR(got_, (want));				\
		free(got_);						\
	} while (0)

static void
test_history_late(void)
{
	struct stats *st = stats_new(T0);
	char dir[] = "/tmp/medload-csv-XXXXXX", prefix[64], *h, *cause = NULL;
	const char *sfx[] = { "_stats.csv", "_waits.csv", "_failures.csv",
	    "_exceptions.csv" };
	size_t i;

	CHECK(mkdtemp(dir) != NULL);
	rec_bytes(st, "GET", "a", T0, 5, STATS_OK, NULL, 0);
	rec_bytes(st, "GET", "a", T0 + 8000000, 6, STATS_OK, NULL, 0);
	/* second 0 closed when second 8 came: counted, not in percentiles */
	rec_bytes(st, "GET", "a", T0 + 100000, 50, STATS_OK, NULL, 0);
	rec_bytes(st, "GET", "a", T0 + 9000000, 7, STATS_OK, NULL, 0);
	rec_bytes(st, "GET", "a", T0 + 13000000, 8, STATS_OK, NULL, 0);
	/*
	 * second 5 had nothing and 9 is closed: a tick of its own; the
	 * totals' median, mean, min, max are those recorded by then (every
	 * second closed, 9 included), the counts exact
	 */
	rec_bytes(st, "GET", "a", T0 + 5000000, 30, STATS_ERR_HTTP, "HTTP 500",
	    0);
	stats_set_end(st, T0 + 14000000);
	snprintf(prefix, sizeof(prefix), "%s/x", dir);
	CHECK(stats_csv_write(st, prefix, FILES_OWN, &cause) == 0);
	h = slurp(prefix, "_stats_history.csv");
	ROW_IS(h, 0, "GET,a", "1700000001,0,GET,a,2.000000,0.000000,5,5,5,5,5,"
	    "5,5,5,5,5,5,2,0,5,5,5,5,0");
	ROW_IS(h, 5, "GET,a", "1700000006,0,GET,a,1.000000,1.000000,30,30,30,"
	    "30,30,30,30,30,30,30,30,3,1,7,19.6,5,50,0");
	/*
	 * closed before second 5's late request came; the totals' median is
	 * its bucket's middle to three digits (6 ms: 6.0075 in 6000..6015)
	 */
	ROW_IS(h, 8, "GET,a", "1700000009,0,GET,a,1.000000,0.000000,6,6,6,6,6,"
	    "6,6,6,6,6,6,4,1,6.01,20.333,5,50,0");
	/* 13 was still open when the files were written */
	ROW_IS(h, 13, "GET,a", "1700000014,0,GET,a,1.000000,0.000000,8,8,8,8,"
	    "8,8,8,8,8,8,8,6,1,7,17.667,5,50,0");
	ROW_IS(h, 13, ",Aggregated", "1700000014,0,,Aggregated,1.000000,"
	    "0.000000,8,8,8,8,8,8,8,8,8,8,8,6,1,7,17.667,5,50,0");
	free(h);
	for (i = 0; i < 4; i++)
		free(slurp(prefix, sfx[i]));
	rmdir(dir);
	free(cause);
	stats_free(st);
}

static void
test_json_totals(void)
{
	struct stats *st = stats_new(T0);
	struct json_object *doc, *v;

	rec_bytes(st, "GET", "a", T0, 5, STATS_OK, NULL, 0);
	rec_bytes(st, "WAIT", "w", T0, 500, STATS_ERR_TIMEOUT, "timeout", 0);
	rec_bytes(st, "POST", "b", T0, 1, STATS_ERR_OTHER,
	    "could not start a transfer", 0);
	rec_bytes(st, "GET", "a", T0, 1, STATS_ERR_OTHER,
	    "could not start a transfer", 0);
	doc = stats_json(st, NULL);
	CHECK(jx_int(doc, "total.count", -1) == 4);
	CHECK(jx_int(doc, "total.failures", -1) == 3);
	CHECK(jx_int(doc, "total_requests.count", -1) == 3);
	CHECK(jx_int(doc, "total_requests.failures", -1) == 2);
	CHECK(jx_int(doc, "total_waits.count", -1) == 1);
	CHECK(jx_int(doc, "total_waits.failures", -1) == 1);
	CHECK(jx_int(doc, "exceptions.count", -1) == 2);
	v = jx_at(jx_get(doc, "exceptions.list"), 0);
	CHECK_STR(jx_str(jx_get(v, "message"), NULL),
	    "could not start a transfer");
	CHECK_STR(jx_str(jx_get(v, "traceback"), NULL),
	    "GET a: 1\nPOST b: 1");
	CHECK_STR(jx_str(jx_get(v, "nodes"), NULL), "local");
	json_object_put(doc);
	stats_free(st);
}

/* Ends st at end_us; its results (caller puts) with two steps, *a, *b. */
static struct json_object *
two_steps(struct stats *st, int64_t end_us, struct json_object **a,
    struct json_object **b)
{
	struct json_object *doc;

	stats_set_end(st, end_us);
	doc = stats_json(st, NULL);
	CHECK(jx_len(jx_get(doc, "steps")) == 2);
	*a = jx_at(jx_get(doc, "steps"), 0);
	*b = jx_at(jx_get(doc, "steps"), 1);
	return doc;
}

/* Requests count in the step they were due in; the window cuts the last. */
static void
test_steps(void)
{
	static const struct shape_step spans[] = { { 0, 10, 5 },
		{ 10, 20, 10 } };
	struct stats *st = stats_new(T0);
	struct json_object *doc, *s1, *s2;
	int i;

	stats_set_steps(st, spans, 2);
	stats_users(st, T0 + 1000000, 5, 5, 0);
	stats_users(st, T0 + 12000000, 10, 9, 0);
	/* step 1: 20 requests of 10..29 ms, one failed */
	for (i = 0; i < 20; i++)
		rec(st, "POST", "ping", T0 + 1000000 + i * 100000,
		    T0 + 1000000 + i * 100000, T0 + 1000000 + i * 100000 +
		    (10 + i) * 1000, i == 3 ? STATS_ERR_HTTP : STATS_OK,
		    i == 3 ? "HTTP 500" : NULL);
	/* due in step 1, ended in step 2: latency from the intended start */
	rec(st, "POST", "ping", T0 + 9500000, T0 + 9600000, T0 + 10500000,
	    STATS_OK, NULL);
	rec(st, "WAIT", "ping", T0 + 11000000, T0 + 11000000, T0 + 12000000,
	    STATS_OK, NULL);
	rec(st, "GET", "list", T0 + 11000000, T0 + 11000000, T0 + 11002000,
	    STATS_OK, NULL);
	doc = two_steps(st, T0 + 15000000, &s1, &s2);
	CHECK(jx_int(s1, "users_target", 0) == 5);
	CHECK(jx_int(s1, "users_actual", 0) == 5);
	CHECK(jx_int(s2, "users_actual", 0) == 9);
	CHECK(json_object_get_boolean(jx_get(s1, "complete")));
	CHECK(!json_object_get_boolean(jx_get(s2, "complete")));
	CHECK_NUM(json_object_get_double(jx_get(s2, "end_s")), 15, 1e-9);
	CHECK(jx_int(s1, "requests", 0) == 21);
	CHECK(jx_int(s1, "failures", 0) == 1);
	CHECK_NUM(json_object_get_double(jx_get(s1, "offered_rps")), 2.1,
	    1e-9);
	/* 19 ended well in step 1; the late one and "list" in step 2 */
	CHECK_NUM(json_object_get_double(jx_get(s1, "achieved_rps")), 1.9,
	    1e-9);
	CHECK_NUM(json_object_get_double(jx_get(s2, "achieved_rps")), 0.4,
	    1e-9);
	CHECK(jx_int(s1, "client.ping.count", 0) == 21);
	CHECK_NUM(json_object_get_double(jx_get(s1, "client.ping.p50")), 20,
	    1e-9);
	CHECK_NUM(json_object_get_double(jx_get(s1, "client.ping.p99")),
	    1000, 1e-9);
	CHECK(jx_int(s2, "waits.ping.count", 0) == 1);
	CHECK(jx_int(s2, "client.list.count", 0) == 1);
	CHECK(jx_int(s2, "requests", 0) == 1);
	json_object_put(doc);
	stats_free(st);
}

/* A request of shard k due at sched, 5 ms long. */
static void
rec_shard(struct stats *st, unsigned k, int64_t sched)
{
	rec_on(st, "POST", "ping", sched, sched, sched + 5000, STATS_OK, NULL,
	    k);
}

/*
 * A merge of two shards, the second started 3 s after the first: each
 * one's requests count in the steps from its own start, users add up,
 * and a step is complete only when both shards lasted through it.
 */
static void
test_steps_aligned(void)
{
	static const struct shape_step spans[] = { { 0, 10, 4 },
		{ 10, 20, 8 } };
	struct stats *st = stats_new(T0);
	struct json_object *doc, *s1, *s2;

	stats_set_steps(st, spans, 2);
	stats_align_shard(st, 0, T0, 20);
	stats_align_shard(st, 1, T0 + 3000000, 15.5);
	stats_users(st, T0 + 1000000, 4, 2, 0);
	stats_users(st, T0 + 4000000, 4, 2, 1);
	stats_users(st, T0 + 11000000, 8, 4, 0);
	/* shard 1 at 9 s of its own: step 1, though 12 s after shard 0's */
	rec_shard(st, 1, T0 + 12000000);
	rec_shard(st, 0, T0 + 12000000);
	rec_shard(st, 0, T0 + 5000000);
	stats_users(st, T0 + 14000000, 8, 3, 1);
	doc = two_steps(st, T0 + 20000000, &s1, &s2);
	CHECK(jx_int(s1, "requests", 0) == 2);
	CHECK(jx_int(s2, "requests", 0) == 1);
	CHECK(jx_int(s1, "users_actual", 0) == 4);
	CHECK(jx_int(s2, "users_actual", 0) == 7);
	CHECK(json_object_get_boolean(jx_get(s1, "complete")));
	/* shard 1 stopped 15.5 s into its run */
	CHECK(!json_object_get_boolean(jx_get(s2, "complete")));
	CHECK_NUM(json_object_get_double(jx_get(s2, "end_s")), 15.5, 1e-9);
	json_object_put(doc);
	stats_free(st);
}

int
main(void)
{
	RUN(test_csv_escaping);
	RUN(test_steps_aligned);
	RUN(test_journal_text);
	RUN(test_counts_and_json);
	RUN(test_table_reasons);
	RUN(test_csv_files);
	RUN(test_history_late);
	RUN(test_json_totals);
	RUN(test_steps);
	return CHECK_EXIT();
}
