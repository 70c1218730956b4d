/* locust_csv.c: a Locust run's CSV files as a medload.run/1 document. */
#include "locust_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "csv.h"
#include "jx.h"
#include "timeutil.h"
#include "util.h"

#define LOCUST_CSV_MAX_ROWS 10000000	/* rows of one file */
#define LOCUST_CSV_MAX_NAMES 100000	/* rows of the stats file */

static const char locust_csv_note[] = "Locust's figures, timed from each "
    "request's actual start: Locust does not record when a request was "
    "due, so the latency free of coordinated omission is not known; its "
    "percentiles are rounded to about two significant digits";

/* One file being read: its header and the row read last. */
struct locust_csv_file {
	struct csv *c;
	char *path;
	char **hdr;		/* the header's names (owned) */
	size_t nhdr;
	char **f;		/* the row's fields (borrowed from c) */
	unsigned long long rows;
};

/* Closes a file; NULL members are accepted. */
static void
locust_csv_close(struct locust_csv_file *t)
{
	size_t i;

	csv_close(t->c);
	for (i = 0; i < t->nhdr; i++)
		free(t->hdr[i]);
	free(t->hdr);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

/* The column named name, or -1. */
static int
locust_csv_col(const struct locust_csv_file *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nhdr; i++)
		if (strcmp(t->hdr[i], name) == 0)
			return (int)i;
	return -1;
}

/*
 * Opens prefix+suffix and reads its header, which must name every column
 * of need (NULL-terminated). 0, or -1 with *cause.
 */
static int
locust_csv_open(struct locust_csv_file *t, const char *prefix,
    const char *suffix, const char *const *need, char **cause)
{
	char **f;
	size_t n, i;
	int rc;

	memset(t, 0, sizeof(*t));
	t->path = util_printf("%s%s", prefix, suffix);
	if (csv_open(t->path, &t->c, cause) == -1)
		return -1;
	rc = csv_next(t->c, &f, &n, cause);
	if (rc == 0)
		return util_fail(cause, "%s: empty (no header)", t->path);
	if (rc == -1)
		return -1;
	t->hdr = util_calloc(n + 1, sizeof(*t->hdr));
	for (i = 0; i < n; i++)
		t->hdr[i] = util_strdup(f[i]);
	t->nhdr = n;
	for (i = 0; need[i] != NULL; i++)
		if (locust_csv_col(t, need[i]) == -1)
			return util_fail(cause, "%s:1: not a Locust %s file: no "
			    "column \"%s\"", t->path, suffix + 1, need[i]);
	return 0;
}

/*
 * Reads the next row into t->f: 1, 0 at the end, or -1 with *cause (a
 * row whose fields are not the header's).
 */
static int
locust_csv_row(struct locust_csv_file *t, char **cause)
{
	size_t n;
	int rc = csv_next(t->c, &t->f, &n, cause);

	if (rc != 1)
		return rc;
	if (n != t->nhdr)
		return util_fail(cause, "%s:%llu: %zu fields, the header has %zu",
		    t->path, csv_line(t->c), n, t->nhdr);
	if (++t->rows > LOCUST_CSV_MAX_ROWS)
		return util_fail(cause, "%s:%llu: more than %d rows", t->path,
		    csv_line(t->c), LOCUST_CSV_MAX_ROWS);
	return 1;
}

/* The text of column name in the row (the column exists). */
static const char *
locust_csv_str(const struct locust_csv_file *t, const char *name)
{
	return t->f[locust_csv_col(t, name)];
}

/*
 * The number in column name of the row: 1 with *v, 0 for "N/A" or a
 * column the file does not have, -1 with *cause for anything but a
 * finite number >= 0.
 */
static int
locust_csv_num(const struct locust_csv_file *t, const char *name, double *v,
    char **cause)
{
	int col = locust_csv_col(t, name);
	const char *s;

	if (col == -1 || strcmp(t->f[col], "N/A") == 0)
		return 0;
	s = t->f[col];
	if (util_parse_double(s, v) == -1 || *v < 0)
		return util_fail(cause, "%s:%llu: column \"%s\": \"%s\" is not "
		    "a number", t->path, csv_line(t->c), name, s);
	return 1;
}

