/* stats.c: per-name latency stats, time series and their renderings. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "files.h"
#include "hist.h"
#include "hmap.h"
#include "timeutil.h"
#include "util.h"

#define STATS_MAX_SHARDS 64
#define STATS_MAX_SECONDS (31 * 86400)

struct stats_entry {
	char *method, *name;
	struct hist *intended;	/* microseconds */
	struct hist *actual;	/* microseconds */
	uint64_t count, failures, bytes;
	uint64_t errs[STATS_ERR_COUNT];
	struct hmap *errors;	/* error text -> uint64_t * */
};

struct stats_second {
	uint64_t reqs, fails;
	struct hist *ms;	/* latency from intended, ms (float buckets) */
	uint32_t *users;	/* [shard * 2] target+1, [.. + 1] actual+1 */
};

struct stats {
	int64_t start_us, end_us;
	struct hmap *map;	/* "method\0name" -> entry */
	struct stats_entry **list;
	size_t n, alloc;
	struct stats_entry total;
	struct stats_second *secs;
	size_t nsecs;
	unsigned nshards;
};

/* Creates an entry. */
static struct stats_entry *
stats_entry_new(const char *method, const char *name)
{
	struct stats_entry *e = util_calloc(1, sizeof(*e));

	e->method = util_strdup(method);
	e->name = util_strdup(name);
	e->intended = hist_new();
	e->actual = hist_new();
	e->errors = hmap_new();
	return e;
}

/* Frees an entry's contents. */
static void
stats_entry_release(struct stats_entry *e)
{
	free(e->method);
	free(e->name);
	hist_free(e->intended);
	hist_free(e->actual);
	hmap_free(e->errors, free);
}

struct stats *
stats_new(int64_t start_us)
{
	struct stats *st = util_calloc(1, sizeof(*st));

	st->start_us = start_us;
	st->end_us = start_us;
	st->map = hmap_new();
	st->total.method = util_strdup("");
	st->total.name = util_strdup("Aggregated");
	st->total.intended = hist_new();
	st->total.actual = hist_new();
	st->total.errors = hmap_new();
	return st;
}

void
stats_free(struct stats *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		stats_entry_release(st->list[i]);
		free(st->list[i]);
	}
	free(st->list);
	hmap_free(st->map, NULL);
	stats_entry_release(&st->total);
	for (i = 0; i < st->nsecs; i++) {
		hist_free(st->secs[i].ms);
		free(st->secs[i].users);
	}
	free(st->secs);
	free(st);
}

/* The per-second slot of time t_us, grown on demand; NULL if out of range. */
static struct stats_second *
stats_sec(struct stats *st, int64_t t_us)
{
	int64_t s = (t_us - st->start_us) / 1000000;
	size_t n;

	if (t_us < st->start_us || s >= STATS_MAX_SECONDS)
		return NULL;
	if ((size_t)s >= st->nsecs) {
		n = st->nsecs ? st->nsecs : 64;
		while (n <= (size_t)s)
			n *= 2;
		st->secs = util_realloc(st->secs, n * sizeof(*st->secs));
		memset(st->secs + st->nsecs, 0,
		    (n - st->nsecs) * sizeof(*st->secs));
		st->nsecs = n;
	}
	return &st->secs[s];
}

/* Adds one sample to an entry. */
static void
stats_entry_add(struct stats_entry *e, const struct stats_rec *r)
{
	int64_t li = r->end_us - r->sched_us, la = r->end_us - r->start_us;

	e->count++;
	e->bytes += r->bytes;
	hist_record(e->intended, (double)(li > 0 ? li : 0));
	hist_record(e->actual, (double)(la > 0 ? la : 0));
	if (r->err != STATS_OK) {
		const char *text = r->error ? r->error : stats_err_name(r->err);
		uint64_t *cnt;

		e->failures++;
		e->errs[r->err]++;
		cnt = hmap_get(e->errors, text, strlen(text));
		if (cnt == NULL) {
			if (hmap_size(e->errors) >= 1000)
				text = "(other errors)";
			cnt = hmap_get(e->errors, text, strlen(text));
			if (cnt == NULL) {
				cnt = util_calloc(1, sizeof(*cnt));
				hmap_put(e->errors, text, strlen(text), cnt);
			}
		}
		(*cnt)++;
	}
}

