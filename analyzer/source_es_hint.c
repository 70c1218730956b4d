/*
 * source_es_hint.c: what the search engine holds, for the messages of an
 * analysis: which indices of a list exist (the default list tolerates
 * missing ones; a list that matches nothing is refused naming what the
 * server has), and, when no event was accepted, the labels, outcomes,
 * run ids and time range the indices do hold.
 */
#include "source_es_priv.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "es.h"
#include "jsub.h"
#include "jx.h"
#include "seen.h"
#include "strbuf.h"
#include "util.h"

#define SOURCE_ES_HINT_SHOW 8	/* names of existing indices shown */

/* The refusal of an index list: its missing parts and what exists. */
static int
source_es_indices_fail(struct es *es, const char *index, int dflt,
    const char *missing, char **cause)
{
	struct strbuf names;
	size_t n = 0;
	char *why = NULL;

	strbuf_init(&names, 0);
	if (es_resolve(es, "*", SOURCE_ES_HINT_SHOW, &n, &names, &why) == -1)
		strbuf_addf(&names, "(cannot list them: %s)", why);
	else if (n == 0)
		strbuf_adds(&names, "no index (hidden ones aside)");
	else if (n > SOURCE_ES_HINT_SHOW)
		strbuf_addf(&names, " and %zu more", n - SOURCE_ES_HINT_SHOW);
	free(why);
	if (dflt)
		util_fail(cause, "none of the default indices exists (%s); "
		    "the server has %s; name one with --index", index,
		    names.data);
	else if (strcmp(index, missing) == 0)
		util_fail(cause, "--index %s: no index, alias or data stream "
		    "matches it; the server has %s", index, names.data);
	else
		util_fail(cause, "--index %s: no index, alias or data stream "
		    "%s; the server has %s", index, missing, names.data);
	strbuf_release(&names);
	return -1;
}

/* Appends s to b after a comma when b is not empty. */
static void
source_es_indices_add(struct strbuf *b, const char *s)
{
	strbuf_adds(b, b->len > 0 ? "," : "");
	strbuf_adds(b, s);
}

char *
source_es_indices(struct es *es, const char *index, char **cause)
{
	int dflt = strcmp(index, SOURCE_ES_DEFAULT_INDEX) == 0, refuse = 0;
	struct strbuf keep, missing;
	char *list = util_strdup(index), *part, *save = NULL, *why = NULL;
	size_t n, found = 0;

	strbuf_init(&keep, 0);
	strbuf_init(&missing, 0);
	for (part = strtok_r(list, ",", &save); part != NULL;
	    part = strtok_r(NULL, ",", &save)) {
		if (part[0] == '-') {	/* an exclusion: kept as it is */
			source_es_indices_add(&keep, part);
			continue;
		}
		/* A server without _resolve (before 7.9): the list as is. */
		if (es_resolve(es, part, 0, &n, NULL, &why) == -1)
			goto as_is;
		found += n;
		source_es_indices_add(n > 0 ? &keep : &missing, part);
		/* An explicit name that is missing: the server refuses it. */
		if (n == 0 && !dflt && strchr(part, '*') == NULL)
			refuse = 1;
	}
	if (found == 0 || refuse) {
		source_es_indices_fail(es, index, dflt, found == 0 ? index :
		    missing.data, cause);
		strbuf_release(&keep);
		strbuf_release(&missing);
		free(list);
		return NULL;
	}
	strbuf_release(&missing);
	free(list);
	return strbuf_detach(&keep);
as_is:
	free(why);
	strbuf_release(&keep);
	strbuf_release(&missing);
	free(list);
	return util_strdup(index);
}

/* {"terms": {"field": field, "size": SEEN_MAX}} (caller puts). */
static struct json_object *
source_es_hint_terms(const char *field)
{
	struct json_object *t = json_object_new_object(), *a;

	json_object_object_add(t, "field", json_object_new_string(field));
	json_object_object_add(t, "size", json_object_new_int(SEEN_MAX));
	a = json_object_new_object();
	json_object_object_add(a, "terms", t);
	return a;
}

/* {kind: {"field": field}} (caller puts). */
static struct json_object *
source_es_hint_metric(const char *kind, const char *field)
{
	struct json_object *f = json_object_new_object(), *a;

	json_object_object_add(f, "field", json_object_new_string(field));
	a = json_object_new_object();
	json_object_object_add(a, kind, f);
	return a;
}