/* Adds member key = the number of column name (null for N/A); 0 or -1. */
static int
locust_csv_add_num(struct json_object *o, const char *key,
    const struct locust_csv_file *t, const char *name, char **cause)
{
	double v;
	int rc = locust_csv_num(t, name, &v, cause);

	if (rc == -1)
		return -1;
	json_object_object_add(o, key, rc == 1 ? json_object_new_double(v) :
	    NULL);
	return 0;
}

/* Adds member key = the whole number of column name; 0 or -1. */
static int
locust_csv_add_count(struct json_object *o, const char *key,
    const struct locust_csv_file *t, const char *name, char **cause)
{
	double v;
	int rc = locust_csv_num(t, name, &v, cause);

	if (rc == 0 || (rc == 1 && (v != floor(v) || v > 9e15)))
		return util_fail(cause, "%s:%llu: column \"%s\": \"%s\" is not "
		    "a count", t->path, csv_line(t->c), name,
		    locust_csv_str(t, name));
	if (rc == -1)
		return -1;
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
	return 0;
}

/* The latency block of a stats row (ms from the actual start). */
static struct json_object *
locust_csv_latency(const struct locust_csv_file *t, char **cause)
{
	static const char *const keys[] = { "min", "mean", "max", "p50", "p90",
	    "p95", "p99", "p99.9" };
	static const char *const cols[] = { "Min Response Time",
	    "Average Response Time", "Max Response Time",
	    "Median Response Time", "90%", "95%", "99%", "99.9%" };
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (locust_csv_add_num(o, keys[i], t, cols[i], cause) == -1) {
			json_object_put(o);
			return NULL;
		}
	return o;
}

/* One stats row as a stats object, or NULL with *cause. */
static struct json_object *
locust_csv_entry(const struct locust_csv_file *t, char **cause)
{
	struct json_object *o = json_object_new_object(), *lat;

	json_object_object_add(o, "method", json_object_new_string(
	    locust_csv_str(t, "Type")));
	json_object_object_add(o, "name", json_object_new_string(
	    locust_csv_str(t, "Name")));
	if (locust_csv_add_count(o, "count", t, "Request Count", cause) == -1 ||
	    locust_csv_add_count(o, "failures", t, "Failure Count",
	    cause) == -1 || locust_csv_add_num(o, "rps", t, "Requests/s",
	    cause) == -1 || (lat = locust_csv_latency(t, cause)) == NULL) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "latency_actual_ms", lat);
	json_object_object_add(o, "error_texts", json_object_new_object());
	return o;
}

/* Whether the row is the Aggregated one. */
static int
locust_csv_aggregated(const struct locust_csv_file *t)
{
	return strcmp(locust_csv_str(t, "Type"), "") == 0 &&
	    strcmp(locust_csv_str(t, "Name"), "Aggregated") == 0;
}

/*
 * Reads the rows of an open stats file into doc's stats; *total gets its
 * Aggregated row. 0 or -1 with *cause.
 */
static int
locust_csv_stats_rows(struct locust_csv_file *t, struct json_object *doc,
    struct json_object **total, char **cause)
{
	struct json_object *arr = jx_get(doc, "stats"), *e;
	int rc;

	while ((rc = locust_csv_row(t, cause)) == 1) {
		if (*total != NULL)
			return util_fail(cause, "%s:%llu: a row after the "
			    "Aggregated row", t->path, csv_line(t->c));
		if (jx_len(arr) == LOCUST_CSV_MAX_NAMES)
			return util_fail(cause, "%s:%llu: more than %d request "
			    "names", t->path, csv_line(t->c),
			    LOCUST_CSV_MAX_NAMES);
		if ((e = locust_csv_entry(t, cause)) == NULL)
			return -1;
		if (locust_csv_aggregated(t))
			*total = e;
		else
			json_object_array_add(arr, e);
	}
	if (rc == 0 && *total == NULL)
		return util_fail(cause, "%s:%llu: no Aggregated row (cut "
		    "short?)", t->path, csv_line(t->c));
	return rc;
}

/*
 * Reads PREFIX_stats.csv into doc's stats and total (total_requests too)
 * and, when there is one (medload's files), PREFIX_waits.csv into its
 * stats and total_waits. 0 or -1 with *cause.
 */
