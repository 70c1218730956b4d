/* stats.c: per-name latency stats, time series, the table and JSON. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hist.h"
#include "hmap.h"
#include "jx.h"
#include "stats_priv.h"
#include "stats_steps.h"
#include "timeutil.h"
#include "util.h"

#define STATS_MAX_SECONDS (31 * 86400)

const double stats_pct_q[STATS_NQ] = { 50, 66, 75, 80, 90, 95, 98, 99,
	99.9, 99.99, 100 };

/* Starts a timeline with every slot free. */
static struct stats_timeline *
stats_timeline_new(void)
{
	struct stats_timeline *t = util_calloc(1, sizeof(*t));
	size_t i;

	for (i = 0; i < STATS_OPEN; i++)
		t->open[i].sec = -1;
	t->closed.q = hist_new();
	return t;
}

/* Frees a timeline; NULL is accepted. */
static void
stats_timeline_free(struct stats_timeline *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < STATS_OPEN; i++) {
		hist_free(t->open[i].h);
		hist_free(t->open[i].q);
	}
	hist_free(t->closed.q);
	free(t->ticks);
	free(t);
}

/* Fills an entry's members. */
static void
stats_entry_init(struct stats_entry *e, const char *method, const char *name,
    int timeline)
{
	e->method = util_strdup(method);
	e->name = util_strdup(name);
	e->intended = hist_new();
	e->actual = hist_new();
	e->errors = hmap_new();
	e->timeline = timeline ? stats_timeline_new() : NULL;
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
	stats_timeline_free(e->timeline);
}

/* Frees an exception's record. */
static void
stats_exc_free(void *p)
{
	struct stats_exc *x = p;

	hmap_free(x->where, free);
	free(x);
}

struct stats *
stats_new(int64_t start_us)
{
	struct stats *st = util_calloc(1, sizeof(*st));

	st->start_us = start_us;
	st->end_us = start_us;
	st->map = hmap_new();
	st->exceptions = hmap_new();
	stats_entry_init(&st->total, "", "Aggregated", 0);
	stats_entry_init(&st->total_req, "", "Aggregated", 1);
	stats_entry_init(&st->total_wait, "", "Aggregated", 0);
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
	hmap_free(st->exceptions, stats_exc_free);
	stats_entry_release(&st->total);
	stats_entry_release(&st->total_req);
	stats_entry_release(&st->total_wait);
	for (i = 0; i < st->nsecs; i++) {
		hist_free(st->secs[i].ms);
		free(st->secs[i].users);
	}
	free(st->secs);
	stats_steps_free(st->steps);
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

/* Microseconds as a tick's 32-bit value (saturating: about 71 minutes). */
static uint32_t
stats_us32(double us)
{
	if (!(us > 0))
		return 0;
	return us >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)llround(us);
}

/*
 * The bucket of us for the totals' median: values below 256 us exactly,
 * then 256 buckets per power of two (their middle under 0.2% from the
 * value).
 */
static unsigned
stats_q_index(double us)
{
	uint32_t v = stats_us32(us);
	unsigned e = 8;

	if (v < 256)
		return v;
	while (e < 31 && (v >> (e + 1)) != 0)
		e++;
	return 256 + (e - 8) * 256 + ((v >> (e - 8)) - 256);
}

/* The middle of bucket i in microseconds. */
static double
stats_q_value(unsigned i)
{
	unsigned shift;

	if (i < 256)
		return i;
	shift = (i - 256) / 256;
	return (double)((uint64_t)(256 + (i - 256) % 256) << shift) +
	    (double)(((uint64_t)1 << shift) - 1) / 2;
}

/* Adds n values of sum, min and max (and their buckets q) to c. */
static void
stats_cumul_add(struct stats_cumul *c, const struct hist *q, uint64_t n,
    double sum, double min, double max)
{
	if (n == 0)
		return;
	hist_merge(c->q, q);
	if (c->n == 0 || min < c->min)
		c->min = min;
	if (c->n == 0 || max > c->max)
		c->max = max;
	c->n += n;
	c->sum += sum;
}

/* Sets a tick's totals from every value up to it. */
static void
stats_tick_totals(struct stats_tick *k, const struct stats_cumul *c)
{
	double q50 = 50, m;

	hist_percentiles(c->q, &q50, 1, &m);
	k->tot[0] = stats_us32(stats_q_value((unsigned)m));
	k->tot[1] = stats_us32(c->n ? c->sum / (double)c->n : 0);
	k->tot[2] = stats_us32(c->min);
	k->tot[3] = stats_us32(c->max);
}

