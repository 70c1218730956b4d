/*
 * source_es_series.c: aggs mode over time: the series and spectrum per
 * label (date_histogram, or histogram on epoch seconds), one pass per
 * elapsed field merged cell by cell, and the outcomes per label over time,
 * their outcomes normalised (trace_normal_value) and merged as files
 * group them.
 */
#include "source_es_priv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "hmap.h"
#include "http.h"
#include "jscan.h"
#include "jsub.h"
#include "jx.h"
#include "strbuf.h"
#include "trace.h"
#include "util.h"

/* The spectrum's percentiles beyond the mixing grid. */
static const double source_es_series_spec_extra[] = { 99.99 };

/* The series query of the documents holding field (caller puts). */
static struct json_object *
source_es_series_body(const struct source_es_aggs_run *r, const char *field,
    double interval, char **cause)
{
	struct json_object *q, *body;
	struct jsub_params *p;
	double sgrid[SOURCE_ES_CELLS_GRID_MAX];
	size_t sg;

	q = source_es_query_with(r->query, field);
	source_es_query_not_start(q, r->l);
	p = jsub_params_new();
	jsub_set(p, "query", q);
	jsub_set_string(p, "label_field", r->l->key_field[AGG_KEY_LABEL]);
	sg = source_es_cells_grid_with(source_es_series_spec_extra, 1, sgrid);
	jsub_set(p, "spectrum", source_es_aggs_percentiles(field, sgrid, sg,
	    r->o->hdr));
	source_es_aggs_time_buckets(r->l, interval, p);
	jsub_set(p, "percentiles", source_es_aggs_percentiles(field,
	    source_es_cells_grid, SOURCE_ES_CELLS_NGRID, r->o->hdr));
	jsub_set(p, "elapsed", source_es_aggs_field(field));
	body = source_es_query_template("aggs-series.json", p, cause);
	jsub_params_free(p);
	return body;
}

/* A {"label": lk} key (caller puts). */
static struct json_object *
source_es_series_label_key(struct json_object *lk)
{
	struct json_object *key = json_object_new_object();

	json_object_object_add(key, "label", json_object_get(lk));
	return key;
}

/* Where one series pass puts a label's time bins and spectrum. */
struct source_es_series_pass {
	const struct source_es_aggs_run *r;
	struct source_es_cells *cells, *spec;
	struct hmap *seen;		/* raw bucket keys of the pass */
	struct strbuf k;
	size_t sg;			/* spectrum percents */
	struct json_object *label;	/* of the bucket being read */
	int skip;			/* the label bucket came before */
};

/*
 * Says whether the pass had the bucket of the current label (and time
 * ts, when bin) already, noting it when not.
 */
static int
source_es_series_repeated(struct source_es_series_pass *se, int bin,
    double ts)
{
	const char *l = json_object_to_json_string_ext(se->label,
	    JSON_C_TO_STRING_PLAIN);

	strbuf_reset(&se->k);
	strbuf_addc(&se->k, bin ? 'b' : 's');
	if (bin)
		strbuf_add(&se->k, &ts, sizeof(ts));
	strbuf_adds(&se->k, l);
	return source_es_aggs_seen(se->seen, se->k.data, se->k.len);
}

/* Adds a label bucket's spectrum (sg percents) to the label's cell. */
static void
source_es_series_spectrum_bucket(struct source_es_series_pass *se,
    struct json_object *lb)
{
	struct json_object *key, *sp = NULL;
	struct source_es_side *sd;

	key = source_es_series_label_key(se->label);
	sd = source_es_cells_side(se->spec, key, 0);
	json_object_put(key);
	sd->count = source_es_aggs_num(lb, "doc_count");
	json_object_object_get_ex(lb, "smin", &sp);
	sd->min = source_es_aggs_num(sp, "value");
	json_object_object_get_ex(lb, "smax", &sp);
	sd->max = source_es_aggs_num(sp, "value");
	if (json_object_object_get_ex(lb, "spec", &sp))
		source_es_aggs_pct_values(sp, se->sg, sd->pv);
}

