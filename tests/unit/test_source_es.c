/*
 * test_source_es.c: the parts of the search-engine source that need no
 * server: the filters' clauses (evaluated here on values as written, as
 * the server would, against fnmatch on the normal forms, as files match)
 * and the cells that merge buckets.
 */
#include "source_es_priv.h"

#include <fnmatch.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "check.h"
#include "filter.h"
#include "strbuf.h"
#include "trace.h"
#include "util.h"

static int test_eval(struct json_object *c, const char *field, const char *v);

/* Says whether any (want_all: every) clause of arr matches. */
static int
test_eval_list(struct json_object *arr, const char *field, const char *v,
    int want_all)
{
	size_t i, n = arr ? json_object_array_length(arr) : 0;
	int m;

	for (i = 0; i < n; i++) {
		m = test_eval(json_object_array_get_idx(arr, i), field, v);
		if (want_all && !m)
			return 0;
		if (!want_all && m)
			return 1;
	}
	return want_all;
}

/*
 * Evaluates a query clause on a document whose field holds v, as the
 * server does: bool (filter, must_not, should), term, prefix, wildcard
 * (fnmatch without classes is Lucene's wildcard), exists.
 */
static int
test_eval(struct json_object *c, const char *field, const char *v)
{
	struct json_object *x, *y, *should = NULL;

	if (json_object_object_get_ex(c, "bool", &x)) {
		json_object_object_get_ex(x, "should", &should);
		return (!json_object_object_get_ex(x, "filter", &y) ||
		    test_eval_list(y, field, v, 1)) &&
		    (!json_object_object_get_ex(x, "must_not", &y) ||
		    !test_eval_list(y, field, v, 0)) &&
		    (should == NULL || test_eval_list(should, field, v, 0));
	}
	if (json_object_object_get_ex(c, "exists", &x))
		return 1;
	if (json_object_object_get_ex(c, "term", &x))
		return json_object_object_get_ex(x, field, &y) &&
		    strcmp(json_object_get_string(y), v) == 0;
	if (json_object_object_get_ex(c, "prefix", &x))
		return json_object_object_get_ex(x, field, &y) &&
		    strncmp(v, json_object_get_string(y),
		    strlen(json_object_get_string(y))) == 0;
	if (json_object_object_get_ex(c, "wildcard", &x))
		return json_object_object_get_ex(x, field, &y) &&
		    json_object_object_get_ex(y, "value", &y) &&
		    fnmatch(json_object_get_string(y), v, 0) == 0;
	fprintf(stderr, "unknown clause %s\n", json_object_to_json_string(c));
	return -1;
}

/*
 * Checks every glob against every value: the query made for the filter
 * matches the value as written exactly when files match its normal form
 * (or the value itself with raw).
 */
static void
test_globs(enum agg_key k, const char *const *globs,
    const char *const *values, int raw)
{
	struct source_es_layout l;
	struct source_es_opts o;
	struct filter f;
	struct json_object *q;
	struct strbuf norm;
	const char *field = agg_key_name(k), *g;
	char *cause = NULL;
	size_t i, j;
	int want, got;

	memset(&l, 0, sizeof(l));
	l.key_field[k] = (char *)field;
	strbuf_init(&norm, 0);
	for (i = 0; globs[i] != NULL; i++) {
		memset(&o, 0, sizeof(o));
		memset(&f, 0, sizeof(f));
		g = globs[i];
		if (k == AGG_KEY_OUTCOME)
			filter_add(&f.outcomes, &f.noutcomes, g);
		else
			filter_add(&f.types, &f.ntypes, g);
		o.filter = &f;
		o.raw = raw;
		q = source_es_query(&l, &o, 0, 1, &cause);
		CHECK(q != NULL);
		for (j = 0; q != NULL && values[j] != NULL; j++) {
			trace_normal_value(k == AGG_KEY_OUTCOME ?
			    TRACE_VALUE_OUTCOME : TRACE_VALUE_TYPE, values[j],
			    &norm, NULL);
			want = fnmatch(g, raw ? values[j] : norm.data, 0) == 0;
			got = test_eval(q, field, values[j]);
			if (got != want)
				fprintf(stderr, "glob \"%s\" on \"%s\"%s: "
				    "server %d, files %d\n", g, values[j],
				    raw ? " (raw)" : "", got, want);
			CHECK(got == want);
		}
		json_object_put(q);
		filter_release(&f);
	}
	strbuf_release(&norm);
	free(cause);
}

/* Type globs match old and new forms as files match the normal form. */
static void
test_type_globs(void)
{
	static const char *const globs[] = {
		"https://didcomm.org/trust_ping/*", "*ping", "*/1.0/*",
		"did:sov:*", "*", "https://didcomm.org/*/ping", "?ttps://*",
		"https://didcomm.org/trust_ping/1.0/ping", "h*s://d*",
		"*BzCb*", "https://didcomm.org/", "*;spec/*", "*org/rout*",
		"https://didcomm.org/\\trust_ping/?.0/*", "OutboundMessage",
		"*://*", "https?//didcomm.org/*", NULL };
	static const char *const values[] = {
		"did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/trust_ping/1.0/ping",
		"https://didcomm.org/trust_ping/1.0/ping",
		"did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/routing/1.0/forward",
		"https://didcomm.org/routing/1.0/forward",
		"did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/",
		"https://didcomm.org/", "OutboundMessage", "NoneType", "",
		"did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/trust_ping/2.0/ping",
		"did:sov:other;spec/trust_ping/1.0/ping", NULL };

	test_globs(AGG_KEY_TRACED_TYPE, globs, values, 0);
	test_globs(AGG_KEY_TRACED_TYPE, globs, values, 1);
}