/* Makes the tick of open second o; its values join c. */
static void
stats_tick_make(const struct stats_open *o, struct stats_cumul *c,
    struct stats_tick *k)
{
	double p[STATS_NQ];
	size_t i;

	memset(k, 0, sizeof(*k));
	k->sec = (uint32_t)o->sec;
	k->reqs = o->reqs;
	k->fails = o->fails;
	k->bytes = o->bytes;
	hist_percentiles(o->h, stats_pct_q, STATS_NQ, p);
	for (i = 0; i < STATS_NQ; i++)
		k->p[i] = stats_us32(p[i]);
	stats_cumul_add(c, o->q, hist_count(o->h), hist_mean(o->h) *
	    (double)hist_count(o->h), hist_min(o->h), hist_max(o->h));
	stats_tick_totals(k, c);
}

/* Room for one more tick. */
static void
stats_timeline_grow(struct stats_timeline *t)
{
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 64;
		t->ticks = util_realloc(t->ticks, t->alloc * sizeof(*t->ticks));
	}
}

/* Frees an open slot's histograms and marks it free. */
static void
stats_open_clear(struct stats_open *o)
{
	hist_free(o->h);
	hist_free(o->q);
	memset(o, 0, sizeof(*o));
	o->sec = -1;
}

/* Closes the open seconds up to sec, oldest first. */
static void
stats_timeline_close(struct stats_timeline *t, int64_t sec)
{
	struct stats_open *o;
	size_t i;

	for (;;) {
		o = NULL;
		for (i = 0; i < STATS_OPEN; i++)
			if (t->open[i].sec != -1 && t->open[i].sec <= sec &&
			    (o == NULL || t->open[i].sec < o->sec))
				o = &t->open[i];
		if (o == NULL)
			return;
		stats_timeline_grow(t);
		stats_tick_make(o, &t->closed, &t->ticks[t->n++]);
		stats_open_clear(o);
	}
}

/*
 * A request that ended after its second closed: it counts in the second
 * (a tick of its own when the second had none) and in the totals after.
 */
static void
stats_timeline_late(struct stats_timeline *t, int64_t sec, double us,
    int failed, uint64_t bytes)
{
	struct hist *q = hist_new();
	size_t lo = 0, hi = t->n, i;
	struct stats_tick *k;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if ((int64_t)t->ticks[mid].sec < sec)
			lo = mid + 1;
		else
			hi = mid;
	}
	hist_record(q, stats_q_index(us));
	stats_cumul_add(&t->closed, q, 1, us, us, us);
	hist_free(q);
	if (lo == t->n || (int64_t)t->ticks[lo].sec != sec) {
		stats_timeline_grow(t);
		memmove(&t->ticks[lo + 1], &t->ticks[lo],
		    (t->n - lo) * sizeof(*t->ticks));
		t->n++;
		k = &t->ticks[lo];
		memset(k, 0, sizeof(*k));
		k->sec = (uint32_t)sec;
		for (i = 0; i < STATS_NQ; i++)
			k->p[i] = stats_us32(us);
		stats_tick_totals(k, &t->closed);
	}
	k = &t->ticks[lo];
	k->reqs++;
	k->fails += failed;
	k->bytes += bytes;
}

/* Adds one request ending in second sec to a timeline. */
static void
stats_timeline_add(struct stats_timeline *t, int64_t sec, double us,
    int failed, uint64_t bytes)
{
	struct stats_open *o = &t->open[sec % STATS_OPEN];

	if (o->sec != -1 && o->sec < sec)
		stats_timeline_close(t, o->sec);
	if (o->sec == -1 && (t->n == 0 || sec > (int64_t)t->ticks[t->n -
	    1].sec)) {
		o->sec = sec;
		o->h = hist_new();
		o->q = hist_new();
	}
	if (o->sec != sec) {
		stats_timeline_late(t, sec, us, failed, bytes);
		return;
	}
	o->reqs++;
	o->fails += failed;
	o->bytes += bytes;
	hist_record(o->h, us);
	hist_record(o->q, stats_q_index(us));
}

/* Orders ticks by second. */
static int
stats_tick_cmp(const void *a, const void *b)
{
	const struct stats_tick *x = a, *y = b;

	return x->sec < y->sec ? -1 : x->sec > y->sec;
}

