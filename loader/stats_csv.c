/* stats_csv.c: a run's statistics as Locust's CSV files. */
#include "stats_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hist.h"
#include "hmap.h"
#include "stats_priv.h"
#include "strbuf.h"
#include "util.h"

/* Python's csv module ends every record with CR LF. */
#define STATS_CSV_EOL "\r\n"

static const char stats_csv_qhdr[] =
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";

/* s with util_safe_append's escapes, its newlines kept (multi-line text). */
static void
stats_csv_safe(struct strbuf *b, const char *s)
{
	const char *nl;
	char *line;

	while ((nl = strchr(s, '\n')) != NULL) {
		line = util_strndup(s, (size_t)(nl - s));
		util_safe_append(b, line);
		strbuf_addc(b, '\n');
		free(line);
		s = nl + 1;
	}
	util_safe_append(b, s);
}

void
stats_csv_field(FILE *out, const char *s)
{
	struct strbuf b;
	const char *p;

	/* Controls but newlines made visible: no text moves a cursor. */
	strbuf_init(&b, 0);
	stats_csv_safe(&b, s);
	p = b.data != NULL ? b.data : "";
	if (strpbrk(p, ",\"\n") == NULL) {
		fputs(p, out);
	} else {
		fputc('"', out);
		for (; *p; p++) {
			if (*p == '"')
				fputc('"', out);
			fputc(*p, out);
		}
		fputc('"', out);
	}
	strbuf_release(&b);
}

/* Writes ",ms" for a value in microseconds, to the microsecond. */
static void
stats_csv_ms(FILE *out, double us)
{
	char buf[32];

	fprintf(out, ",%s", util_num(round(us) / 1000.0, buf));
}

/*
 * Writes ",ms" for a value in microseconds known to 0.2% (the totals'
 * median): three significant digits.
 */
static void
stats_csv_ms3(FILE *out, double us)
{
	char buf[32];
	double ms = us / 1000.0, m;

	if (ms > 0) {
		m = pow(10, 3 - ceil(log10(ms)));
		ms = round(ms * m) / m;
	}
	fprintf(out, ",%s", util_num(ms, buf));
}

/* Writes ",method,name" (the first field without its comma). */
static void
stats_csv_names(FILE *out, const struct stats_entry *e, int first)
{
	if (!first)
		fputc(',', out);
	stats_csv_field(out, e->method);
	fputc(',', out);
	stats_csv_field(out, e->name);
}

/* Writes ",size": the mean content size, to the hundredth. */
static void
stats_csv_size(FILE *out, uint64_t bytes, uint64_t count)
{
	char buf[32];

	fprintf(out, ",%s", util_num(count ? round((double)bytes /
	    (double)count * 100) / 100 : 0, buf));
}

/* One stats.csv (or waits.csv) row. */
static void
stats_csv_row(const struct stats *st, const struct stats_entry *e, FILE *out)
{
	const struct hist *h = e->intended;
	double p[STATS_NQ], w = stats_window(st);
	char buf[32];
	size_t i;

	hist_percentiles(h, stats_pct_q, STATS_NQ, p);
	stats_csv_names(out, e, 1);
	fprintf(out, ",%llu,%llu", (unsigned long long)e->count,
	    (unsigned long long)e->failures);
	stats_csv_ms(out, p[0]);
	stats_csv_ms(out, hist_mean(h));
	stats_csv_ms(out, hist_min(h));
	stats_csv_ms(out, hist_max(h));
	stats_csv_size(out, e->bytes, e->count);
	fprintf(out, ",%s", util_num(round((double)e->count / w * 1e6) / 1e6,
	    buf));
	fprintf(out, ",%s", util_num(round((double)e->failures / w * 1e6) /
	    1e6, buf));
	for (i = 0; i < STATS_NQ; i++) {
		if (e->count == 0)
			fputs(",N/A", out);
		else
			stats_csv_ms(out, p[i]);
	}
	fputs(STATS_CSV_EOL, out);
}

/*
 * Writes stats.csv (waits 0: the requests) or waits.csv (waits 1): the
 * rows of those names, then their Aggregated row.
 */