/* Adds one time bin of the current label to the series cells. */
static int
source_es_series_bin(struct json_object *x, void *arg, char **cause)
{
	struct source_es_series_pass *se = arg;
	struct json_object *key;
	struct source_es_side *sd;
	double ts = source_es_aggs_num(x, "key") /
	    (se->r->l->time_is_date ? 1000 : 1);

	(void)cause;
	if (source_es_series_repeated(se, 1, ts))
		return 0;
	key = source_es_series_label_key(se->label);
	sd = source_es_cells_side(se->cells, key, ts);
	json_object_put(key);
	sd->count = source_es_aggs_num(x, "doc_count");
	sd->max = source_es_aggs_num(json_object_object_get(x, "max"),
	    "value");
	source_es_aggs_pct_values(json_object_object_get(x, "pct"),
	    SOURCE_ES_CELLS_NGRID, sd->pv);
	sd->min = sd->pv[0];
	return 0;
}

/*
 * Reads one label bucket: its spectrum from the small members, then its
 * time bins one at a time (a label may have thousands).
 */
static int
source_es_series_label(const char *text, size_t len, void *arg,
    char **cause)
{
	static const char *const bins[] = { "buckets" };
	struct source_es_series_pass *se = arg;
	struct json_object *head;
	struct jscan_member t;
	int rc = 0;

	head = source_es_walk_head(text, len, "t", &t, cause);
	if (head == NULL)
		return -1;
	se->label = json_object_object_get(head, "key");
	if (!source_es_series_repeated(se, 0, 0))
		source_es_series_spectrum_bucket(se, head);
	if (t.val != NULL && t.type == JSCAN_OBJECT)
		rc = source_es_walk(t.val, t.vlen, bins, 1,
		    source_es_series_bin, se, cause);
	se->label = NULL;
	json_object_put(head);
	return rc;
}

/* One series pass over the documents holding field. */
static int
source_es_series_pass(const struct source_es_aggs_run *r, const char *field,
    double interval, struct source_es_cells *cells,
    struct source_es_cells *spec, char **cause)
{
	static const char *const labels[] = { "aggregations", "labels",
	    "buckets" };
	struct source_es_series_pass se;
	double sgrid[SOURCE_ES_CELLS_GRID_MAX];
	struct json_object *body;
	struct http_response res;
	int rc;

	body = source_es_series_body(r, field, interval, cause);
	if (body == NULL)
		return -1;
	http_response_init(&res);
	rc = source_es_walk_search(r->es, r->o->index, body, &res, cause);
	json_object_put(body);
	memset(&se, 0, sizeof(se));
	se.r = r;
	se.cells = cells;
	se.spec = spec;
	se.seen = hmap_new();
	strbuf_init(&se.k, 0);
	se.sg = source_es_cells_grid_with(source_es_series_spec_extra, 1,
	    sgrid);
	if (rc == 0)
		rc = source_es_walk_text(res.body.data, res.body.len, labels, 3,
		    source_es_series_label, &se, cause);
	http_response_release(&res);
	hmap_free(se.seen, NULL);
	strbuf_release(&se.k);
	return rc;
}

/* The spectrum of each label from its merged cell (sorted by label). */
static struct json_object *
source_es_series_spectrum(struct source_es_cells *spec)
{
	static const double sq[] = { 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9,
	    99.99 };
	static const size_t nsq = sizeof(sq) / sizeof(sq[0]);
	struct json_object *out = json_object_new_array(), *sp, *sa, *p, *lab;
	struct source_es_side m;
	double sgrid[SOURCE_ES_CELLS_GRID_MAX], q;
	size_t i, k, sg;

	sg = source_es_cells_grid_with(source_es_series_spec_extra, 1, sgrid);
	source_es_cells_sort(spec);
	for (i = 0; i < spec->n; i++) {
		m = source_es_cells_stats(&spec->v[i]);
		sp = json_object_new_object();
		json_object_object_get_ex(spec->v[i].key, "label", &lab);
		json_object_object_add(sp, "label", json_object_get(lab));
		json_object_object_add(sp, "count",
		    json_object_new_int64((int64_t)m.count));
		sa = json_object_new_array();
		for (k = 0; k < nsq + 2; k++) {
			q = k == 0 ? 0 : k <= nsq ? sq[k - 1] : 100;
			p = json_object_new_object();
			json_object_object_add(p, "q", analysis_num(q));
			json_object_object_add(p, "v", analysis_num(q == 0 ?
			    m.min : q == 100 ? m.max : source_es_cells_pct(
			    &spec->v[i], sgrid, sg, q)));
			json_object_array_add(sa, p);
		}
		json_object_object_add(sp, "points", sa);
		json_object_array_add(out, sp);
	}
	return out;
}