void
stats_record(struct stats *st, const struct stats_rec *r)
{
	struct stats_entry *e;
	struct stats_second *sec;
	char key[512];
	size_t ml = strlen(r->method), nl = strlen(r->name), kl;

	/* key "method\0name", truncated to the buffer (names are short) */
	if (ml > 64)
		ml = 64;
	if (nl > sizeof(key) - 66)
		nl = sizeof(key) - 66;
	memcpy(key, r->method, ml);
	key[ml] = '\0';
	memcpy(key + ml + 1, r->name, nl);
	kl = ml + 1 + nl;
	e = hmap_get(st->map, key, kl);
	if (e == NULL) {
		e = stats_entry_new(r->method, r->name);
		hmap_put(st->map, key, kl, e);
		if (st->n == st->alloc) {
			st->alloc = st->alloc ? st->alloc * 2 : 16;
			st->list = util_realloc(st->list,
			    st->alloc * sizeof(*st->list));
		}
		st->list[st->n++] = e;
	}
	stats_entry_add(e, r);
	/* a wait that times out is a failure like any other: in the total */
	stats_entry_add(&st->total, r);
	if (r->end_us > st->end_us)
		st->end_us = r->end_us;
	sec = stats_sec(st, r->end_us);
	if (sec != NULL) {
		sec->reqs++;
		if (r->err != STATS_OK)
			sec->fails++;
		if (sec->ms == NULL)
			sec->ms = hist_new();
		hist_record(sec->ms, (double)(r->end_us - r->sched_us) /
		    1000.0);
	}
}

void
stats_users(struct stats *st, int64_t t_us, unsigned target,
    unsigned actual, unsigned shard)
{
	struct stats_second *sec = stats_sec(st, t_us);

	if (sec == NULL || shard >= STATS_MAX_SHARDS)
		return;
	if (sec->users == NULL)
		sec->users = util_calloc(2 * STATS_MAX_SHARDS,
		    sizeof(uint32_t));
	sec->users[shard * 2] = target + 1;
	sec->users[shard * 2 + 1] = actual + 1;
	if (shard + 1 > st->nshards)
		st->nshards = shard + 1;
	if (t_us > st->end_us)
		st->end_us = t_us;
}

void
stats_set_end(struct stats *st, int64_t end_us)
{
	st->end_us = end_us;
}

uint64_t
stats_count(const struct stats *st)
{
	return st->total.count;
}

uint64_t
stats_failures(const struct stats *st)
{
	return st->total.failures;
}

/* Index range of the last complete seconds before now. */
static int
stats_recent(const struct stats *st, int64_t now_us, size_t *lo, size_t *hi)
{
	int64_t s = (now_us - st->start_us) / 1000000;

	if (s < 1)
		return -1;
	*hi = (size_t)s;		/* exclusive */
	*lo = s >= 5 ? (size_t)s - 5 : 0;
	if (*hi > st->nsecs)
		*hi = st->nsecs;
	return *lo < *hi ? 0 : -1;
}

double
stats_recent_rate(const struct stats *st, int64_t now_us)
{
	size_t lo, hi, i;
	uint64_t n = 0;

	if (stats_recent(st, now_us, &lo, &hi) == -1)
		return 0;
	for (i = lo; i < hi; i++)
		n += st->secs[i].reqs;
	return (double)n / (double)(hi - lo);
}

