/*
 * source_es_aggs.c: aggs mode: the server computes groups (composite
 * aggregation), their stats and percentiles (t-digest, or HDR); the series,
 * spectrum and outcomes over time come from source_es_series.c. Bucket
 * keys are normalised as the parser normalises values (trace_normal_value),
 * so that groups line up with raw mode and files, and the buckets that
 * become one group are merged (source_es_cells.c).
 */
#include "source_es_priv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "es.h"
#include "hmap.h"
#include "http.h"
#include "interrupt.h"
#include "jsub.h"
#include "jx.h"
#include "strbuf.h"
#include "trace.h"
#include "util.h"

#define SOURCE_ES_AGGS_PAGE 500	/* groups per composite page */

struct json_object *
source_es_aggs_percentiles(const char *field, const double *q, size_t n,
    int hdr)
{
	struct json_object *o = json_object_new_object(), *arr, *m;
	size_t i;

	json_object_object_add(o, "field", json_object_new_string(field));
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, analysis_num(q[i]));
	json_object_object_add(o, "percents", arr);
	json_object_object_add(o, "keyed", json_object_new_boolean(0));
	m = json_object_new_object();
	if (hdr) {
		json_object_object_add(m, "number_of_significant_value_digits",
		    json_object_new_int(3));
		json_object_object_add(o, "hdr", m);
	} else {
		json_object_object_add(m, "compression",
		    json_object_new_int(100));
		json_object_object_add(o, "tdigest", m);
	}
	return o;
}

struct json_object *
source_es_aggs_field(const char *name)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "field", json_object_new_string(name));
	return o;
}

double
source_es_aggs_num(struct json_object *o, const char *k)
{
	struct json_object *v;
	double d;

	if (o == NULL || !json_object_object_get_ex(o, k, &v) || v == NULL)
		return 0;
	d = json_object_get_double(v);
	return d >= 0 && d <= 1e15 ? d : d > 1e15 ? 1e15 : 0;
}

double
source_es_aggs_time(const struct source_es_layout *l,
    struct json_object *bucket, const char *name)
{
	struct json_object *m;

	if (!json_object_object_get_ex(bucket, name, &m))
		return 0;
	return source_es_aggs_num(m, "value") / (l->time_is_date ? 1000 : 1);
}

void
source_es_aggs_pct_values(struct json_object *pct, size_t n, double *out)
{
	struct json_object *vals;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	if (!json_object_object_get_ex(pct, "values", &vals))
		return;
	for (i = 0; i < n && i < jx_len(vals); i++)
		out[i] = source_es_aggs_num(jx_at(vals, i), "value");
}

void
source_es_aggs_time_buckets(const struct source_es_layout *l,
    double interval, struct jsub_params *p)
{
	struct json_object *h = json_object_new_object();
	char buf[32];

	json_object_object_add(h, "field",
	    json_object_new_string(l->time_field));
	json_object_object_add(h, "min_doc_count", json_object_new_int(1));
	if (l->time_is_date) {
		snprintf(buf, sizeof(buf), "%.0fs", interval);
		json_object_object_add(h, "fixed_interval",
		    json_object_new_string(buf));
		jsub_set(p, "date_histogram", h);
	} else {
		json_object_object_add(h, "interval", analysis_num(interval));
		jsub_set(p, "histogram", h);
	}
}

int
source_es_aggs_seen(struct hmap *seen, const void *key, size_t len)
{
	if (hmap_get(seen, key, len) != NULL)
		return 1;
	hmap_put(seen, key, len, seen);
	return 0;
}

/* Runs one aggregation query; NULL with *cause on failure. */
static struct json_object *
source_es_aggs_search(struct es *es, const char *index,
    struct json_object *body, char **cause)
{
	struct json_object *res = NULL;
	char *path = util_printf("/%s/_search", index);

	if (es_call(es, "POST", path, body, 0, &res, cause) == -1)
		res = NULL;
	free(path);
	return res;
}