static void
stats_csv_stats(const struct stats *st, struct stats_entry **l, int waits,
    FILE *f)
{
	size_t i;

	fprintf(f, "Type,Name,Request Count,Failure Count,Median Response "
	    "Time,Average Response Time,Min Response Time,Max Response Time,"
	    "Average Content Size,Requests/s,Failures/s,%s" STATS_CSV_EOL,
	    stats_csv_qhdr);
	for (i = 0; i < st->n; i++)
		if (stats_is_wait(l[i]) == waits)
			stats_csv_row(st, l[i], f);
	stats_csv_row(st, waits ? &st->total_wait : &st->total_req, f);
}

/* Writes ",YYYY-MM-DDTHH:MM:SSZ" as Locust does. */
static void
stats_csv_utc(FILE *f, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
	fprintf(f, ",%s", buf);
}

/* Writes failures.csv: one row per name and error text. */
static void
stats_csv_failures(const struct stats *st, struct stats_entry **l, FILE *f)
{
	size_t i;

	fputs("Method,Name,Error,Occurrences,First Seen,Last Seen"
	    STATS_CSV_EOL, f);
	for (i = 0; i < st->n; i++) {
		size_t pos = 0, len;
		const void *k;
		void *v;

		while (hmap_next(l[i]->errors, &pos, &k, &len, &v)) {
			const struct stats_etext *x = v;
			char *text = util_strndup(k, len);

			stats_csv_names(f, l[i], 1);
			fputc(',', f);
			stats_csv_field(f, text);
			fprintf(f, ",%llu", (unsigned long long)x->count);
			stats_csv_utc(f, x->first_us);
			stats_csv_utc(f, x->last_us);
			fputs(STATS_CSV_EOL, f);
			free(text);
		}
	}
}

/* Writes exceptions.csv: one row per text (only the header when none). */
static void
stats_csv_exceptions(const struct stats *st, FILE *f)
{
	size_t pos = 0, len;
	const void *k;
	void *v;

	fputs("Count,Message,Traceback,Nodes" STATS_CSV_EOL, f);
	while (hmap_next(st->exceptions, &pos, &k, &len, &v)) {
		const struct stats_exc *x = v;
		char *text = util_strndup(k, len), *s;

		fprintf(f, "%llu,", (unsigned long long)x->count);
		stats_csv_field(f, text);
		fputc(',', f);
		s = stats_exc_where(x);
		stats_csv_field(f, s);
		free(s);
		fputc(',', f);
		s = stats_exc_nodes(st, x);
		stats_csv_field(f, s);
		free(s);
		fputs(STATS_CSV_EOL, f);
		free(text);
	}
}

/* One name's history as the seconds go by. */
struct stats_csv_line {
	const struct stats_entry *e;
	struct stats_tick *ticks;
	size_t n, at;
	const struct stats_tick *last;	/* the last tick written */
	uint64_t count, fails, bytes;	/* totals so far */
};

/*
 * Writes one stats_history.csv row of line l for second sec: its tick
 * when it has one (the second's rates and percentiles), else rates of 0
 * and no percentiles; then the totals up to it.
 */
static void
stats_csv_history_row(FILE *f, long long ts, unsigned users,
    struct stats_csv_line *l, const struct stats_tick *k)
{
	size_t i;

	fprintf(f, "%lld,%u", ts, users);
	stats_csv_names(f, l->e, 0);
	fprintf(f, ",%u.000000,%u.000000", k ? k->reqs : 0, k ? k->fails : 0);
	for (i = 0; i < STATS_NQ; i++) {
		if (k == NULL)
			fputs(",N/A", f);
		else
			stats_csv_ms(f, k->p[i]);
	}
	fprintf(f, ",%llu,%llu", (unsigned long long)l->count,
	    (unsigned long long)l->fails);
	stats_csv_ms3(f, l->last ? l->last->tot[0] : 0);
	for (i = 1; i < 4; i++)
		stats_csv_ms(f, l->last ? l->last->tot[i] : 0);
	stats_csv_size(f, l->bytes, l->count);
	fputs(STATS_CSV_EOL, f);
}

