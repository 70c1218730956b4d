/* flows_build.c: clock offsets and the "flows" object of the analysis. */
#include "flows.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "flows_priv.h"
#include "hist.h"
#include "hmap.h"
#include "jx.h"
#include "util.h"

#define FLOWS_WARNINGS_MAX 20

/* An offset estimate: clock(b) - clock(a), in ms. */
struct flows_est {
	double theta;
	double u;
	const char *method;	/* NULL: no pairs */
	uint64_t pairs;
};

/* Compares two possibly NULL names, NULL first. */
static int
flows_cmp_name(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* The flows being sorted (qsort has no context argument). */
static const struct flows *flows_sorting;

/* Orders groups by type, then requester, then responder. */
static int
flows_group_cmp(const void *pa, const void *pb)
{
	const struct flows_group *a = *(struct flows_group *const *)pa;
	const struct flows_group *b = *(struct flows_group *const *)pb;
	const struct flows *f = flows_sorting;
	int c;

	if ((c = flows_cmp_name(flows_name(&f->types, a->type),
	    flows_name(&f->types, b->type))) != 0)
		return c;
	if ((c = flows_cmp_name(flows_name(&f->agents, a->from),
	    flows_name(&f->agents, b->from))) != 0)
		return c;
	return flows_cmp_name(flows_name(&f->agents, a->to),
	    flows_name(&f->agents, b->to));
}

struct flows_group **
flows_groups_sorted(struct flows *f, size_t *n)
{
	struct flows_group **v;
	const void *key;
	size_t pos = 0, len, i = 0;
	void *val;

	*n = hmap_size(f->groups);
	v = util_calloc(*n + 1, sizeof(*v));
	while (hmap_next(f->groups, &pos, &key, &len, &val))
		v[i++] = val;
	flows_sorting = f;
	util_sort(v, *n, sizeof(*v), flows_group_cmp);
	flows_sorting = NULL;
	return v;
}

/* The estimate of clock(b) - clock(a); method NULL when there is none. */
static struct flows_est
flows_offset(const struct flows *f, int a, int b)
{
	struct flows_est e = { 0, 0, NULL, 0 };
	const struct flows_clock *c = NULL;
	size_t i;
	int lo = a < b ? a : b, hi = a < b ? b : a;

	for (i = 0; i < f->nclocks && c == NULL; i++)
		if (f->clocks[i].a == lo && f->clocks[i].b == hi)
			c = &f->clocks[i];
	if (c == NULL || a < 0 || b < 0 || a == b)
		return e;
	if (c->lo <= c->hi) {
		e.theta = (c->lo + c->hi) / 2;
		e.u = (c->hi - c->lo) / 2;
		e.method = "bounds";
	} else {
		e.theta = c->best_mid;
		e.u = c->best_delay / 2;
		e.method = "min-delay";
	}
	e.theta = (double)llround(e.theta * 1000) / 1000;
	if (a > b)
		e.theta = -e.theta;
	e.pairs = c->pairs;
	return e;
}

/* State while shifting a distribution by the clock offset. */
struct flows_shift {
	struct hist *out;
	double sign;		/* +1 for raw values, -1 for negated ones */
	double shift;		/* ms subtracted */
	uint64_t clamped;
};

/* Adds count values v, shifted, to the corrected distribution. */
static int
flows_shift_one(double v, uint64_t count, void *arg)
{
	struct flows_shift *s = arg;
	double w = (double)llround((s->sign * v - s->shift) * 1000) / 1000;

	if (w < 0) {
		s->clamped += count;
		w = 0;
	}
	hist_record_n(s->out, w, count);
	return 0;
}

/* Hop h of g with shift ms taken off (caller frees); *clamped added. */
static struct hist *
flows_corrected(const struct flows_group *g, int h, double shift,
    uint64_t *clamped)
{
	struct flows_shift s = { hist_new(), 1, shift, 0 };

	if (g->pos[h] != NULL)
		hist_foreach(g->pos[h], flows_shift_one, &s);
	s.sign = -1;
	if (g->neg[h] != NULL)
		hist_foreach(g->neg[h], flows_shift_one, &s);
	*clamped += s.clamped;
	return s.out;
}

/*
 * Adds h's stats to o, its percentiles rounded to the microsecond (a
 * float bucket's midpoint otherwise shows digits the data never had).
 */
static void
flows_stats(struct json_object *o, const struct hist *h, const double *pcts,
    size_t npcts)
{
	struct json_object *p;

	analysis_stats(o, h, pcts, npcts);
	if (!json_object_object_get_ex(o, "percentiles", &p))
		return;
	json_object_object_foreach(p, k, v) {
		double r = (double)llround(json_object_get_double(v) * 1000) /
		    1000;

		json_object_object_add(p, k, analysis_num(r));
	}
}

/* Appends a warning unless there are already enough. */
static void
flows_warn(struct json_object *warnings, char *msg)
{
	if (jx_len(warnings) < FLOWS_WARNINGS_MAX)
		json_object_array_add(warnings, json_object_new_string(msg));
	free(msg);
}

/* What a figure needs to be read with. */
struct flows_ctx {
	const struct flows *f;
	const double *pcts;
	size_t npcts;
	struct json_object *warnings;
};

/* A string or null. */
static struct json_object *
flows_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

/*
 * The object of hop h of g (NULL when never measured); corrected by the
 * offset of its two agents, with a warning when that offset is known
 * less well than the hop's median.
 */
static struct json_object *
flows_hop_obj(const struct flows_ctx *c, const struct flows_group *g, int h)
{
	const struct flows_hop_def *d = &flows_hop_defs[h];
	struct flows_est e = { 0, 0, NULL, 0 };
	struct json_object *o;
	const char *basis = "same";
	uint64_t clamped = g->clamped[h];
	struct hist *hh;
	double q = 50, p50;

	if (g->pos[h] == NULL && g->neg[h] == NULL)
		return NULL;
	if (d->dir != 0 && g->from != g->to) {
		e = flows_offset(c->f, g->from, g->to);
		basis = e.method != NULL ? "corrected" : "uncorrected";
	}
	hh = flows_corrected(g, h, d->dir * e.theta, &clamped);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "clock", json_object_new_string(basis));
	json_object_object_add(o, "stacked",
	    json_object_new_boolean(d->stacked));
	flows_stats(o, hh, c->pcts, c->npcts);
	json_object_object_add(o, "clamped",
	    json_object_new_int64((int64_t)clamped));
	hist_percentiles(hh, &q, 1, &p50);
	if (e.method != NULL && e.u > p50)
		flows_warn(c->warnings, util_printf("%s %s: the clock offset "
		    "between %s and %s is known to +/- %g ms only, more than "
		    "this hop's median (%g ms): its figures are estimates",
		    flows_name(&c->f->types, g->type), d->name,
		    flows_name(&c->f->agents, g->from),
		    flows_name(&c->f->agents, g->to), e.u, p50));
	hist_free(hh);
	return o;
}