/* One series point from a merged time bin. */
static struct json_object *
source_es_series_point(const struct source_es_cell *cell)
{
	struct source_es_side m = source_es_cells_stats(cell);
	struct json_object *pt = json_object_new_object();
	static const double q[] = { 50, 95, 99 };
	static const char *const name[] = { "p50", "p95", "p99" };
	size_t i;

	json_object_object_add(pt, "t", analysis_time(cell->ts));
	json_object_object_add(pt, "ts", analysis_num(cell->ts));
	json_object_object_add(pt, "count",
	    json_object_new_int64((int64_t)m.count));
	for (i = 0; i < 3; i++)
		json_object_object_add(pt, name[i], analysis_num(
		    source_es_cells_pct(cell, source_es_cells_grid,
		    SOURCE_ES_CELLS_NGRID, q[i])));
	json_object_object_add(pt, "max", analysis_num(m.max));
	return pt;
}

/* The series of each label from the merged time bins (sorted). */
static struct json_object *
source_es_series_labels(struct source_es_cells *cells)
{
	struct json_object *arr = json_object_new_array(), *s, *pts = NULL;
	struct json_object *lab;
	const char *cur = NULL, *name;
	size_t i;

	source_es_cells_sort(cells);
	for (i = 0; i < cells->n; i++) {
		json_object_object_get_ex(cells->v[i].key, "label", &lab);
		name = jx_str(lab, "");
		if (cur == NULL || strcmp(cur, name) != 0) {
			s = json_object_new_object();
			json_object_object_add(s, "label",
			    json_object_get(lab));
			pts = json_object_new_array();
			json_object_object_add(s, "points", pts);
			json_object_array_add(arr, s);
			cur = name;
		}
		json_object_array_add(pts, source_es_series_point(
		    &cells->v[i]));
	}
	return arr;
}

struct json_object *
source_es_series(const struct source_es_aggs_run *r, double interval,
    struct json_object **spectrum, char **cause)
{
	struct json_object *series;
	struct source_es_cells cells, spec;
	int rc = 0;

	source_es_cells_init(&cells);
	source_es_cells_init(&spec);
	if (r->l->have_ellapsed)
		rc = source_es_series_pass(r, "ellapsed_milli", interval,
		    &cells, &spec, cause);
	if (rc == 0 && r->l->have_elapsed)
		rc = source_es_series_pass(r, "elapsed_milli", interval,
		    &cells, &spec, cause);
	series = NULL;
	if (rc == 0) {
		*spectrum = source_es_series_spectrum(&spec);
		series = json_object_new_object();
		json_object_object_add(series, "interval_s",
		    analysis_num(interval));
		json_object_object_add(series, "labels",
		    source_es_series_labels(&cells));
	}
	source_es_cells_release(&cells);
	source_es_cells_release(&spec);
	return series;
}

/* One point of an outcome series: label, normal outcome, bin, count. */
struct source_es_series_opoint {
	char *label;
	char *outcome;
	double ts;
	unsigned long long count;
};

/* Where the outcome series go while the label buckets are read. */
struct source_es_series_outcome {
	const struct source_es_aggs_run *r;
	struct hmap *index;		/* label, outcome, ts -> number + 1 */
	struct hmap *seen;		/* raw label, outcome, ts */
	struct source_es_series_opoint *v;
	size_t n, cap;
	struct strbuf k, norm;
	struct json_object *label;	/* of the label bucket being read */
	const char *raw;		/* of the outcome bucket being read */
};

/* Appends a NUL-terminated value to an encoded key; NULL stays apart. */
static void
source_es_series_key_add(struct strbuf *b, const char *v)
{
	strbuf_addc(b, v == NULL ? '\0' : '\1');
	if (v != NULL)
		strbuf_add(b, v, strlen(v) + 1);
}