/* The key whose field a group key is read from (endpoint: the outcome). */
static enum agg_key
source_es_aggs_field_key(enum agg_key k)
{
	return k == AGG_KEY_ENDPOINT ? AGG_KEY_OUTCOME : k;
}

/*
 * The composite sources: one terms source per field the keys read, named
 * by that field's key ("outcome" serves --by outcome and --by endpoint).
 */
static struct json_object *
source_es_aggs_sources(const struct source_es_aggs_run *r)
{
	struct json_object *sources = json_object_new_array(), *src, *te, *k;
	int done[AGG_KEY_COUNT] = { 0 };
	enum agg_key fk;
	size_t i;

	for (i = 0; i < r->o->nkeys; i++) {
		fk = source_es_aggs_field_key(r->o->keys[i]);
		if (done[fk]++)
			continue;
		te = json_object_new_object();
		json_object_object_add(te, "field", json_object_new_string(
		    r->l->key_field[fk]));
		json_object_object_add(te, "missing_bucket",
		    json_object_new_boolean(1));
		k = json_object_new_object();
		json_object_object_add(k, "terms", te);
		src = json_object_new_object();
		json_object_object_add(src, agg_key_name(fk), k);
		json_object_array_add(sources, src);
	}
	return sources;
}

/*
 * Asks for one page of groups (after: the last key, taken, or NULL); the
 * answer's text in res (caller releases). 0 or -1 with *cause.
 */
static int
source_es_aggs_groups_page(const struct source_es_aggs_run *r,
    struct json_object *q, const char *field, const double *g, size_t ng,
    struct json_object *after, struct http_response *res, char **cause)
{
	struct json_object *body;
	struct jsub_params *p;
	int rc;

	p = jsub_params_new();
	jsub_set(p, "query", json_object_get(q));
	jsub_set_number(p, "page", SOURCE_ES_AGGS_PAGE);
	jsub_set(p, "sources", source_es_aggs_sources(r));
	if (after != NULL)
		jsub_set(p, "after", after);
	jsub_set(p, "elapsed", source_es_aggs_field(field));
	jsub_set(p, "percentiles", source_es_aggs_percentiles(field, g, ng,
	    r->o->hdr));
	jsub_set_string(p, "time_field", r->l->time_field);
	body = source_es_query_template("aggs-groups.json", p, cause);
	jsub_params_free(p);
	http_response_init(res);
	rc = body ? source_es_walk_search(r->es, r->o->index, body, res,
	    cause) : -1;
	json_object_put(body);
	return rc;
}

/* Where the buckets of a composite pass go. */
struct source_es_aggs_pass {
	const struct source_es_aggs_run *r;
	size_t ng;
	struct source_es_cells *cells;
	struct hmap *seen;		/* raw bucket keys of the pass */
	struct strbuf norm;
	unsigned long long buckets;	/* of the pass so far */
};

/*
 * The value of key k of a group from the bucket's raw key (borrowed):
 * types and outcomes in their normal form (unless o->raw), the endpoint
 * cut from the outcome (null when it has none). Caller puts.
 */
static struct json_object *
source_es_aggs_value(const struct source_es_opts *o, struct json_object *raw,
    enum agg_key k, struct strbuf *norm)
{
	struct json_object *v = NULL;
	const char *ep = NULL;

	json_object_object_get_ex(raw, agg_key_name(
	    source_es_aggs_field_key(k)), &v);
	if (v == NULL || json_object_is_type(v, json_type_null))
		return NULL;
	if (o->raw)
		return k == AGG_KEY_ENDPOINT ? NULL : json_object_get(v);
	switch (k) {
	case AGG_KEY_TRACED_TYPE:
		trace_normal_value(TRACE_VALUE_TYPE, json_object_get_string(v),
		    norm, NULL);
		return json_object_new_string(norm->data);
	case AGG_KEY_OUTCOME:
	case AGG_KEY_ENDPOINT:
		trace_normal_value(TRACE_VALUE_OUTCOME,
		    json_object_get_string(v), norm, &ep);
		if (k == AGG_KEY_OUTCOME)
			return json_object_new_string(norm->data);
		return ep ? json_object_new_string(ep) : NULL;
	default:
		return json_object_get(v);
	}
}

