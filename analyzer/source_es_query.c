/*
 * source_es_query.c: the search-engine query of a trace analysis: the
 * filters (labels, outcomes, types, time, run id) as Elasticsearch and
 * OpenSearch bool clauses, and the query templates of queries/.
 */
#include "source_es_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "assets.h"
#include "filter.h"
#include "jsub.h"
#include "trace.h"
#include "util.h"

/* Says whether a glob needs more than ES wildcards (* and ?). */
static int
source_es_query_glob_unsupported(const char *g)
{
	return strpbrk(g, "[]") != NULL;
}

/* A {"bool": {"should": should, "minimum_should_match": 1}} clause. */
static struct json_object *
source_es_query_any(struct json_object *should)
{
	struct json_object *b = json_object_new_object(), *c;

	json_object_object_add(b, "should", should);
	json_object_object_add(b, "minimum_should_match",
	    json_object_new_int(1));
	c = json_object_new_object();
	json_object_object_add(c, "bool", b);
	return c;
}

/* How the values of a filtered field are compared with the globs. */
enum source_es_query_form {
	SOURCE_ES_QUERY_AS_IS,		/* as written (labels; --raw) */
	SOURCE_ES_QUERY_TYPE,		/* the normal form of a type */
	SOURCE_ES_QUERY_OUTCOME		/* the normal form of an outcome */
};

/* A {"wildcard": {field: {"value": glob}}} clause. */
static struct json_object *
source_es_query_wildcard(const char *field, const char *glob)
{
	struct json_object *c = json_object_new_object(), *inner, *b;

	b = json_object_new_object();
	json_object_object_add(b, "value", json_object_new_string(glob));
	inner = json_object_new_object();
	json_object_object_add(inner, field, b);
	json_object_object_add(c, "wildcard", inner);
	return c;
}

/* A clause matching glob on field: a term when it is plain text. */
static struct json_object *
source_es_query_match(const char *field, const char *glob)
{
	struct json_object *c, *inner;

	/* Lucene wildcards escape with '\\' as fnmatch does. */
	if (strpbrk(glob, "*?\\") != NULL)
		return source_es_query_wildcard(field, glob);
	inner = json_object_new_object();
	json_object_object_add(inner, field, json_object_new_string(glob));
	c = json_object_new_object();
	json_object_object_add(c, "term", inner);
	return c;
}

/* {"bool": {"filter": [c], "must_not": not}} (takes both). */
static struct json_object *
source_es_query_but(struct json_object *c, struct json_object *not)
{
	struct json_object *b = json_object_new_object(), *f, *o;

	f = json_object_new_array();
	json_object_array_add(f, c);
	json_object_object_add(b, "filter", f);
	json_object_object_add(b, "must_not", not);
	o = json_object_new_object();
	json_object_object_add(o, "bool", b);
	return o;
}

/* Adds p + 1 to the places of g wherever a '*' at p may match nothing. */
static void
source_es_query_glob_stars(const char *g, char *on, size_t n)
{
	size_t p;

	for (p = 0; p + 1 < n; p++)
		if (on[p] && g[p] == '*')
			on[p + 1] = 1;
}

/*
 * The places of glob g where a match stands after the literal text s:
 * s + t matches g (fnmatch without classes: *, ?, '\\' escapes) exactly
 * when t matches g + p for one of the places p written to at (room for
 * strlen(g) + 1). Returns their number.
 */