double
stats_recent_p95(const struct stats *st, int64_t now_us)
{
	size_t lo, hi, i;
	struct hist *h;
	double q = 95, v;

	if (stats_recent(st, now_us, &lo, &hi) == -1)
		return 0;
	h = hist_new();
	for (i = lo; i < hi; i++)
		if (st->secs[i].ms != NULL)
			hist_merge(h, st->secs[i].ms);
	hist_percentiles(h, &q, 1, &v);
	hist_free(h);
	return v;
}

const char *
stats_err_name(enum stats_err e)
{
	static const char *names[] = { "ok", "http", "timeout", "connection",
	    "body", "other" };

	return (unsigned)e < STATS_ERR_COUNT ? names[e] : "?";
}

/* Entry order: by name, then method (as Locust sorts). */
static int
stats_cmp(const void *a, const void *b)
{
	const struct stats_entry *x = *(struct stats_entry *const *)a;
	const struct stats_entry *y = *(struct stats_entry *const *)b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->method, y->method);
}

/* Sorted copy of the entry list (caller frees the array only). */
static struct stats_entry **
stats_sorted(const struct stats *st)
{
	struct stats_entry **l = util_malloc((st->n + 1) * sizeof(*l));

	if (st->n > 0)
		memcpy(l, st->list, st->n * sizeof(*l));
	qsort(l, st->n, sizeof(*l), stats_cmp);
	return l;
}

/* Seconds of the window (at least a microsecond). */
static double
stats_window(const struct stats *st)
{
	double w = (double)(st->end_us - st->start_us) / 1e6;

	return w > 1e-6 ? w : 1e-6;
}

static const double stats_table_q[] = { 50, 90, 95, 99, 99.9 };

/* Prints one row of the table. */
static void
stats_table_row(const struct stats *st, const struct stats_entry *e,
    const struct hist *h, FILE *out)
{
	double p[5];
	size_t i;

	hist_percentiles(h, stats_table_q, 5, p);
	fprintf(out, "%-5s ", e->method);
	{
		struct strbuf b;

		strbuf_init(&b, 0);
		util_safe_append(&b, e->name);
		fprintf(out, "%-26s", b.data ? b.data : "");
		strbuf_release(&b);
	}
	fprintf(out, " %7llu %6llu %8.1f %8.1f %8.1f %8.1f",
	    (unsigned long long)e->count, (unsigned long long)e->failures,
	    p[0] / 1000, hist_mean(h) / 1000, hist_min(h) / 1000,
	    hist_max(h) / 1000);
	for (i = 1; i < 5; i++)
		fprintf(out, " %8.1f", p[i] / 1000);
	fprintf(out, " %7.2f\n", (double)e->count / stats_window(st));
}

/* Prints a table of every entry with histograms chosen by actual. */
static void
stats_table(const struct stats *st, int actual, FILE *out)
{
	struct stats_entry **l = stats_sorted(st);
	size_t i;

	fprintf(out, "%-5s %-26s %7s %6s %8s %8s %8s %8s %8s %8s %8s %8s "
	    "%7s\n", "Type", "Name", "# reqs", "# fail", "Med", "Avg", "Min",
	    "Max", "p90", "p95", "p99", "p99.9", "req/s");
	for (i = 0; i < st->n; i++)
		stats_table_row(st, l[i], actual ? l[i]->actual :
		    l[i]->intended, out);
	fprintf(out, "%.*s\n", 139, "-------------------------------------"
	    "---------------------------------------------------------------"
	    "------------------------------------------------------------");
	stats_table_row(st, &st->total, actual ? st->total.actual :
	    st->total.intended, out);
	free(l);
}