/* Adds one composite bucket to the cell of its group. */
static int
source_es_aggs_group_bucket(struct json_object *b, void *arg, char **cause)
{
	struct source_es_aggs_pass *ps = arg;
	const struct source_es_aggs_run *r = ps->r;
	struct json_object *raw = NULL, *stats = NULL, *k;
	struct source_es_side *sd;
	const char *text;
	size_t j;

	(void)cause;
	ps->buckets++;
	json_object_object_get_ex(b, "key", &raw);
	text = json_object_to_json_string_ext(raw, JSON_C_TO_STRING_PLAIN);
	/* A server that repeats a bucket is believed once. */
	if (source_es_aggs_seen(ps->seen, text, strlen(text)))
		return 0;
	json_object_object_get_ex(b, "elapsed", &stats);
	k = json_object_new_object();
	for (j = 0; j < r->o->nkeys; j++)
		json_object_object_add(k, agg_key_name(r->o->keys[j]),
		    source_es_aggs_value(r->o, raw, r->o->keys[j], &ps->norm));
	sd = source_es_cells_side(ps->cells, k, 0);
	json_object_put(k);
	sd->count = source_es_aggs_num(stats, "count");
	sd->min = source_es_aggs_num(stats, "min");
	sd->max = source_es_aggs_num(stats, "max");
	sd->mean = source_es_aggs_num(stats, "avg");
	sd->std = source_es_aggs_num(stats, "std_deviation");
	sd->first = source_es_aggs_time(r->l, b, "first");
	sd->last = source_es_aggs_time(r->l, b, "last");
	source_es_aggs_pct_values(json_object_object_get(b, "pct"), ps->ng,
	    sd->pv);
	return 0;
}

/*
 * Checks the after_key of a page (taken) against those seen: a server
 * that sends one again, or more groups than documents, would be asked
 * for pages forever. Returns after, or NULL with *cause.
 */
static struct json_object *
source_es_aggs_after(const struct source_es_aggs_run *r, struct hmap *seen,
    struct json_object *after, unsigned long long groups, char **cause)
{
	const char *k = json_object_to_json_string_ext(after,
	    JSON_C_TO_STRING_PLAIN);
	struct strbuf b;

	if (hmap_get(seen, k, strlen(k)) == NULL &&
	    groups <= r->total + r->total / 20 + SOURCE_ES_AGGS_PAGE) {
		hmap_put(seen, k, strlen(k), seen);
		return after;
	}
	strbuf_init(&b, 0);
	util_safe_append(&b, k);
	if (hmap_get(seen, k, strlen(k)) != NULL)
		util_fail(cause, "composite aggregation: the server sent the "
		    "after_key %.200s again; stopping", b.data);
	else
		util_fail(cause, "composite aggregation: the server sent more "
		    "groups (%llu) than the %llu documents it counted; "
		    "stopping", groups, r->total);
	strbuf_release(&b);
	json_object_put(after);
	return NULL;
}

/* Asks for the pages of one composite pass until the last. */
static int
source_es_aggs_groups_pages(struct source_es_aggs_pass *ps,
    struct json_object *q, const char *field, const double *g,
    char **cause)
{
	static const char *const bp[] = { "aggregations", "groups", "buckets" };
	static const char *const ap[] = { "aggregations", "groups",
	    "after_key" };
	const struct source_es_aggs_run *r = ps->r;
	struct json_object *after = NULL;
	struct hmap *afters = hmap_new();
	struct http_response res;
	unsigned long long before;
	char *why = NULL;
	int rc = -1;

	for (;;) {
		before = ps->buckets;
		if (source_es_aggs_groups_page(r, q, field, g, ps->ng, after,
		    &res, cause) == -1 || source_es_walk(res.body.data,
		    res.body.len, bp, 3, source_es_aggs_group_bucket, ps,
		    cause) == -1) {
			http_response_release(&res);
			break;
		}
		after = ps->buckets > before ? source_es_walk_member(
		    res.body.data, res.body.len, ap, 3, &why) : NULL;
		http_response_release(&res);
		if (after == NULL) {	/* the last page, or a bad key */
			rc = why == NULL ? 0 : util_fail(cause, "%s", why);
			break;
		}
		after = source_es_aggs_after(r, afters, after, ps->buckets,
		    cause);
		if (after == NULL)
			break;
		if (interrupt_pending()) {
			json_object_put(after);
			util_fail(cause, "interrupted");
			break;
		}
	}
	free(why);
	hmap_free(afters, NULL);
	return rc;
}