/* Adds count events of the normal outcome at ts to its point. */
static void
source_es_series_ocount(struct source_es_series_outcome *oc, const char *lab,
    const char *out, double ts, unsigned long long count)
{
	struct source_es_series_opoint *p;
	size_t at;

	strbuf_reset(&oc->k);
	source_es_series_key_add(&oc->k, lab);
	source_es_series_key_add(&oc->k, out);
	strbuf_add(&oc->k, &ts, sizeof(ts));
	at = (size_t)(uintptr_t)hmap_get(oc->index, oc->k.data, oc->k.len);
	if (at != 0) {
		oc->v[at - 1].count += count;
		return;
	}
	if (oc->n == oc->cap) {
		oc->cap = oc->cap ? oc->cap * 2 : 64;
		oc->v = util_realloc(oc->v, oc->cap * sizeof(*oc->v));
	}
	p = &oc->v[oc->n++];
	p->label = lab ? util_strdup(lab) : NULL;
	p->outcome = out ? util_strdup(out) : NULL;
	p->ts = ts;
	p->count = count;
	hmap_put(oc->index, oc->k.data, oc->k.len, (void *)(uintptr_t)oc->n);
}

/* Adds one time bin of the current label and outcome. */
static int
source_es_series_outcome_point(struct json_object *y, void *arg,
    char **cause)
{
	struct source_es_series_outcome *oc = arg;
	const char *lab = json_object_get_string(oc->label);
	double ts = source_es_aggs_num(y, "key") /
	    (oc->r->l->time_is_date ? 1000 : 1);

	(void)cause;
	strbuf_reset(&oc->k);
	source_es_series_key_add(&oc->k, lab);
	source_es_series_key_add(&oc->k, oc->raw);
	strbuf_add(&oc->k, &ts, sizeof(ts));
	/* A server that repeats a bucket is believed once. */
	if (source_es_aggs_seen(oc->seen, oc->k.data, oc->k.len))
		return 0;
	if (oc->raw != NULL && !oc->r->o->raw)
		trace_normal_value(TRACE_VALUE_OUTCOME, oc->raw, &oc->norm,
		    NULL);
	source_es_series_ocount(oc, lab, oc->raw == NULL || oc->r->o->raw ?
	    oc->raw : oc->norm.data, ts, (unsigned long long)
	    source_es_aggs_num(y, "doc_count"));
	return 0;
}

/* Reads the time bins of one outcome bucket of the current label. */
static int
source_es_series_outcome_bucket(const char *text, size_t len, void *arg,
    char **cause)
{
	static const char *const bins[] = { "buckets" };
	struct source_es_series_outcome *oc = arg;
	struct json_object *head, *ok;
	struct jscan_member t;
	int rc = 0;

	head = source_es_walk_head(text, len, "t", &t, cause);
	if (head == NULL)
		return -1;
	ok = json_object_object_get(head, "key");
	oc->raw = ok ? json_object_get_string(ok) : NULL;
	if (t.val != NULL && t.type == JSCAN_OBJECT)
		rc = source_es_walk(t.val, t.vlen, bins, 1,
		    source_es_series_outcome_point, oc, cause);
	oc->raw = NULL;
	json_object_put(head);
	return rc;
}

/* Reads the outcome buckets of one label bucket. */
static int
source_es_series_outcome_label(const char *text, size_t len, void *arg,
    char **cause)
{
	static const char *const outcomes[] = { "buckets" };
	struct source_es_series_outcome *oc = arg;
	struct json_object *head;
	struct jscan_member ob;
	int rc = 0;

	head = source_es_walk_head(text, len, "outcomes", &ob, cause);
	if (head == NULL)
		return -1;
	oc->label = json_object_object_get(head, "key");
	if (ob.val != NULL && ob.type == JSCAN_OBJECT)
		rc = source_es_walk_text(ob.val, ob.vlen, outcomes, 1,
		    source_es_series_outcome_bucket, oc, cause);
	oc->label = NULL;
	json_object_put(head);
	return rc;
}

/* Orders outcome points by label, outcome, time (as files do). */
static int
source_es_series_ocmp(const void *pa, const void *pb)
{
	const struct source_es_series_opoint *a = pa, *b = pb;
	int c = util_strcmp_null(a->label, b->label);

	if (c == 0)
		c = util_strcmp_null(a->outcome, b->outcome);
	if (c == 0 && a->ts != b->ts)
		c = a->ts < b->ts ? -1 : 1;
	return c;
}