/* The aggregation over every document, without the filters. */
static struct json_object *
source_es_hint_query(struct es *es, const struct source_es_layout *l,
    const char *index)
{
	static const char *const names[] = { "labels", "outcomes", "types" };
	static const enum agg_key keys[] = { AGG_KEY_LABEL, AGG_KEY_OUTCOME,
	    AGG_KEY_TRACED_TYPE };
	struct json_object *body, *res = NULL;
	struct jsub_params *p = jsub_params_new();
	char *path, *why = NULL;
	size_t i;

	for (i = 0; i < 3; i++)
		if (l->key_field[keys[i]] != NULL)
			jsub_set(p, names[i], source_es_hint_terms(
			    l->key_field[keys[i]]));
	if (l->run_id_field != NULL)
		jsub_set(p, "runs", source_es_hint_terms(l->run_id_field));
	if (l->time_field != NULL) {
		jsub_set(p, "first", source_es_hint_metric("min",
		    l->time_field));
		jsub_set(p, "last", source_es_hint_metric("max",
		    l->time_field));
	}
	body = source_es_query_template("hint.json", p, &why);
	jsub_params_free(p);
	path = util_printf("/%s/_search", index);
	if (body == NULL || es_call(es, "POST", path, body, 0, &res,
	    &why) == -1)
		res = NULL;
	free(path);
	free(why);
	json_object_put(body);
	return res;
}

/* Fills v from a terms aggregation's buckets. */
static void
source_es_hint_values(struct json_object *aggs, const char *name,
    struct seen_values *v)
{
	struct json_object *a = json_object_object_get(aggs, name), *b;
	struct json_object *buckets = json_object_object_get(a, "buckets");
	size_t i;

	for (i = 0; i < jx_len(buckets) && v->n < SEEN_MAX; i++) {
		b = jx_at(buckets, i);
		v->name[v->n] = util_strdup(jx_str(json_object_object_get(b,
		    "key"), "-"));
		v->count[v->n++] = (unsigned long long)jx_int(b, "doc_count",
		    0);
	}
	v->others = (unsigned long long)jx_int(a, "sum_other_doc_count", 0);
}

/* The lead of a hint: what matched and what the indices hold. */
static char *
source_es_hint_lead(const struct source_es_opts *o, enum source_es_mode mode,
    unsigned long long matched, unsigned long long filtered,
    unsigned long long held)
{
	if (matched == 0)
		return util_printf("nothing in %s matches the filters; it "
		    "holds %llu events", o->index, held);
	if (mode == SOURCE_ES_RAW && filtered > 0)
		return util_printf("the filters that only medload applies "
		    "(--label, --outcome or --traced-type with [...]) left "
		    "out the %llu records the server matched; %s holds %llu "
		    "events", matched, o->index, held);
	if (mode == SOURCE_ES_RAW)
		return util_printf("the %llu matching records were all "
		    "rejected (the first few are shown above); %s holds %llu "
		    "events", matched, o->index, held);
	return util_printf("none of the %llu matching documents has a "
	    "numeric ellapsed_milli or elapsed_milli (--mode raw shows "
	    "why); %s holds %llu events", matched, o->index, held);
}

char *
source_es_hint(struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, enum source_es_mode mode,
    unsigned long long matched, unsigned long long filtered)
{
	struct json_object *res = source_es_hint_query(es, l, o->index);
	struct json_object *aggs = json_object_object_get(res, "aggregations");
	struct seen s;
	struct strbuf b;
	char *lead, *hint;

	if (res == NULL)
		return NULL;
	memset(&s, 0, sizeof(s));
	s.n = (unsigned long long)jx_int(res, "hits.total.value",
	    jx_int(res, "hits.total", 0));
	if (s.n == 0) {
		json_object_put(res);
		return util_printf("%s holds no documents", o->index);
	}
	source_es_hint_values(aggs, "labels", &s.labels);
	source_es_hint_values(aggs, "outcomes", &s.outcomes);
	source_es_hint_values(aggs, "types", &s.types);
	s.timeless = l->time_field == NULL;
	s.first = (double)jx_int(aggs, "first.value", 0) /
	    (l->time_is_date ? 1000 : 1);
	s.last = (double)jx_int(aggs, "last.value", 0) /
	    (l->time_is_date ? 1000 : 1);
	lead = source_es_hint_lead(o, mode, matched, filtered, s.n);
	hint = seen_hint_lead(&s, o->filter, lead);
	free(lead);
	seen_release(&s);
	if (o->run_id != NULL && l->run_id_field != NULL) {
		strbuf_init(&b, 0);
		strbuf_adds(&b, hint);
		free(hint);
		memset(&s, 0, sizeof(s));
		source_es_hint_values(aggs, "runs", &s.labels);
		seen_values_append(&b, "; run ids", &s.labels);
		seen_release(&s);
		hint = strbuf_detach(&b);
	}
	json_object_put(res);
	return hint;
}