void
stats_timeline_ticks(const struct stats_timeline *t, struct stats_tick **out,
    size_t *n)
{
	struct stats_cumul c = t->closed;
	const struct stats_open *o;
	int64_t after = -1;
	size_t i;

	*out = util_malloc((t->n + STATS_OPEN + 1) * sizeof(**out));
	if (t->n > 0)
		memcpy(*out, t->ticks, t->n * sizeof(**out));
	*n = t->n;
	c.q = hist_new();
	hist_merge(c.q, t->closed.q);
	for (;;) {		/* the open seconds, oldest first */
		o = NULL;
		for (i = 0; i < STATS_OPEN; i++)
			if (t->open[i].sec > after && (o == NULL ||
			    t->open[i].sec < o->sec))
				o = &t->open[i];
		if (o == NULL)
			break;
		stats_tick_make(o, &c, &(*out)[(*n)++]);
		after = o->sec;
	}
	hist_free(c.q);
	util_sort(*out, *n, sizeof(**out), stats_tick_cmp);
}

/* Counts one error text of e at t_us (up to 1000 texts, then "other"). */
static void
stats_etext_add(struct stats_entry *e, const char *text, int64_t t_us)
{
	struct stats_etext *x = hmap_get(e->errors, text, strlen(text));

	if (x == NULL) {
		if (hmap_size(e->errors) >= 1000)
			text = "(other errors)";
		x = hmap_get(e->errors, text, strlen(text));
		if (x == NULL) {
			x = util_calloc(1, sizeof(*x));
			x->first_us = t_us;
			hmap_put(e->errors, text, strlen(text), x);
		}
	}
	x->count++;
	if (t_us < x->first_us)
		x->first_us = t_us;
	if (t_us > x->last_us)
		x->last_us = t_us;
}

/* Adds one sample to an entry; sec is its second in the run (or -1). */
static void
stats_entry_add(struct stats_entry *e, const struct stats_rec *r,
    int64_t sec)
{
	int64_t li = r->end_us - r->sched_us, la = r->end_us - r->start_us;

	e->count++;
	e->bytes += r->bytes;
	hist_record(e->intended, (double)(li > 0 ? li : 0));
	hist_record(e->actual, (double)(la > 0 ? la : 0));
	if (e->timeline != NULL && sec >= 0)
		stats_timeline_add(e->timeline, sec, (double)(li > 0 ? li : 0),
		    r->err != STATS_OK, r->bytes);
	if (r->err != STATS_OK) {
		e->failures++;
		e->errs[r->err]++;
		stats_etext_add(e, r->error ? r->error :
		    stats_err_name(r->err), r->end_us);
	}
}

/*
 * Counts Locust's "exceptions" as medload has them: requests that could
 * not start, and transport errors, by text, with where they happened.
 */
static void
stats_exception(struct stats *st, const struct stats_rec *r)
{
	const char *text = r->error ? r->error : stats_err_name(r->err);
	struct stats_exc *x = hmap_get(st->exceptions, text, strlen(text));
	char *where;
	uint64_t *n;

	if (x == NULL) {
		if (hmap_size(st->exceptions) >= STATS_MAX_EXCEPTIONS)
			text = "(other exceptions)";
		x = hmap_get(st->exceptions, text, strlen(text));
		if (x == NULL) {
			x = util_calloc(1, sizeof(*x));
			x->where = hmap_new();
			hmap_put(st->exceptions, text, strlen(text), x);
		}
	}
	x->count++;
	if (r->shard < STATS_MAX_SHARDS)
		x->shards |= (uint64_t)1 << r->shard;
	where = util_printf("%s %s", r->method, r->name);
	n = hmap_get(x->where, where, strlen(where));
	if (n == NULL && hmap_size(x->where) < 100) {
		n = util_calloc(1, sizeof(*n));
		hmap_put(x->where, where, strlen(where), n);
	}
	if (n != NULL)
		(*n)++;
	free(where);
}

/* The entry of method and name, made on first use. */
static struct stats_entry *
stats_entry_of(struct stats *st, const char *method, const char *name)
{
	struct stats_entry *e;
	char key[512];
	size_t ml = strlen(method), nl = strlen(name), kl;

	/* key "method\0name", truncated to the buffer (names are short) */
	if (ml > 64)
		ml = 64;
	if (nl > sizeof(key) - 66)
		nl = sizeof(key) - 66;
	memcpy(key, method, ml);
	key[ml] = '\0';
	memcpy(key + ml + 1, name, nl);
	kl = ml + 1 + nl;
	e = hmap_get(st->map, key, kl);
	if (e != NULL)
		return e;
	e = util_calloc(1, sizeof(*e));
	stats_entry_init(e, method, name, strcmp(method, "WAIT") != 0);
	hmap_put(st->map, key, kl, e);
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 16;
		st->list = util_realloc(st->list, st->alloc * sizeof(*st->list));
	}
	st->list[st->n++] = e;
	return e;
}