static int
locust_csv_stats(struct json_object *doc, const char *prefix, char **cause)
{
	static const char *const need[] = { "Type", "Name", "Request Count",
	    "Failure Count", "Median Response Time", "Average Response Time",
	    "Min Response Time", "Max Response Time", "Requests/s",
	    "Failures/s", NULL };
	struct locust_csv_file t;
	struct json_object *total = NULL, *waits = NULL;
	char *path = util_printf("%s_waits.csv", prefix);
	int rc, has_waits = access(path, F_OK) == 0;

	free(path);
	json_object_object_add(doc, "stats", json_object_new_array());
	rc = locust_csv_open(&t, prefix, "_stats.csv", need, cause);
	if (rc == 0)
		rc = locust_csv_stats_rows(&t, doc, &total, cause);
	locust_csv_close(&t);
	if (rc == 0 && has_waits) {
		rc = locust_csv_open(&t, prefix, "_waits.csv", need, cause);
		if (rc == 0)
			rc = locust_csv_stats_rows(&t, doc, &waits, cause);
		locust_csv_close(&t);
	}
	if (rc == -1) {
		json_object_put(total);
		json_object_put(waits);
		return -1;
	}
	json_object_object_add(doc, "total", total);
	json_object_object_add(doc, "total_requests", json_object_get(total));
	if (waits != NULL)
		json_object_object_add(doc, "total_waits", waits);
	return 0;
}

/* The stats object of method and name in doc, or NULL. */
static struct json_object *
locust_csv_find(struct json_object *doc, const char *method, const char *name)
{
	struct json_object *arr = jx_get(doc, "stats"), *e;
	size_t i;

	for (i = 0; i < jx_len(arr); i++) {
		e = jx_at(arr, i);
		if (strcmp(jx_str(jx_get(e, "method"), ""), method) == 0 &&
		    strcmp(jx_str(jx_get(e, "name"), ""), name) == 0)
			return e;
	}
	return NULL;
}

/* Adds one failures row to its stats object's error_texts; 0 or -1. */
static int
locust_csv_failure(struct json_object *doc, const struct locust_csv_file *t,
    char **cause)
{
	struct json_object *e, *texts, *n = json_object_new_object();
	const char *text = locust_csv_str(t, "Error");
	long long prev;

	if (locust_csv_add_count(n, "n", t, "Occurrences", cause) == -1) {
		json_object_put(n);
		return -1;
	}
	e = locust_csv_find(doc, locust_csv_str(t, "Method"),
	    locust_csv_str(t, "Name"));
	if (e == NULL) {
		json_object_put(n);
		return util_fail(cause, "%s:%llu: %s %s is not in the stats "
		    "file", t->path, csv_line(t->c), locust_csv_str(t,
		    "Method"), locust_csv_str(t, "Name"));
	}
	texts = jx_get(e, "error_texts");
	prev = jx_int(texts, text, 0);
	json_object_object_add(texts, text, json_object_new_int64(prev +
	    jx_int(n, "n", 0)));
	json_object_put(n);
	return 0;
}

/* Reads PREFIX_failures.csv into the stats' error_texts; 0 or -1. */
static int
locust_csv_failures(struct json_object *doc, const char *prefix,
    char **cause)
{
	static const char *const need[] = { "Method", "Name", "Error",
	    "Occurrences", NULL };
	struct locust_csv_file t;
	int rc = locust_csv_open(&t, prefix, "_failures.csv", need, cause);

	while (rc == 0 && (rc = locust_csv_row(&t, cause)) == 1)
		rc = locust_csv_failure(doc, &t, cause);
	locust_csv_close(&t);
	return rc;
}

/* Reads PREFIX_exceptions.csv into doc's exceptions; 0 or -1. */
static int
locust_csv_exceptions(struct json_object *doc, const char *prefix,
    char **cause)
{
	static const char *const need[] = { "Count", "Message", "Traceback",
	    "Nodes", NULL };
	static const char *const keys[] = { "message", "traceback", "nodes" };
	static const char *const cols[] = { "Message", "Traceback", "Nodes" };
	struct json_object *ex = json_object_new_object(), *l, *x;
	struct locust_csv_file t;
	int64_t total = 0;
	int rc, i;

	l = json_object_new_array();
	json_object_object_add(ex, "list", l);
	json_object_object_add(doc, "exceptions", ex);
	rc = locust_csv_open(&t, prefix, "_exceptions.csv", need, cause);
	while (rc == 0 && (rc = locust_csv_row(&t, cause)) == 1) {
		x = json_object_new_object();
		json_object_array_add(l, x);
		rc = locust_csv_add_count(x, "count", &t, "Count", cause);
		for (i = 0; rc == 0 && i < 3; i++)
			json_object_object_add(x, keys[i],
			    json_object_new_string(locust_csv_str(&t, cols[i])));
		if (rc == 0)
			json_object_object_add(x, "traceback_lines",
			    jx_lines(locust_csv_str(&t, "Traceback")));
		total += jx_int(x, "count", 0);
	}
	locust_csv_close(&t);
	json_object_object_add(ex, "count", json_object_new_int64(total));
	return rc;
}