/* One composite pass over the documents holding field. */
static int
source_es_aggs_groups_pass(const struct source_es_aggs_run *r,
    const char *field, const double *g, size_t ng,
    struct source_es_cells *cells, char **cause)
{
	struct source_es_aggs_pass ps;
	struct json_object *q;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.r = r;
	ps.ng = ng;
	ps.cells = cells;
	ps.seen = hmap_new();
	strbuf_init(&ps.norm, 0);
	q = source_es_query_with(r->query, field);
	rc = source_es_aggs_groups_pages(&ps, q, field, g, cause);
	json_object_put(q);
	strbuf_release(&ps.norm);
	hmap_free(ps.seen, NULL);
	return rc;
}

/* The group of a merged cell, with the asked percentiles. */
static struct json_object *
source_es_aggs_group(const struct source_es_aggs_run *r,
    const struct source_es_cell *cell, const double *grid, size_t ng,
    const struct source_es_side *m)
{
	struct json_object *g = json_object_new_object(), *pcts;
	const struct source_es_opts *o = r->o;
	char name[32];
	size_t j;

	json_object_object_add(g, "key", json_object_get(cell->key));
	json_object_object_add(g, "count",
	    json_object_new_int64((int64_t)m->count));
	json_object_object_add(g, "min", analysis_num(m->min));
	json_object_object_add(g, "max", analysis_num(m->max));
	json_object_object_add(g, "mean", analysis_num(m->mean));
	json_object_object_add(g, "stddev", analysis_num(m->std));
	pcts = json_object_new_object();
	for (j = 0; j < o->npcts; j++)
		json_object_object_add(pcts, analysis_pct_name(o->pcts[j],
		    name), analysis_num(source_es_cells_pct(cell, grid, ng,
		    o->pcts[j])));
	json_object_object_add(g, "percentiles", pcts);
	json_object_object_add(g, "first", analysis_time(m->first));
	json_object_object_add(g, "last", analysis_time(m->last));
	json_object_object_add(g, "rate", analysis_num(analysis_rate(
	    (unsigned long long)m->count, m->first, m->last)));
	return g;
}

/* The groups array: one pass per elapsed field, merged. */
static int
source_es_aggs_groups(const struct source_es_aggs_run *r,
    struct json_object *groups, unsigned long long *accepted, double *first,
    double *last, char **cause)
{
	struct source_es_cells cells;
	struct source_es_side m;
	double grid[SOURCE_ES_CELLS_GRID_MAX];
	size_t ng, i;
	int rc = 0;

	ng = source_es_cells_grid_with(r->o->pcts, r->o->npcts, grid);
	source_es_cells_init(&cells);
	if (r->l->have_ellapsed)
		rc = source_es_aggs_groups_pass(r, "ellapsed_milli", grid, ng,
		    &cells, cause);
	if (rc == 0 && r->l->have_elapsed)
		rc = source_es_aggs_groups_pass(r, "elapsed_milli", grid, ng,
		    &cells, cause);
	if (rc == -1) {
		source_es_cells_release(&cells);
		return -1;
	}
	source_es_cells_sort(&cells);
	for (i = 0; i < cells.n; i++) {
		m = source_es_cells_stats(&cells.v[i]);
		json_object_array_add(groups, source_es_aggs_group(r,
		    &cells.v[i], grid, ng, &m));
		*accepted += (unsigned long long)m.count;
		if (i == 0 || m.first < *first)
			*first = m.first;
		if (i == 0 || m.last > *last)
			*last = m.last;
	}
	source_es_cells_release(&cells);
	return 0;
}