static size_t
source_es_query_glob_after(const char *g, const char *s, size_t *at)
{
	size_t n = strlen(g) + 1, i, p, k = 0;
	char *cur = util_calloc(n, 1), *next = util_calloc(n, 1), *t;

	cur[0] = 1;
	source_es_query_glob_stars(g, cur, n);
	for (i = 0; s[i] != '\0'; i++) {
		memset(next, 0, n);
		for (p = 0; p + 1 < n; p++) {
			if (!cur[p])
				continue;
			if (g[p] == '*')
				next[p] = 1;
			else if (g[p] == '?')
				next[p + 1] = 1;
			else if (g[p] == '\\' && g[p + 1] != '\0')
				next[p + 2] |= g[p + 1] == s[i];
			else
				next[p + 1] |= g[p] == s[i];
		}
		source_es_query_glob_stars(g, next, n);
		t = cur;
		cur = next;
		next = t;
	}
	for (p = 0; p < n; p++)
		if (cur[p])
			at[k++] = p;
	free(cur);
	free(next);
	return k;
}

/*
 * Adds to should what matches a type glob g as files match it, on the
 * normal form: a type written the old way ("did:sov:...;spec/X") matches
 * when "https://didcomm.org/X" does, and not as written.
 */
static void
source_es_query_type_glob(struct json_object *should, const char *field,
    const char *g)
{
	size_t *at = util_calloc(strlen(g) + 1, sizeof(*at)), n, i;
	struct json_object *base = source_es_query_match(field, g), *not, *c;
	char *v;

	if (source_es_query_glob_after(g, TRACE_TYPE_OLD_PREFIX, at) > 0) {
		c = json_object_new_object();
		json_object_object_add(c, field, json_object_new_string(
		    TRACE_TYPE_OLD_PREFIX));
		not = json_object_new_object();
		json_object_object_add(not, "prefix", c);
		c = json_object_new_array();
		json_object_array_add(c, not);
		base = source_es_query_but(base, c);
	}
	json_object_array_add(should, base);
	n = source_es_query_glob_after(g, TRACE_TYPE_PREFIX, at);
	for (i = 0; i < n; i++) {
		v = util_printf("%s%s", TRACE_TYPE_OLD_PREFIX, g + at[i]);
		json_object_array_add(should, source_es_query_match(field, v));
		free(v);
	}
	free(at);
}

/*
 * Adds to should what matches an outcome glob g as files match it, on
 * the normal form: an outcome with an endpoint ("X.http://h:1") matches
 * when the part before it does (g, then ".http://" and anything, for each
 * scheme); one without matches as written. Only an outcome holding two
 * endpoints can match otherwise than on files (the raw mode's pipeline
 * then decides).
 */
static void
source_es_query_outcome_glob(struct json_object *should, const char *field,
    const char *g)
{
	struct json_object *not = json_object_new_array();
	const char *const *sc;
	char *v;

	for (sc = trace_endpoint_schemes; *sc != NULL; sc++) {
		v = util_printf("?*%s*", *sc);
		json_object_array_add(not, source_es_query_wildcard(field, v));
		free(v);
		v = util_printf("%s%s*", g, *sc);
		json_object_array_add(should, source_es_query_wildcard(field,
		    v));
		free(v);
	}
	json_object_array_add(should, source_es_query_but(
	    source_es_query_match(field, g), not));
}

/*
 * Adds a clause matching any of the globs on field to the filter array,
 * on the values' normal form (form). Returns 0, or -1 when the server
 * cannot express it (strict).
 */
static int
source_es_query_globs(struct json_object *filters, const char *field,
    const char **globs, size_t n, enum source_es_query_form form,
    int strict, const char *what, char **cause)
{
	struct json_object *should;
	size_t i;

	if (n == 0)
		return 0;
	if (field == NULL) {
		if (strict)
			return util_fail(cause, "--%s: the index has no "
			    "aggregatable %s field", what, what);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (source_es_query_glob_unsupported(globs[i])) {
			if (strict)
				return util_fail(cause, "--%s \"%s\": [...] "
				    "classes do not work with --mode aggs "
				    "(only * and ?)", what, globs[i]);
			return 0;
		}
	}
	should = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (form == SOURCE_ES_QUERY_TYPE)
			source_es_query_type_glob(should, field, globs[i]);
		else if (form == SOURCE_ES_QUERY_OUTCOME)
			source_es_query_outcome_glob(should, field, globs[i]);
		else
			json_object_array_add(should, source_es_query_match(
			    field, globs[i]));
	}
	json_object_array_add(filters, source_es_query_any(should));
	return 0;
}

