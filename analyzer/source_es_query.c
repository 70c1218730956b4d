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

/*
 * Adds a clause matching any of the globs on field to the filter array.
 * Returns 0, or -1 when the server cannot express it (strict) .
 */
static int
source_es_query_globs(struct json_object *filters, const char *field,
    const char **globs, size_t n, int strict, const char *what, char **cause)
{
	struct json_object *should, *c, *inner, *b;
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
		c = json_object_new_object();
		inner = json_object_new_object();
		/* Lucene wildcards escape with '\\' as fnmatch does. */
		if (strpbrk(globs[i], "*?\\") != NULL) {
			b = json_object_new_object();
			json_object_object_add(b, "value",
			    json_object_new_string(globs[i]));
			json_object_object_add(inner, field, b);
			json_object_object_add(c, "wildcard", inner);
		} else {
			json_object_object_add(inner, field,
			    json_object_new_string(globs[i]));
			json_object_object_add(c, "term", inner);
		}
		json_object_array_add(should, c);
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
	    l->key_field[AGG_KEY_LABEL], f->labels, f->nlabels, strict,
	    "label", cause) == -1 || source_es_query_globs(filters,
	    l->key_field[AGG_KEY_OUTCOME], f->outcomes, f->noutcomes, strict,
	    "outcome", cause) == -1 || source_es_query_globs(filters,
	    l->key_field[AGG_KEY_TRACED_TYPE], f->types, f->ntypes, strict,
	    "traced-type", cause) == -1)) {
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

void
source_es_query_not_start(struct json_object *q,
    const struct source_es_layout *l)
{
	struct json_object *b, *mn, *w, *f, *v;

	if (l->key_field[AGG_KEY_OUTCOME] == NULL ||
	    !json_object_object_get_ex(q, "bool", &b))
		return;
	v = json_object_new_object();
	json_object_object_add(v, "value", json_object_new_string("*.START*"));
	f = json_object_new_object();
	json_object_object_add(f, l->key_field[AGG_KEY_OUTCOME], v);
	w = json_object_new_object();
	json_object_object_add(w, "wildcard", f);
	mn = json_object_new_array();
	json_object_array_add(mn, w);
	json_object_object_add(b, "must_not", mn);
}