/* Outcome globs match with and without endpoints as files do. */
static void
test_outcome_globs(void)
{
	static const char *const globs[] = { "*END", "*.END",
		"OutboundTransportManager.DELIVER.*", "*http*", "*9004", "*",
		"Dispatcher*", "?*", "*END.http://*", "*DELIVER.END", "?",
		".http://a", "*.START*", "OutboundTransportManager.DELIVER.END",
		NULL };
	static const char *const values[] = {
		"OutboundTransportManager.DELIVER.END.http://127.0.0.1:9004",
		"OutboundTransportManager.DELIVER.START.https://h/p",
		"OutboundTransportManager.DELIVER.END.ws://h:1",
		"OutboundTransportManager.DELIVER.END.wss://h:1",
		"OutboundTransportManager.DELIVER.END",
		"OutboundTransportManager.ENCODE.END",
		"Dispatcher.handle_message.START", ".http://a", "x", "",
		"Successfully_configured_aca-py", NULL };

	test_globs(AGG_KEY_OUTCOME, globs, values, 0);
	test_globs(AGG_KEY_OUTCOME, globs, values, 1);
}

/* Fills a side with the exact figures of values v[0..n). */
static void
test_side(struct source_es_side *s, const double *v, size_t n)
{
	double sum = 0, sq = 0;
	size_t i;

	s->count = (double)n;
	s->min = s->max = v[0];
	for (i = 0; i < n; i++) {
		sum += v[i];
		if (v[i] < s->min)
			s->min = v[i];
		if (v[i] > s->max)
			s->max = v[i];
	}
	s->mean = sum / (double)n;
	for (i = 0; i < n; i++)
		sq += (v[i] - s->mean) * (v[i] - s->mean);
	s->std = sqrt(sq / (double)n);
	s->first = v[0];
	s->last = v[n - 1];
	for (i = 0; i < SOURCE_ES_CELLS_NGRID; i++)
		s->pv[i] = s->min + (s->max - s->min) *
		    source_es_cells_grid[i] / 100;
}

/* Three buckets of one key merge exactly; other keys stay apart. */
static void
test_cells_merge(void)
{
	static const double a[] = { 1, 2, 3 }, b[] = { 10, 20 },
	    c[] = { 4, 4, 4, 100 };
	struct source_es_cells t;
	struct json_object *k1 = json_object_new_object();
	struct json_object *k2 = json_object_new_object();
	struct source_es_side m;

	json_object_object_add(k1, "outcome", json_object_new_string("x"));
	json_object_object_add(k2, "outcome", NULL);
	source_es_cells_init(&t);
	test_side(source_es_cells_side(&t, k1, 0), a, 3);
	test_side(source_es_cells_side(&t, k2, 0), b, 2);
	test_side(source_es_cells_side(&t, k1, 0), b, 2);
	test_side(source_es_cells_side(&t, k1, 0), c, 4);
	test_side(source_es_cells_side(&t, k1, 5), c, 4);
	CHECK(t.n == 3);
	CHECK(t.v[0].nsides == 3);
	m = source_es_cells_stats(&t.v[0]);
	/* 1 2 3 10 20 4 4 4 100: mean 16.444..., population stddev. */
	CHECK_NUM(m.count, 9, 0);
	CHECK_NUM(m.min, 1, 0);
	CHECK_NUM(m.max, 100, 0);
	CHECK_NUM(m.mean, 148.0 / 9, 1e-12);
	CHECK_NUM(m.std, sqrt((1 + 4 + 9 + 100 + 400 + 48 + 10000) / 9.0 -
	    (148.0 / 9) * (148.0 / 9)), 1e-9);
	CHECK_NUM(m.first, 1, 0);
	CHECK_NUM(m.last, 100, 0);
	/* The mixture's 100th percentile is the largest of all. */
	CHECK_NUM(source_es_cells_pct(&t.v[0], source_es_cells_grid,
	    SOURCE_ES_CELLS_NGRID, 99.9), 100, 1);
	source_es_cells_sort(&t);
	CHECK(json_object_get_type(json_object_object_get(t.v[0].key,
	    "outcome")) == json_type_null);
	CHECK(t.v[1].ts == 0 && t.v[2].ts == 5);
	source_es_cells_release(&t);
	json_object_put(k1);
	json_object_put(k2);
}

/* Many keys: each found again, each bucket in its own cell. */
static void
test_cells_many(void)
{
	struct source_es_cells t;
	struct json_object *k;
	char name[32];
	int i, pass, ok = 1;

	source_es_cells_init(&t);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 20000; i++) {
			snprintf(name, sizeof(name), "o%05d", i);
			k = json_object_new_object();
			json_object_object_add(k, "outcome",
			    json_object_new_string(name));
			source_es_cells_side(&t, k, 0)->count = 1;
			json_object_put(k);
		}
	CHECK(t.n == 20000);
	source_es_cells_sort(&t);
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "o%05d", i);
		ok &= t.v[i].nsides == 2 && strcmp(json_object_get_string(
		    json_object_object_get(t.v[i].key, "outcome")), name) == 0;
	}
	CHECK(ok);
	source_es_cells_release(&t);
}

int
main(void)
{
	RUN(test_type_globs);
	RUN(test_outcome_globs);
	RUN(test_cells_merge);
	RUN(test_cells_many);
	return CHECK_EXIT();
}
