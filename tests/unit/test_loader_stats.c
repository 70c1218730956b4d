/* test_loader_stats.c: Locust CSV escaping, counts, percentiles, series. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check.h"
#include "stats.h"

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
}

/* One record. */
static void
rec(struct stats *st, const char *m, const char *n, int64_t sched,
    int64_t start, int64_t end, enum stats_err err, const char *e)
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
	stats_record(st, &r);
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

static void
test_csv_files(void)
{
	const int64_t t0 = 1700000000000000LL;
	struct stats *st = stats_new(t0);
	char dir[] = "/tmp/medload-csv-XXXXXX", prefix[64], path[96];
	char line[1024];
	char *cause = NULL;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	rec(st, "POST", "a,b", t0, t0, t0 + 2000, STATS_ERR_HTTP,
	    "HTTP 500, \"oops\"");
	stats_set_end(st, t0 + 1000000);
	snprintf(prefix, sizeof(prefix), "%s/x", dir);
	CHECK(stats_write_csv(st, prefix, FILES_OWN, &cause) == 0);
	snprintf(path, sizeof(path), "%s/x_failures.csv", dir);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK(fgets(line, sizeof(line), f) != NULL);
		CHECK_STR(line, "Method,Name,Error,Occurrences\n");
		CHECK(fgets(line, sizeof(line), f) != NULL);
		CHECK_STR(line, "POST,\"a,b\",\"HTTP 500, \"\"oops\"\"\",1\n");
		fclose(f);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/x_stats.csv", dir);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK(fgets(line, sizeof(line), f) != NULL);
		CHECK(fgets(line, sizeof(line), f) != NULL);
		CHECK_STR(line, "POST,\"a,b\",1,1,2,2,2,2,0,1,1,2,2,2,2,2,2,2,2,"
		    "2,2,2\n");
		fclose(f);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/x_stats_history.csv", dir);
	unlink(path);
	rmdir(dir);
	free(cause);
	stats_free(st);
}

int
main(void)
{
	RUN(test_csv_escaping);
	RUN(test_counts_and_json);
	RUN(test_csv_files);
	return CHECK_EXIT();
}
