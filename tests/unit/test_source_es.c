/*
 * test_source_es.c: the parts of the search-engine source that need no
 * server: the filters' clauses (evaluated here on values as written, as
 * the server would, against fnmatch on the normal forms, as files match).
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
				fprintf(stderr, "glob \"%s\" on \"%s\"%s: server "
				    "%d, files %d\n", g, values[j], raw ?
				    " (raw)" : "", got, want);
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

int
main(void)
{
	RUN(test_type_globs);
	RUN(test_outcome_globs);
	return CHECK_EXIT();
}