/* One history row as a series point t seconds after the first. */
static struct json_object *
locust_csv_point(const struct locust_csv_file *t, double ts, double first,
    char **cause)
{
	static const char *const keys[] = { "rps", "fps", "p50_ms", "p95_ms",
	    "p99_ms" };
	static const char *const cols[] = { "Requests/s", "Failures/s", "50%",
	    "95%", "99%" };
	struct json_object *p = json_object_new_object();
	size_t i;
	int rc;

	json_object_object_add(p, "t", json_object_new_int64((int64_t)(ts -
	    first)));
	rc = locust_csv_add_count(p, "actual_users", t, "User Count", cause);
	for (i = 0; rc == 0 && i < 5; i++)
		rc = locust_csv_add_num(p, keys[i], t, cols[i], cause);
	if (rc == -1) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

/* Reads the Aggregated rows of one history row into series; 0 or -1. */
static int
locust_csv_history_row(const struct locust_csv_file *t,
    struct json_object *ser, double *first, double *last, char **cause)
{
	struct json_object *p;
	double ts;

	if (locust_csv_num(t, "Timestamp", &ts, cause) != 1 ||
	    ts != floor(ts) || ts > 253402300799.0)
		return util_fail(cause, "%s:%llu: column \"Timestamp\": \"%s\" "
		    "is not a time in seconds", t->path, csv_line(t->c),
		    locust_csv_str(t, "Timestamp"));
	if (*first < 0)
		*first = ts;
	if (ts < *last)
		return util_fail(cause, "%s:%llu: the time goes back", t->path,
		    csv_line(t->c));
	*last = ts;
	if (!locust_csv_aggregated(t))
		return 0;
	if ((p = locust_csv_point(t, ts, *first, cause)) == NULL)
		return -1;
	json_object_array_add(ser, p);
	return 0;
}

/* Reads PREFIX_stats_history.csv into the series and window; 0 or -1. */
static int
locust_csv_history(struct json_object *doc, const char *prefix,
    char **cause)
{
	static const char *const need[] = { "Timestamp", "User Count", "Type",
	    "Name", "Requests/s", "Failures/s", NULL };
	struct json_object *ser = json_object_new_array();
	struct locust_csv_file t;
	double first = -1, last = -1;
	char buf[TIME_BUF];
	int rc;

	json_object_object_add(doc, "series", ser);
	rc = locust_csv_open(&t, prefix, "_stats_history.csv", need, cause);
	while (rc == 0 && (rc = locust_csv_row(&t, cause)) == 1)
		rc = locust_csv_history_row(&t, ser, &first, &last, cause);
	if (rc == 0 && jx_len(ser) == 0)
		rc = util_fail(cause, "%s: no Aggregated row: the run's window "
		    "is not known", t.path);
	locust_csv_close(&t);
	if (rc == -1)
		return -1;
	/* a row stamped T was written in the second [T, T + 1) */
	json_object_object_add(doc, "window_start", json_object_new_string(
	    time_format(first, buf)));
	json_object_object_add(doc, "window_end", json_object_new_string(
	    time_format(last + 1, buf)));
	json_object_object_add(doc, "duration_s", json_object_new_double(
	    last + 1 - first));
	return 0;
}

struct json_object *
locust_csv_load(const char *prefix, char **cause)
{
	struct json_object *doc = json_object_new_object(), *src;

	json_object_object_add(doc, "schema", json_object_new_string(
	    "medload.run/1"));
	src = json_object_new_object();
	json_object_object_add(src, "kind", json_object_new_string("locust"));
	json_object_object_add(src, "prefix", json_object_new_string(prefix));
	json_object_object_add(doc, "source", src);
	json_object_object_add(doc, "latency_note", json_object_new_string(
	    locust_csv_note));
	if (locust_csv_stats(doc, prefix, cause) == -1 ||
	    locust_csv_failures(doc, prefix, cause) == -1 ||
	    locust_csv_exceptions(doc, prefix, cause) == -1 ||
	    locust_csv_history(doc, prefix, cause) == -1) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}