void
stats_record(struct stats *st, const struct stats_rec *r)
{
	struct stats_entry *e = stats_entry_of(st, r->method, r->name);
	struct stats_second *sec = stats_sec(st, r->end_us);
	int64_t s = sec != NULL ? (r->end_us - st->start_us) / 1000000 : -1;

	stats_entry_add(e, r, s);
	/* a wait that times out is a failure like any other: in the total */
	stats_entry_add(&st->total, r, -1);
	stats_entry_add(stats_is_wait(e) ? &st->total_wait : &st->total_req,
	    r, s);
	if (r->err == STATS_ERR_CONNECTION || r->err == STATS_ERR_OTHER)
		stats_exception(st, r);
	if (st->steps != NULL)
		stats_steps_record(st->steps, r);
	if (r->end_us > st->end_us)
		st->end_us = r->end_us;
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

int
stats_is_wait(const struct stats_entry *e)
{
	return strcmp(e->method, "WAIT") == 0;
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
	if (st->steps != NULL)
		stats_steps_users(st->steps, t_us, actual, shard);
	if (t_us > st->end_us)
		st->end_us = t_us;
}

void
stats_set_steps(struct stats *st, const struct shape_step *steps, size_t n)
{
	stats_steps_free(st->steps);
	st->steps = stats_steps_new(st->start_us, steps, n);
}

void
stats_align_shard(struct stats *st, unsigned shard, int64_t start_us,
    double end_s)
{
	if (st->steps != NULL)
		stats_steps_align(st->steps, shard, start_us, end_s);
}

struct json_object *
stats_steps_now(const struct stats *st, int64_t now_us)
{
	return st->steps != NULL ? stats_steps_json(st->steps, now_us,
	    st->stop_us) : NULL;
}

void
stats_set_stop(struct stats *st, int64_t stop_us)
{
	if (st->stop_us == 0)
		st->stop_us = stop_us;
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

struct stats_entry **
stats_sorted(const struct stats *st)
{
	struct stats_entry **l = util_malloc((st->n + 1) * sizeof(*l));

	if (st->n > 0)
		memcpy(l, st->list, st->n * sizeof(*l));
	util_sort(l, st->n, sizeof(*l), stats_cmp);
	return l;
}

double
stats_window(const struct stats *st)
{
	double w = (double)(st->end_us - st->start_us) / 1e6;

	return w > 1e-6 ? w : 1e-6;
}

void
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

size_t
stats_nseconds(const struct stats *st)
{
	int64_t d = st->end_us - st->start_us;
	size_t n = (size_t)((d + 999999) / 1000000);

	return n < st->nsecs ? n : st->nsecs;
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

/* Prints e's most frequent error text (the first of equals), escaped. */
static void
stats_print_top_text(const struct stats_entry *e, FILE *out)
{
	const struct stats_etext *x, *best = NULL;
	const void *k, *bk = NULL;
	size_t pos = 0, len, blen = 0;
	void *v;
	char *t;

	while (hmap_next(e->errors, &pos, &k, &len, &v)) {
		x = v;
		if (best == NULL || x->count > best->count ||
		    (x->count == best->count && x->first_us < best->first_us)) {
			best = x;
			bk = k;
			blen = len;
		}
	}
	if (best == NULL)
		return;
	t = util_strndup(bk, blen);
	fprintf(out, "    most often (%llu): ", (unsigned long long)best->count);
	util_fput_safe(t, out);
	fputc('\n', out);
	free(t);
}

void
stats_print_table(const struct stats *st, int actual_too, FILE *out)
{
	struct stats_entry **l;
	size_t i;
	int k;

	fprintf(out, "Response times in ms from the intended start (free of "
	    "coordinated omission%s):\n", actual_too ? "" : "; from the "
	    "actual start in summary.txt, results.json and the CSV files");
	stats_table(st, 0, out);
	if (actual_too) {
		fprintf(out, "\nResponse times in ms from the actual start:\n");
		stats_table(st, 1, out);
	}
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
		stats_print_top_text(l[i], out);
	}
	free(l);
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
	struct json_object *first;
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
	first = json_object_new_object();
	while (hmap_next(e->errors, &pos, &k, &len, &v)) {
		char *t = util_strndup(k, len);
		const struct stats_etext *x = v;

		json_object_object_add(texts, t, json_object_new_int64(
		    (int64_t)x->count));
		json_object_object_add(first, t, json_object_new_double(
		    (double)(x->first_us - st->start_us) / 1e6));
		free(t);
	}
	json_object_object_add(o, "error_texts", texts);
	json_object_object_add(o, "error_first_s", first);
	return o;
}

/* The per-second series of results.json. */
static struct json_object *
stats_json_series(const struct stats *st)
{
	static const double q[] = { 50, 95, 99 };
	struct json_object *ser = json_object_new_array(), *o;
	uint32_t last[2 * STATS_MAX_SHARDS];
	unsigned target, actual;
	double p[3];
	size_t i;

	memset(last, 0, sizeof(last));
	for (i = 0; i < stats_nseconds(st); i++) {
		const struct stats_second *s = &st->secs[i];

		o = json_object_new_object();
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
	return ser;
}

/* Orders strings. */
static int
stats_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
stats_exc_where(const struct stats_exc *x)
{
	size_t pos = 0, len, n = 0, i;
	char **lines = util_calloc(hmap_size(x->where) + 1, sizeof(*lines));
	struct strbuf b;
	const void *k;
	void *v;

	while (hmap_next(x->where, &pos, &k, &len, &v))
		lines[n++] = util_printf("%.*s: %llu", (int)len, (const char *)k,
		    (unsigned long long)*(uint64_t *)v);
	util_sort(lines, n, sizeof(*lines), stats_str_cmp);
	strbuf_init(&b, 0);
	for (i = 0; i < n; i++) {
		strbuf_addf(&b, "%s%s", i ? "\n" : "", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return strbuf_detach(&b);
}

char *
stats_exc_nodes(const struct stats *st, const struct stats_exc *x)
{
	struct strbuf b;
	unsigned i;

	if (st->nshards <= 1)
		return util_strdup("local");
	strbuf_init(&b, 0);
	for (i = 0; i < STATS_MAX_SHARDS; i++)
		if (x->shards & ((uint64_t)1 << i))
			strbuf_addf(&b, "%sshard %u", b.len ? ", " : "", i + 1);
	return strbuf_detach(&b);
}

/* The exceptions block: their count and one object per text. */
static struct json_object *
stats_json_exceptions(const struct stats *st)
{
	struct json_object *o = json_object_new_object(), *l, *x;
	size_t pos = 0, len;
	uint64_t total = 0;
	const void *k;
	void *v;

	l = json_object_new_array();
	while (hmap_next(st->exceptions, &pos, &k, &len, &v)) {
		const struct stats_exc *e = v;
		char *s;

		x = json_object_new_object();
		json_object_object_add(x, "count", json_object_new_int64(
		    (int64_t)e->count));
		json_object_object_add(x, "message",
		    json_object_new_string_len(k, (int)len));
		s = stats_exc_where(e);
		json_object_object_add(x, "traceback",
		    json_object_new_string(s));
		json_object_object_add(x, "traceback_lines", jx_lines(s));
		free(s);
		s = stats_exc_nodes(st, e);
		json_object_object_add(x, "nodes", json_object_new_string(s));
		free(s);
		json_object_array_add(l, x);
		total += e->count;
	}
	json_object_object_add(o, "count", json_object_new_int64(
	    (int64_t)total));
	json_object_object_add(o, "list", l);
	return o;
}

struct json_object *
stats_json(const struct stats *st, struct json_object *meta)
{
	struct json_object *doc = json_object_new_object(), *arr, *errs;
	struct json_object_iterator it, end;
	struct stats_entry **l;
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
	/* requests and waits: a wait that times out is a client failure */
	json_object_object_add(doc, "total", stats_json_entry(st, &st->total));
	json_object_object_add(doc, "total_requests",
	    stats_json_entry(st, &st->total_req));
	json_object_object_add(doc, "total_waits",
	    stats_json_entry(st, &st->total_wait));
	errs = json_object_new_object();
	for (k = 1; k < STATS_ERR_COUNT; k++)
		json_object_object_add(errs, stats_err_name((enum stats_err)k),
		    json_object_new_int64((int64_t)st->total.errs[k]));
	json_object_object_add(doc, "errors", errs);
	json_object_object_add(doc, "exceptions", stats_json_exceptions(st));
	json_object_object_add(doc, "series", stats_json_series(st));
	if (st->steps != NULL)
		json_object_object_add(doc, "steps", stats_steps_json(
		    st->steps, st->end_us, st->stop_us));
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