/*
 * Counts the documents of query (borrowed) in *n: size 0, every hit
 * counted, no aggregation. 0 or -1 with *cause.
 */
static int
source_es_aggs_hits(struct es *es, const char *index,
    struct json_object *query, struct json_object *aggs,
    unsigned long long *n, struct json_object **res, char **cause)
{
	struct json_object *body, *hits, *tot;
	struct jsub_params *p = jsub_params_new();

	jsub_set(p, "query", json_object_get(query));
	if (aggs != NULL)
		jsub_set(p, "window_aggs", aggs);
	body = source_es_query_template("count.json", p, cause);
	jsub_params_free(p);
	if (body == NULL)
		return -1;
	*res = source_es_aggs_search(es, index, body, cause);
	json_object_put(body);
	if (*res == NULL)
		return -1;
	*n = 0;
	if (json_object_object_get_ex(*res, "hits", &hits) &&
	    json_object_object_get_ex(hits, "total", &tot))
		*n = json_object_is_type(tot, json_type_object) ?
		    (unsigned long long)source_es_aggs_num(tot, "value") :
		    (unsigned long long)json_object_get_int64(tot);
	return 0;
}

int
source_es_aggs_count(struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    unsigned long long *total, double *first, double *last, char **cause)
{
	struct json_object *res, *aggs, *window = NULL;
	struct jsub_params *w;

	if (l->time_field != NULL) {
		w = jsub_params_new();
		jsub_set_string(w, "time_field", l->time_field);
		window = source_es_query_template("window-aggs.json", w, cause);
		jsub_params_free(w);
	}
	if (source_es_aggs_hits(es, o->index, query, window, total, &res,
	    cause) == -1)
		return -1;
	*first = *last = 0;
	if (json_object_object_get_ex(res, "aggregations", &aggs)) {
		*first = source_es_aggs_time(l, aggs, "first");
		*last = source_es_aggs_time(l, aggs, "last");
	}
	json_object_put(res);
	return 0;
}

/*
 * Counts in *n the agent start-up probes among the documents of the run's
 * query (before the probes are left out of it), as the pipeline counts
 * them: those holding an elapsed value (a probe without one is rejected
 * first). 0 or -1 with *cause.
 */
static int
source_es_aggs_probes(const struct source_es_aggs_run *r,
    unsigned long long *n, char **cause)
{
	struct json_object *probe = source_es_query_probe(r->l), *q = NULL;
	struct json_object *b, *f, *res = NULL;
	int rc;

	*n = 0;
	if (probe == NULL)
		return 0;
	json_object_deep_copy(r->query, &q, NULL);
	if (json_object_object_get_ex(q, "bool", &b) &&
	    json_object_object_get_ex(b, "filter", &f))
		json_object_array_add(f, probe);
	else
		json_object_put(probe);
	rc = source_es_aggs_hits(r->es, r->o->index, q, NULL, n, &res, cause);
	json_object_put(res);
	json_object_put(q);
	return rc;
}

/* Checks that the index has what aggs mode needs; 0 or -1 with *cause. */
static int
source_es_aggs_check(const struct source_es_layout *l,
    const struct source_es_opts *o, char **cause)
{
	enum agg_key fk;
	size_t k;

	for (k = 0; k < o->nkeys; k++) {
		fk = source_es_aggs_field_key(o->keys[k]);
		if (l->key_field[fk] == NULL)
			return util_fail(cause, "--by %s: the index has no "
			    "aggregatable %s field (keyword, or text with "
			    ".keyword); try --mode raw", agg_key_name(
			    o->keys[k]), agg_key_name(fk));
	}
	if (!l->have_ellapsed && !l->have_elapsed)
		return util_fail(cause, "the index has no numeric "
		    "ellapsed_milli or elapsed_milli field; try --mode raw");
	if (l->time_field == NULL)
		return util_fail(cause, "the index has no time field "
		    "(@timestamp, str_time as a date, or timestamp as a "
		    "double); try --mode raw");
	return 0;
}