/* The object of one exchange group. */
static struct json_object *
flows_group_obj(const struct flows_ctx *c, const struct flows_group *g)
{
	const struct flows *f = c->f;
	struct json_object *o = json_object_new_object(), *hops, *rt, *ho;
	int h;

	json_object_object_add(o, "type", flows_str(flows_name(&f->types,
	    g->type)));
	json_object_object_add(o, "from", flows_str(flows_name(&f->agents,
	    g->from)));
	json_object_object_add(o, "to", flows_str(flows_name(&f->agents,
	    g->to)));
	json_object_object_add(o, "endpoint", flows_str(flows_name(
	    &f->endpoints, g->endpoint)));
	json_object_object_add(o, "pairing", json_object_new_string(
	    g->paired ? "time" : "thread"));
	json_object_object_add(o, "count", json_object_new_int64(
	    (int64_t)g->count));
	json_object_object_add(o, "complete", json_object_new_int64(
	    (int64_t)g->complete));
	json_object_object_add(o, "incomplete", json_object_new_int64(
	    (int64_t)g->lost));
	json_object_object_add(o, "undecided", json_object_new_int64(
	    (int64_t)g->undecided));
	if (g->irregular > 0)
		json_object_object_add(o, "irregular", json_object_new_int64(
		    (int64_t)g->irregular));
	rt = NULL;
	if (g->rt != NULL) {
		rt = json_object_new_object();
		flows_stats(rt, g->rt, c->pcts, c->npcts);
	}
	json_object_object_add(o, "round_trip", rt);
	hops = json_object_new_array();
	for (h = 0; h < FLOWS_NHOPS; h++)
		if ((ho = flows_hop_obj(c, g, h)) != NULL)
			json_object_array_add(hops, ho);
	json_object_object_add(o, "hops", hops);
	return o;
}