/* Adds the merged points, one series per label and outcome, to arr. */
static void
source_es_series_outcome_list(struct source_es_series_outcome *oc,
    struct json_object *arr)
{
	struct source_es_series_opoint *p, *prev = NULL;
	struct json_object *s, *pts = NULL, *pt;
	size_t i;

	util_sort(oc->v, oc->n, sizeof(*oc->v), source_es_series_ocmp);
	for (i = 0; i < oc->n; i++, prev = p) {
		p = &oc->v[i];
		if (prev == NULL || util_strcmp_null(p->label,
		    prev->label) != 0 || util_strcmp_null(p->outcome,
		    prev->outcome) != 0) {
			s = json_object_new_object();
			json_object_object_add(s, "label", p->label ?
			    json_object_new_string(p->label) : NULL);
			json_object_object_add(s, "outcome", p->outcome ?
			    json_object_new_string(p->outcome) : NULL);
			json_object_object_add(s, "error",
			    json_object_new_boolean(analysis_outcome_is_error(
			    p->outcome)));
			pts = json_object_new_array();
			json_object_object_add(s, "points", pts);
			json_object_array_add(arr, s);
		}
		pt = json_object_new_object();
		json_object_object_add(pt, "ts", analysis_num(p->ts));
		json_object_object_add(pt, "count",
		    json_object_new_int64((int64_t)p->count));
		json_object_array_add(pts, pt);
	}
}

/* Frees what the outcome series held. */
static void
source_es_series_outcome_release(struct source_es_series_outcome *oc)
{
	size_t i;

	for (i = 0; i < oc->n; i++) {
		free(oc->v[i].label);
		free(oc->v[i].outcome);
	}
	free(oc->v);
	hmap_free(oc->index, NULL);
	hmap_free(oc->seen, NULL);
	strbuf_release(&oc->k);
	strbuf_release(&oc->norm);
}

/* Asks for the outcomes over time and reads the answer into oc. */
static int
source_es_series_outcome_read(struct source_es_series_outcome *oc,
    double interval, char **cause)
{
	static const char *const labels[] = { "aggregations", "labels",
	    "buckets" };
	const struct source_es_aggs_run *r = oc->r;
	struct json_object *body;
	struct http_response res;
	struct jsub_params *p;
	int rc;

	p = jsub_params_new();
	jsub_set(p, "query", json_object_get(r->query));
	jsub_set_string(p, "label_field", r->l->key_field[AGG_KEY_LABEL]);
	jsub_set_string(p, "outcome_field", r->l->key_field[AGG_KEY_OUTCOME]);
	source_es_aggs_time_buckets(r->l, interval, p);
	body = source_es_query_template("aggs-outcomes.json", p, cause);
	jsub_params_free(p);
	http_response_init(&res);
	rc = body ? source_es_walk_search(r->es, r->o->index, body, &res,
	    cause) : -1;
	json_object_put(body);
	if (rc == 0)
		rc = source_es_walk_text(res.body.data, res.body.len, labels, 3,
		    source_es_series_outcome_label, oc, cause);
	http_response_release(&res);
	return rc;
}

struct json_object *
source_es_series_outcomes(const struct source_es_aggs_run *r,
    double interval, char **cause)
{
	struct source_es_series_outcome oc;
	struct json_object *out, *arr;
	int rc = 0;

	out = json_object_new_object();
	json_object_object_add(out, "interval_s", analysis_num(interval));
	arr = json_object_new_array();
	json_object_object_add(out, "series", arr);
	if (r->l->key_field[AGG_KEY_OUTCOME] == NULL)
		return out;
	memset(&oc, 0, sizeof(oc));
	oc.r = r;
	oc.index = hmap_new();
	oc.seen = hmap_new();
	strbuf_init(&oc.k, 0);
	strbuf_init(&oc.norm, 0);
	rc = source_es_series_outcome_read(&oc, interval, cause);
	if (rc == 0)
		source_es_series_outcome_list(&oc, arr);
	source_es_series_outcome_release(&oc);
	if (rc == -1) {
		json_object_put(out);
		return NULL;
	}
	return out;
}