/* The asked interval, or the first of the ladder giving <= 300 bins. */
static double
source_es_aggs_interval(double interval, double first, double last)
{
	static const double ladder[] = { 1, 2, 10, 30, 60, 300, 600, 1800,
	    3600, 7200, 21600, 86400 };
	double span = last - first;
	size_t i;

	if (!(interval <= 0))
		return interval;
	interval = ladder[0];
	for (i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++) {
		interval = ladder[i];
		if (span / interval <= 300)
			break;
	}
	return interval;
}

/* The document from the server's figures (groups, series and so on). */
static struct json_object *
source_es_aggs_doc(const struct source_es_opts *o, struct json_object *source,
    const struct analysis_counts *c, double gf, double gl,
    struct json_object *groups, struct json_object *series,
    struct json_object *spectrum, struct json_object *outcomes)
{
	struct analysis_request req;
	struct json_object *doc;

	source_es_request(o, source, &req);
	doc = analysis_doc_new(c, &req, gf, gl);
	json_object_object_add(doc, "groups", groups);
	json_object_object_add(doc, "percentile_method", analysis_method(
	    o->hdr ? "hdr" : "tdigest", 0, o->hdr ?
	    "the server's approximation: HDR histogram, 3 significant digits" :
	    "the server's approximation: t-digest, compression 100"));
	json_object_object_add(doc, "series", series);
	json_object_object_add(doc, "spectrum", spectrum);
	json_object_object_add(doc, "outcomes", outcomes);
	return doc;
}

/*
 * The counts of an aggs analysis: read is what the query matched, the
 * groups' events are accepted, probes are agent starts and the rest had
 * no elapsed value.
 */
static void
source_es_aggs_counts(struct analysis_counts *c, unsigned long long total,
    unsigned long long probes)
{
	c->agent_starts = probes;
	c->read = total > c->accepted + probes ? total : c->accepted + probes;
	c->rejected = c->read - c->accepted - probes;
	c->by_reason[TRACE_REJ_NO_ELAPSED] = c->rejected;
	c->by_shape[TRACE_SHAPE_HIT] = c->accepted;
}

struct json_object *
source_es_aggs(struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, struct json_object *source,
    unsigned long long total, double first, double last, int *partial,
    char **cause)
{
	struct source_es_aggs_run r = { es, l, o, NULL, total };
	struct analysis_counts c;
	struct json_object *groups, *series = NULL, *outcomes = NULL;
	struct json_object *spectrum = NULL;
	unsigned long long probes = 0;
	double interval, gf = 0, gl = 0;

	if (source_es_aggs_check(l, o, cause) == -1)
		return NULL;
	r.query = source_es_query(l, o, 1, 1, cause);
	if (r.query == NULL)
		return NULL;
	memset(&c, 0, sizeof(c));
	groups = json_object_new_array();
	if (source_es_aggs_probes(&r, &probes, cause) == 0) {
		source_es_query_not_probe(r.query, l);
		if (source_es_aggs_groups(&r, groups, &c.accepted, &gf, &gl,
		    cause) == 0) {
			interval = source_es_aggs_interval(o->interval, first,
			    last);
			series = source_es_series(&r, interval, &spectrum,
			    cause);
			outcomes = series ? source_es_series_outcomes(&r,
			    interval, cause) : NULL;
		}
	}
	json_object_put(r.query);
	if (series == NULL || outcomes == NULL) {
		json_object_put(groups);
		json_object_put(series);
		json_object_put(spectrum);
		return NULL;
	}
	source_es_aggs_counts(&c, total, probes);
	*partial = 0;
	json_object_object_add(source, "partial", json_object_new_boolean(0));
	return source_es_aggs_doc(o, source, &c, gf, gl, groups, series,
	    spectrum, outcomes);
}