/* Writes line l's row for second sec, if the name was seen by then. */
static void
stats_csv_history_line(FILE *f, long long ts, unsigned users, size_t sec,
    struct stats_csv_line *l, int always)
{
	const struct stats_tick *k = NULL;

	if (l->at < l->n && l->ticks[l->at].sec == sec) {
		k = &l->ticks[l->at++];
		l->count += k->reqs;
		l->fails += k->fails;
		l->bytes += k->bytes;
		l->last = k;
	}
	if (l->last != NULL || always)
		stats_csv_history_row(f, ts, users, l, k);
}

/*
 * Writes stats_history.csv as --csv-full-history: per second, one row
 * per request name seen so far (by name), then the Aggregated row.
 */
static void
stats_csv_history(const struct stats *st, struct stats_entry **l, FILE *f)
{
	uint32_t last[2 * STATS_MAX_SHARDS];
	struct stats_csv_line *lines;
	size_t i, j, n = 0;
	unsigned target, actual;

	fprintf(f, "Timestamp,User Count,Type,Name,Requests/s,Failures/s,%s,"
	    "Total Request Count,Total Failure Count,Total Median Response "
	    "Time,Total Average Response Time,Total Min Response Time,Total "
	    "Max Response Time,Total Average Content Size" STATS_CSV_EOL,
	    stats_csv_qhdr);
	lines = util_calloc(st->n + 1, sizeof(*lines));
	for (i = 0; i <= st->n; i++) {
		const struct stats_entry *e = i < st->n ? l[i] :
		    &st->total_req;

		if (e->timeline == NULL)
			continue;
		lines[n].e = e;
		stats_timeline_ticks(e->timeline, &lines[n].ticks,
		    &lines[n].n);
		n++;
	}
	memset(last, 0, sizeof(last));
	for (i = 0; i < stats_nseconds(st); i++) {
		long long ts = st->start_us / 1000000 + (long long)i + 1;

		stats_users_at(st, i, last, &target, &actual);
		for (j = 0; j < n; j++)
			stats_csv_history_line(f, ts, actual, i, &lines[j],
			    j == n - 1);
	}
	for (j = 0; j < n; j++)
		free(lines[j].ticks);
	free(lines);
}

/* Which CSV file stats_csv_write writes. */
enum stats_csv_file {
	STATS_CSV_STATS, STATS_CSV_WAITS, STATS_CSV_FAILURES,
	STATS_CSV_EXCEPTIONS, STATS_CSV_HISTORY, STATS_CSV_NFILES
};

/* Writes prefix+suffix with the rows of file which. 0, or -1. */
static int
stats_csv_file(const struct stats *st, struct stats_entry **l,
    enum stats_csv_file which, const char *prefix, enum files_kind kind,
    char **cause)
{
	static const char *const suffix[] = { "_stats.csv", "_waits.csv",
	    "_failures.csv", "_exceptions.csv", "_stats_history.csv" };
	struct files_out o;
	char *path = util_printf("%s%s", prefix, suffix[which]);
	int rc = files_open(&o, path, kind, cause);

	free(path);
	if (rc == -1)
		return -1;
	if (which == STATS_CSV_STATS || which == STATS_CSV_WAITS)
		stats_csv_stats(st, l, which == STATS_CSV_WAITS, o.f);
	else if (which == STATS_CSV_FAILURES)
		stats_csv_failures(st, l, o.f);
	else if (which == STATS_CSV_EXCEPTIONS)
		stats_csv_exceptions(st, o.f);
	else
		stats_csv_history(st, l, o.f);
	return files_close(&o, 1, cause);
}

int
stats_csv_write(const struct stats *st, const char *prefix,
    enum files_kind kind, char **cause)
{
	struct stats_entry **l = stats_sorted(st);
	int rc = 0, i;

	for (i = 0; i < STATS_CSV_NFILES && rc == 0; i++)
		rc = stats_csv_file(st, l, (enum stats_csv_file)i, prefix,
		    kind, cause);
	free(l);
	return rc;
}