/* The "clock" list: every pair of agents with request/response pairs. */
static struct json_object *
flows_clock_list(const struct flows_ctx *c)
{
	const struct flows *f = c->f;
	struct json_object *arr = json_object_new_array(), *o;
	struct flows_est e;
	size_t i;
	int from, to;

	for (i = 0; i < f->nclocks; i++) {
		const struct flows_clock *k = &f->clocks[i];

		/* from the agent named first, whatever the input order */
		from = k->a;
		to = k->b;
		if (strcmp(flows_name(&f->agents, from),
		    flows_name(&f->agents, to)) > 0) {
			from = k->b;
			to = k->a;
		}
		e = flows_offset(f, from, to);
		o = json_object_new_object();
		json_object_object_add(o, "from", flows_str(flows_name(
		    &f->agents, from)));
		json_object_object_add(o, "to", flows_str(flows_name(
		    &f->agents, to)));
		json_object_object_add(o, "offset_ms", analysis_num(e.theta));
		json_object_object_add(o, "uncertainty_ms", analysis_num(e.u));
		json_object_object_add(o, "pairs", json_object_new_int64(
		    (int64_t)e.pairs));
		json_object_object_add(o, "method",
		    json_object_new_string(e.method));
		json_object_object_add(o, "least_round_trip_ms",
		    analysis_num(k->best_delay));
		json_object_array_add(arr, o);
		if (strcmp(e.method, "min-delay") == 0)
			flows_warn(c->warnings, util_printf("the clocks of %s "
			    "and %s moved during the window (the pairs' bounds "
			    "disagree): the offset comes from the pair with "
			    "the least round trip", flows_name(&f->agents,
			    from), flows_name(&f->agents, to)));
	}
	return arr;
}

/* The names of the marks seen, as a list. */
static struct json_object *
flows_seen_list(unsigned seen)
{
	static const char *const names[FLOWS_NMARKS] = { "ENCODE.START",
	    "ENCODE.END", "DELIVER.START", "DELIVER.END", "handle.START",
	    "handle.END" };
	struct json_object *arr = json_object_new_array();
	int m;

	for (m = 0; m < FLOWS_NMARKS; m++)
		if (seen & (1u << m))
			json_object_array_add(arr,
			    json_object_new_string(names[m]));
	return arr;
}