void
stats_print_table(const struct stats *st, FILE *out)
{
	struct stats_entry **l;
	size_t i;
	int k;

	fprintf(out, "Response times in ms from the intended start (free of "
	    "coordinated omission):\n");
	stats_table(st, 0, out);
	fprintf(out, "\nResponse times in ms from the actual start:\n");
	stats_table(st, 1, out);
	if (st->total.failures == 0)
		return;
	fprintf(out, "\nFailures by kind:\n");
	l = stats_sorted(st);
	for (i = 0; i < st->n; i++) {
		if (l[i]->failures == 0)
			continue;
		fprintf(out, "  %s ", l[i]->method);
		util_fput_safe(l[i]->name, out);
		fputc(':', out);
		for (k = 1; k < STATS_ERR_COUNT; k++)
			if (l[i]->errs[k] > 0)
				fprintf(out, " %s %llu", stats_err_name(
				    (enum stats_err)k),
				    (unsigned long long)l[i]->errs[k]);
		fputc('\n', out);
	}
	free(l);
}

void
stats_csv_field(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Locust's percentile columns. */
static const double stats_csv_q[] = { 50, 66, 75, 80, 90, 95, 98, 99, 99.9,
	99.99, 100 };
#define STATS_CSV_NQ 11
static const char stats_csv_qhdr[] =
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";

/* Writes a millisecond value. */
static void
stats_csv_ms(FILE *out, double us)
{
	char buf[32];

	fputs(util_num(round(us) / 1000.0, buf), out);
}

/* One stats.csv row. */
static void
stats_csv_row(const struct stats *st, const struct stats_entry *e, FILE *out)
{
	const struct hist *h = e->intended;
	double p[STATS_CSV_NQ], w = stats_window(st);
	char buf[32];
	size_t i;

	hist_percentiles(h, stats_csv_q, STATS_CSV_NQ, p);
	stats_csv_field(out, e->method);
	fputc(',', out);
	stats_csv_field(out, e->name);
	fprintf(out, ",%llu,%llu,", (unsigned long long)e->count,
	    (unsigned long long)e->failures);
	stats_csv_ms(out, p[0]);
	fputc(',', out);
	stats_csv_ms(out, hist_mean(h));
	fputc(',', out);
	stats_csv_ms(out, hist_min(h));
	fputc(',', out);
	stats_csv_ms(out, hist_max(h));
	fprintf(out, ",%s", util_num(e->count ? round((double)e->bytes /
	    (double)e->count * 100) / 100 : 0, buf));
	fprintf(out, ",%s", util_num(round((double)e->count / w * 1e6) / 1e6,
	    buf));
	fprintf(out, ",%s", util_num(round((double)e->failures / w * 1e6) /
	    1e6, buf));
	for (i = 0; i < STATS_CSV_NQ; i++) {
		fputc(',', out);
		if (e->count == 0)
			fputs("N/A", out);
		else
			stats_csv_ms(out, p[i]);
	}
	fputc('\n', out);
}

/* Sum of the shards' users at second i (carrying values forward). */
static void
stats_users_at(const struct stats *st, size_t upto, uint32_t *last,
    unsigned *target, unsigned *actual)
{
	unsigned s;

	*target = *actual = 0;
	if (upto < st->nsecs && st->secs[upto].users != NULL)
		for (s = 0; s < st->nshards; s++) {
			if (st->secs[upto].users[s * 2] != 0) {
				last[s * 2] = st->secs[upto].users[s * 2];
				last[s * 2 + 1] =
				    st->secs[upto].users[s * 2 + 1];
			}
		}
	for (s = 0; s < st->nshards; s++) {
		if (last[s * 2] != 0) {
			*target += last[s * 2] - 1;
			*actual += last[s * 2 + 1] - 1;
		}
	}
}

/* Number of whole or partial seconds in the window. */
static size_t
stats_nseconds(const struct stats *st)
{
	int64_t d = st->end_us - st->start_us;
	size_t n = (size_t)((d + 999999) / 1000000);

	return n < st->nsecs ? n : st->nsecs;
}

/* Writes stats.csv: one row per name, then the Aggregated row. */
static void
stats_csv_stats(const struct stats *st, struct stats_entry **l, FILE *f)
{
	size_t i;

	fprintf(f, "Type,Name,Request Count,Failure Count,Median Response "
	    "Time,Average Response Time,Min Response Time,Max Response Time,"
	    "Average Content Size,Requests/s,Failures/s,%s\n",
	    stats_csv_qhdr);
	for (i = 0; i < st->n; i++)
		stats_csv_row(st, l[i], f);
	stats_csv_row(st, &st->total, f);
}

/* Writes failures.csv: one row per name and error text. */
static void
stats_csv_failures(const struct stats *st, struct stats_entry **l, FILE *f)
{
	size_t i;

	fputs("Method,Name,Error,Occurrences\n", f);
	for (i = 0; i < st->n; i++) {
		size_t pos = 0, len;
		const void *k;
		void *v;

		while (hmap_next(l[i]->errors, &pos, &k, &len, &v)) {
			char *text = util_strndup(k, len);

			stats_csv_field(f, l[i]->method);
			fputc(',', f);
			stats_csv_field(f, l[i]->name);
			fputc(',', f);
			stats_csv_field(f, text);
			fprintf(f, ",%llu\n",
			    (unsigned long long)*(uint64_t *)v);
			free(text);
		}
	}
}

/* Writes a millisecond value rounded to the microsecond, after a comma. */
static void
stats_csv_ms3(FILE *f, double ms)
{
	char buf[32];

	fprintf(f, ",%s", util_num(round(ms * 1000) / 1000, buf));
}

/*
 * One stats_history.csv row: second i's counts and percentiles, then the
 * totals so far (run, updated here).
 */
static void
stats_csv_history_row(const struct stats *st, size_t i, unsigned actual,
    struct stats_entry *run, FILE *f)
{
	const struct stats_second *s = &st->secs[i];
	double p[STATS_CSV_NQ], tp[1], q50 = 50;
	size_t k;

	if (s->ms != NULL)
		hist_merge(run->intended, s->ms);
	run->count += s->reqs;
	run->failures += s->fails;
	if (s->ms != NULL)
		hist_percentiles(s->ms, stats_csv_q, STATS_CSV_NQ, p);
	fprintf(f, "%lld,%u,,Aggregated,%llu,%llu",
	    (long long)((st->start_us / 1000000) + (int64_t)i + 1),
	    actual, (unsigned long long)s->reqs,
	    (unsigned long long)s->fails);
	for (k = 0; k < STATS_CSV_NQ; k++) {
		if (s->ms == NULL)
			fputs(",N/A", f);
		else
			stats_csv_ms3(f, p[k]);
	}
	hist_percentiles(run->intended, &q50, 1, tp);
	fprintf(f, ",%llu,%llu", (unsigned long long)run->count,
	    (unsigned long long)run->failures);
	stats_csv_ms3(f, tp[0]);
	stats_csv_ms3(f, hist_mean(run->intended));
	stats_csv_ms3(f, hist_min(run->intended));
	stats_csv_ms3(f, hist_max(run->intended));
	fputs(",0\n", f);
}

/* Writes stats_history.csv: one Aggregated row per second. */
static void
stats_csv_history(const struct stats *st, FILE *f)
{
	uint32_t last[2 * STATS_MAX_SHARDS];
	struct stats_entry run;
	size_t i;

	fprintf(f, "Timestamp,User Count,Type,Name,Requests/s,Failures/s,%s,"
	    "Total Request Count,Total Failure Count,Total Median Response "
	    "Time,Total Average Response Time,Total Min Response Time,Total "
	    "Max Response Time,Total Average Content Size\n", stats_csv_qhdr);
	memset(last, 0, sizeof(last));
	memset(&run, 0, sizeof(run));
	run.intended = hist_new();
	for (i = 0; i < stats_nseconds(st); i++) {
		unsigned target, actual;

		stats_users_at(st, i, last, &target, &actual);
		stats_csv_history_row(st, i, actual, &run, f);
	}
	hist_free(run.intended);
}

/* Which CSV file stats_write_csv writes. */
enum stats_csv { STATS_CSV_STATS, STATS_CSV_FAILURES, STATS_CSV_HISTORY };

/* Writes prefix+suffix with the rows of file which. 0, or -1. */
static int
stats_csv_file(const struct stats *st, struct stats_entry **l,
    enum stats_csv which, const char *prefix, enum files_kind kind,
    char **cause)
{
	static const char *const suffix[] = { "_stats.csv", "_failures.csv",
	    "_stats_history.csv" };
	struct files_out o;
	char *path = util_printf("%s%s", prefix, suffix[which]);
	int rc = files_open(&o, path, kind, cause);

	free(path);
	if (rc == -1)
		return -1;
	if (which == STATS_CSV_STATS)
		stats_csv_stats(st, l, o.f);
	else if (which == STATS_CSV_FAILURES)
		stats_csv_failures(st, l, o.f);
	else
		stats_csv_history(st, o.f);
	return files_close(&o, 1, cause);
}

int
stats_write_csv(const struct stats *st, const char *prefix,
    enum files_kind kind, char **cause)
{
	struct stats_entry **l = stats_sorted(st);
	int rc = 0;

	if (stats_csv_file(st, l, STATS_CSV_STATS, prefix, kind, cause) == -1 ||
	    stats_csv_file(st, l, STATS_CSV_FAILURES, prefix, kind,
	    cause) == -1 || stats_csv_file(st, l, STATS_CSV_HISTORY, prefix,
	    kind, cause) == -1)
		rc = -1;
	free(l);
	return rc;
}

/* Latency summary of a histogram in ms. */
static struct json_object *
stats_json_lat(const struct hist *h)
{
	static const double q[] = { 50, 90, 95, 99, 99.9 };
	static const char *const names[] = { "p50", "p90", "p95", "p99",
	    "p99.9" };
	struct json_object *o = json_object_new_object();
	double p[5];
	size_t i;

	hist_percentiles(h, q, 5, p);
	json_object_object_add(o, "min", json_object_new_double(
	    hist_min(h) / 1000));
	json_object_object_add(o, "mean", json_object_new_double(
	    round(hist_mean(h)) / 1000));
	json_object_object_add(o, "max", json_object_new_double(
	    hist_max(h) / 1000));
	for (i = 0; i < 5; i++)
		json_object_object_add(o, names[i],
		    json_object_new_double(p[i] / 1000));
	return o;
}

/* One per-name stats object. */
static struct json_object *
stats_json_entry(const struct stats *st, const struct stats_entry *e)
{
	struct json_object *o = json_object_new_object(), *errs, *texts;
	size_t pos = 0, len;
	const void *k;
	void *v;
	int i;

	json_object_object_add(o, "method", json_object_new_string(
	    e->method));
	json_object_object_add(o, "name", json_object_new_string(e->name));
	json_object_object_add(o, "count", json_object_new_int64(
	    (int64_t)e->count));
	json_object_object_add(o, "failures", json_object_new_int64(
	    (int64_t)e->failures));
	json_object_object_add(o, "rps", json_object_new_double(
	    (double)e->count / stats_window(st)));
	json_object_object_add(o, "latency_intended_ms",
	    stats_json_lat(e->intended));
	json_object_object_add(o, "latency_actual_ms",
	    stats_json_lat(e->actual));
	errs = json_object_new_object();
	for (i = 1; i < STATS_ERR_COUNT; i++)
		json_object_object_add(errs, stats_err_name((enum stats_err)i),
		    json_object_new_int64((int64_t)e->errs[i]));
	json_object_object_add(o, "errors", errs);
	texts = json_object_new_object();
	while (hmap_next(e->errors, &pos, &k, &len, &v)) {
		char *t = util_strndup(k, len);

		json_object_object_add(texts, t, json_object_new_int64(
		    (int64_t) * (uint64_t *)v));
		free(t);
	}
	json_object_object_add(o, "error_texts", texts);
	return o;
}

struct json_object *
stats_json(const struct stats *st, struct json_object *meta)
{
	struct json_object *doc = json_object_new_object(), *arr, *ser, *errs;
	struct json_object_iterator it, end;
	struct stats_entry **l;
	uint32_t last[2 * STATS_MAX_SHARDS];
	char buf[TIME_BUF];
	size_t i;
	int k;

	json_object_object_add(doc, "schema",
	    json_object_new_string("medload.run/1"));
	if (meta != NULL) {
		it = json_object_iter_begin(meta);
		end = json_object_iter_end(meta);
		while (!json_object_iter_equal(&it, &end)) {
			json_object_object_add(doc,
			    json_object_iter_peek_name(&it),
			    json_object_get(json_object_iter_peek_value(&it)));
			json_object_iter_next(&it);
		}
	}
	json_object_object_add(doc, "window_start", json_object_new_string(
	    time_format((double)st->start_us / 1e6, buf)));
	json_object_object_add(doc, "window_end", json_object_new_string(
	    time_format((double)st->end_us / 1e6, buf)));
	json_object_object_add(doc, "duration_s", json_object_new_double(
	    stats_window(st)));
	arr = json_object_new_array();
	l = stats_sorted(st);
	for (i = 0; i < st->n; i++)
		json_object_array_add(arr, stats_json_entry(st, l[i]));
	free(l);
	json_object_object_add(doc, "stats", arr);
	json_object_object_add(doc, "total", stats_json_entry(st, &st->total));
	errs = json_object_new_object();
	for (k = 1; k < STATS_ERR_COUNT; k++)
		json_object_object_add(errs, stats_err_name((enum stats_err)k),
		    json_object_new_int64((int64_t)st->total.errs[k]));
	json_object_object_add(doc, "errors", errs);
	ser = json_object_new_array();
	memset(last, 0, sizeof(last));
	for (i = 0; i < stats_nseconds(st); i++) {
		const struct stats_second *s = &st->secs[i];
		struct json_object *o = json_object_new_object();
		static const double q[] = { 50, 95, 99 };
		unsigned target, actual;
		double p[3] = { 0, 0, 0 };

		stats_users_at(st, i, last, &target, &actual);
		if (s->ms != NULL)
			hist_percentiles(s->ms, q, 3, p);
		json_object_object_add(o, "t", json_object_new_int64(
		    (int64_t)i));
		json_object_object_add(o, "target_users",
		    json_object_new_int64(target));
		json_object_object_add(o, "actual_users",
		    json_object_new_int64(actual));
		json_object_object_add(o, "rps", json_object_new_int64(
		    (int64_t)s->reqs));
		json_object_object_add(o, "fps", json_object_new_int64(
		    (int64_t)s->fails));
		json_object_object_add(o, "p50_ms", s->ms ?
		    json_object_new_double(p[0]) : NULL);
		json_object_object_add(o, "p95_ms", s->ms ?
		    json_object_new_double(p[1]) : NULL);
		json_object_object_add(o, "p99_ms", s->ms ?
		    json_object_new_double(p[2]) : NULL);
		json_object_array_add(ser, o);
	}
	json_object_object_add(doc, "series", ser);
	return doc;
}

void
stats_each(const struct stats *st,
    void (*fn)(const struct stats_view *v, void *arg), void *arg)
{
	struct stats_view v;
	size_t i;

	for (i = 0; i < st->n; i++) {
		const struct stats_entry *e = st->list[i];

		v.method = e->method;
		v.name = e->name;
		v.count = e->count;
		v.failures = e->failures;
		v.intended_us = e->intended;
		fn(&v, arg);
	}
}