struct json_object *
source_es_query_exists(const char *name)
{
	struct json_object *c = json_object_new_object(), *e;

	e = json_object_new_object();
	json_object_object_add(e, "field", json_object_new_string(name));
	json_object_object_add(c, "exists", e);
	return c;
}

/* Adds the time range of the --since/--until filter (when given). */
static void
source_es_query_time(struct json_object *filters,
    const struct source_es_layout *l, const struct filter *f)
{
	struct json_object *r, *rf, *b;
	double k = l->time_is_date ? 1000 : 1;

	rf = json_object_new_object();
	if (f->has_since)
		json_object_object_add(rf, "gte",
		    analysis_num(floor(f->since * k)));
	if (f->has_until)
		json_object_object_add(rf, "lt",
		    analysis_num(ceil(f->until * k)));
	if (l->time_is_date)
		json_object_object_add(rf, "format",
		    json_object_new_string("epoch_millis"));
	r = json_object_new_object();
	json_object_object_add(r, l->time_field, rf);
	b = json_object_new_object();
	json_object_object_add(b, "range", r);
	json_object_array_add(filters, b);
}

/* Adds a clause asking for an elapsed field the index has. */
static void
source_es_query_elapsed(struct json_object *filters,
    const struct source_es_layout *l)
{
	struct json_object *should = json_object_new_array();

	if (l->have_ellapsed)
		json_object_array_add(should,
		    source_es_query_exists("ellapsed_milli"));
	if (l->have_elapsed)
		json_object_array_add(should,
		    source_es_query_exists("elapsed_milli"));
	json_object_array_add(filters, source_es_query_any(should));
}

/* A {"term": {field: value}} clause. */
static struct json_object *
source_es_query_term(const char *field, const char *value)
{
	struct json_object *t = json_object_new_object(), *c;

	json_object_object_add(t, field, json_object_new_string(value));
	c = json_object_new_object();
	json_object_object_add(c, "term", t);
	return c;
}

/*
 * The run id clause: a term on its keyword field; where the field is
 * keyword in some indices and text in others, the keyword sub-field in
 * the latter and the field itself in the former (documents without the
 * sub-field), since a term on analyzed text matches words, not the id.
 */
static struct json_object *
source_es_query_run_id(const struct source_es_layout *l, const char *id)
{
	struct json_object *should, *b, *bb, *f, *mn;

	if (!l->run_id_mixed)
		return source_es_query_term(l->run_id_field, id);
	should = json_object_new_array();
	json_object_array_add(should, source_es_query_term(
	    "medload.run_id.keyword", id));
	f = json_object_new_array();
	json_object_array_add(f, source_es_query_term("medload.run_id", id));
	mn = json_object_new_array();
	json_object_array_add(mn, source_es_query_exists(
	    "medload.run_id.keyword"));
	bb = json_object_new_object();
	json_object_object_add(bb, "filter", f);
	json_object_object_add(bb, "must_not", mn);
	b = json_object_new_object();
	json_object_object_add(b, "bool", bb);
	json_object_array_add(should, b);
	return source_es_query_any(should);
}