/* "incomplete" (kind -> count, and "undecided") and "examples". */
static void
flows_losses(const struct flows *f, struct json_object *doc)
{
	struct json_object *inc = json_object_new_object(), *ex, *list, *e;
	const struct flows_example *x;
	int k, i;

	ex = json_object_new_object();
	for (k = 0; k < FLOWS_LOST_COUNT; k++) {
		json_object_object_add(inc, flows_verdict_name(k),
		    json_object_new_int64((int64_t)f->verdicts[k]));
		if (f->nexamples[k] == 0)
			continue;
		list = json_object_new_array();
		for (i = 0; i < f->nexamples[k]; i++) {
			x = &f->examples[k][i];
			e = json_object_new_object();
			json_object_object_add(e, "msg_id",
			    json_object_new_string(x->msg_id));
			json_object_object_add(e, "type", flows_str(flows_name(
			    &f->types, x->type)));
			json_object_object_add(e, "agent", flows_str(flows_name(
			    &f->agents, x->agent)));
			json_object_object_add(e, "leg", json_object_new_string(
			    x->leg ? "response" : "request"));
			json_object_object_add(e, "first",
			    analysis_time(x->first));
			json_object_object_add(e, "last",
			    analysis_time(x->last));
			json_object_object_add(e, "seen",
			    flows_seen_list(x->seen));
			json_object_array_add(list, e);
		}
		json_object_object_add(ex, flows_verdict_name(k), list);
	}
	json_object_object_add(inc, "undecided",
	    json_object_new_int64((int64_t)f->undecided));
	json_object_object_add(doc, "incomplete", inc);
	json_object_object_add(doc, "examples", ex);
}

/* Counts that describe the whole: events, agents, what was unseen. */
static void
flows_counts(const struct flows *f, struct json_object *doc,
    uint64_t total, uint64_t complete)
{
	struct json_object *o = json_object_new_object(), *agents;
	int i;

	json_object_object_add(doc, "timeout_s", analysis_num(f->timeout));
	agents = json_object_new_array();
	for (i = 0; i < f->agents.n; i++)
		json_object_array_add(agents,
		    json_object_new_string(f->agents.v[i]));
	json_object_object_add(doc, "agents", agents);
	json_object_object_add(o, "read", json_object_new_int64(
	    (int64_t)f->events));
	json_object_object_add(o, "joined", json_object_new_int64(
	    (int64_t)(f->events - f->ignored)));
	json_object_object_add(doc, "events", o);
	json_object_object_add(doc, "exchanges_total",
	    json_object_new_int64((int64_t)total));
	json_object_object_add(doc, "complete",
	    json_object_new_int64((int64_t)complete));
	json_object_object_add(doc, "open_max",
	    json_object_new_int64((int64_t)f->open_max));
	o = json_object_new_object();
	json_object_object_add(o, "receiver_untraced", json_object_new_int64(
	    (int64_t)f->verdicts[FLOWS_UNOBSERVED_RECEIVER]));
	json_object_object_add(o, "relay_untraced", json_object_new_int64(
	    (int64_t)f->verdicts[FLOWS_UNOBSERVED_RELAY]));
	json_object_object_add(o, "relays_unmatched", json_object_new_int64(
	    (int64_t)f->relays_unmatched));
	json_object_object_add(doc, "unobserved", o);
}

struct json_object *
flows_doc(struct flows *f, const double *pcts, size_t npcts)
{
	struct json_object *doc = json_object_new_object(), *arr;
	struct flows_ctx c = { f, pcts, npcts, json_object_new_array() };
	struct flows_group **g;
	uint64_t total = 0, complete = 0;
	size_t n, i;

	flows_drain(f);
	if (f->late > 0)
		flows_warn(c.warnings, util_printf("%llu events came more than "
		    "the timeout (%g s) after later ones: the input is out of "
		    "time order, and exchanges may have been called incomplete "
		    "wrongly (sort it, or give one file per agent)",
		    (unsigned long long)f->late, f->timeout));
	json_object_object_add(doc, "clock", flows_clock_list(&c));
	g = flows_groups_sorted(f, &n);
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		json_object_array_add(arr, flows_group_obj(&c, g[i]));
		total += g[i]->count;
		complete += g[i]->complete;
	}
	free(g);
	flows_counts(f, doc, total, complete);
	json_object_object_add(doc, "exchanges", arr);
	flows_losses(f, doc);
	json_object_object_add(doc, "warnings", c.warnings);
	return doc;
}