struct json_object *
source_es_query(const struct source_es_layout *l,
    const struct source_es_opts *o, int need_elapsed, int strict,
    char **cause)
{
	struct json_object *q, *b, *filters = json_object_new_array();
	const struct filter *f = o->filter;

	if (f != NULL && (source_es_query_globs(filters,
	    l->key_field[AGG_KEY_LABEL], f->labels, f->nlabels,
	    SOURCE_ES_QUERY_AS_IS, strict, "label", cause) == -1 ||
	    source_es_query_globs(filters, l->key_field[AGG_KEY_OUTCOME],
	    f->outcomes, f->noutcomes, o->raw ? SOURCE_ES_QUERY_AS_IS :
	    SOURCE_ES_QUERY_OUTCOME, strict, "outcome", cause) == -1 ||
	    source_es_query_globs(filters, l->key_field[AGG_KEY_TRACED_TYPE],
	    f->types, f->ntypes, o->raw ? SOURCE_ES_QUERY_AS_IS :
	    SOURCE_ES_QUERY_TYPE, strict, "traced-type", cause) == -1)) {
		json_object_put(filters);
		return NULL;
	}
	if (f != NULL && (f->has_since || f->has_until)) {
		if (l->time_field == NULL && strict) {
			json_object_put(filters);
			util_fail(cause, "--since/--until: the index has no "
			    "time field (@timestamp, str_time as a date, or "
			    "timestamp as a double)");
			return NULL;
		}
		if (l->time_field != NULL)
			source_es_query_time(filters, l, f);
	}
	if (o->run_id != NULL && l->run_id_field != NULL)
		json_object_array_add(filters, source_es_query_run_id(l,
		    o->run_id));
	if (need_elapsed)
		source_es_query_elapsed(filters, l);
	b = json_object_new_object();
	json_object_object_add(b, "filter", filters);
	q = json_object_new_object();
	json_object_object_add(q, "bool", b);
	return q;
}

struct json_object *
source_es_query_template(const char *name, const struct jsub_params *p,
    char **cause)
{
	struct json_object *doc;
	char *path = util_printf("queries/%s", name), *text;

	text = assets_load(getenv("MEDLOAD_QUERIES"), path, NULL, cause);
	free(path);
	if (text == NULL)
		return NULL;
	doc = jsub_fill(name, text, p, cause);
	free(text);
	return doc;
}

struct json_object *
source_es_query_with(struct json_object *query, const char *field)
{
	struct json_object *q = NULL, *b, *f;

	json_object_deep_copy(query, &q, NULL);
	if (json_object_object_get_ex(q, "bool", &b) &&
	    json_object_object_get_ex(b, "filter", &f))
		json_object_array_add(f, source_es_query_exists(field));
	return q;
}

/* Appends clause (taken) to q's must_not clauses. */
static void
source_es_query_must_not(struct json_object *q, struct json_object *clause)
{
	struct json_object *b, *mn;

	if (!json_object_object_get_ex(q, "bool", &b)) {
		json_object_put(clause);
		return;
	}
	if (!json_object_object_get_ex(b, "must_not", &mn)) {
		mn = json_object_new_array();
		json_object_object_add(b, "must_not", mn);
	}
	json_object_array_add(mn, clause);
}

void
source_es_query_not_start(struct json_object *q,
    const struct source_es_layout *l)
{
	if (l->key_field[AGG_KEY_OUTCOME] == NULL)
		return;
	source_es_query_must_not(q, source_es_query_wildcard(
	    l->key_field[AGG_KEY_OUTCOME], "*.START*"));
}

struct json_object *
source_es_query_probe(const struct source_es_layout *l)
{
	struct json_object *should = json_object_new_array();

	if (l->key_field[AGG_KEY_HANDLER] != NULL)
		json_object_array_add(should, source_es_query_term(
		    l->key_field[AGG_KEY_HANDLER], TRACE_PROBE_HANDLER));
	if (l->key_field[AGG_KEY_OUTCOME] != NULL)
		json_object_array_add(should, source_es_query_term(
		    l->key_field[AGG_KEY_OUTCOME], TRACE_PROBE_OUTCOME));
	if (json_object_array_length(should) == 0) {
		json_object_put(should);
		return NULL;
	}
	return source_es_query_any(should);
}

void
source_es_query_not_probe(struct json_object *q,
    const struct source_es_layout *l)
{
	struct json_object *probe = source_es_query_probe(l);

	if (probe != NULL)
		source_es_query_must_not(q, probe);
}
