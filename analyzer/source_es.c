/*
 * source_es.c: analysis of traces stored in Elasticsearch or OpenSearch:
 * the mapping of the trace fields, the count, and the choice between the
 * raw export (source_es_raw.c) and the aggregations (source_es_aggs.c).
 */
#include "source_es.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "es.h"
#include "http.h"
#include "jx.h"
#include "source_es_priv.h"
#include "util.h"

/* Frees a layout's strings. */
static void
source_es_layout_release(struct source_es_layout *l)
{
	int i;

	for (i = 0; i < AGG_KEY_COUNT; i++)
		free(l->key_field[i]);
	free(l->time_field);
	free(l->run_id_field);
	memset(l, 0, sizeof(*l));
}

/* The aggregatable name of a field, or NULL. */
static char *
source_es_agg_name(const char *name, const struct es_field *f)
{
	if (!f->exists)
		return NULL;
	if (f->keyword && !f->conflict)
		return util_strdup(name);
	if (f->text_keyword)
		return util_printf("%s.keyword", name);
	return NULL;
}

/*
 * How the run id is matched (f: medload.run_id's capabilities): on a
 * keyword field, or on the .keyword sub-field of dynamic mapping's text.
 * An id the user asked for that cannot be matched is an error; the run's
 * own id (run_id_optional) is then left out, and the document says why.
 */
static int
source_es_detect_run_id(const struct es_field *f,
    const struct source_es_opts *o, struct source_es_layout *l,
    char **cause)
{
	const char *why = NULL;

	if (o->run_id == NULL)
		return 0;
	if (f->keyword && !f->conflict)
		l->run_id_field = util_strdup("medload.run_id");
	else if (f->text_keyword && (!f->conflict || (f->keyword &&
	    f->text)))
		l->run_id_field = util_strdup("medload.run_id.keyword");
	else if (!f->exists)
		why = "the index has no medload.run_id field (collect "
		    "--run-id and ingest --run-id set it)";
	else
		why = "medload.run_id is not a keyword field and has no "
		    ".keyword sub-field, so no term query can match it (map "
		    "it as keyword: medload ingest installs a template that "
		    "does)";
	l->run_id_mixed = f->keyword && f->text && f->text_keyword;
	if (why == NULL)
		return 0;
	if (!o->run_id_optional)
		return util_fail(cause, "--run-id %s: %s", o->run_id, why);
	l->run_id_ignored = why;
	return 0;
}

/* Reads the mapping of the trace fields. */
static int
source_es_detect(struct es *es, const struct source_es_opts *o,
    struct source_es_layout *l, char **cause)
{
	static const char *const names[] = { "label", "handler", "outcome",
	    "traced_type", "ellapsed_milli", "elapsed_milli", "@timestamp",
	    "str_time", "timestamp", "medload.run_id" };
	struct es_field f[10];

	memset(l, 0, sizeof(*l));
	if (es_field_caps(es, o->index, names, 10, f, cause) == -1)
		return -1;
	l->key_field[AGG_KEY_LABEL] = f[0].exists ?
	    source_es_agg_name("label", &f[0]) :
	    source_es_agg_name("handler", &f[1]);
	l->key_field[AGG_KEY_HANDLER] = source_es_agg_name("handler", &f[1]);
	l->key_field[AGG_KEY_OUTCOME] = source_es_agg_name("outcome", &f[2]);
	l->key_field[AGG_KEY_TRACED_TYPE] = source_es_agg_name("traced_type",
	    &f[3]);
	l->have_ellapsed = f[4].exists && f[4].numeric && !f[4].conflict;
	l->have_elapsed = f[5].exists && f[5].numeric && !f[5].conflict;
	if (f[6].date) {
		l->time_field = util_strdup("@timestamp");
		l->time_is_date = 1;
	} else if (f[7].date) {
		l->time_field = util_strdup("str_time");
		l->time_is_date = 1;
	} else if (f[8].numeric && !f[8].conflict) {
		l->time_field = util_strdup("timestamp");
	}
	l->have_timestamp = f[8].numeric && !f[8].conflict;
	return source_es_detect_run_id(&f[9], o, l, cause);
}

/*
 * The trace label is "label" when a record has one, else "handler". An
 * index whose mapping has "label" (our template maps it) may hold no
 * document with it: then the label is the handler field.
 */
static int
source_es_resolve_label(struct es *es, const char *index,
    struct source_es_layout *l, char **cause)
{
	struct json_object *q, *res = NULL, *c;
	char *path;
	long long n;
	int rc;

	if (l->key_field[AGG_KEY_LABEL] == NULL ||
	    strcmp(l->key_field[AGG_KEY_LABEL], "label") != 0)
		return 0;
	q = json_object_new_object();
	json_object_object_add(q, "query", source_es_query_exists("label"));
	path = util_printf("/%s/_count", index);
	rc = es_call(es, "POST", path, q, 0, &res, cause);
	free(path);
	json_object_put(q);
	if (rc == -1)
		return -1;
	n = json_object_object_get_ex(res, "count", &c) ?
	    json_object_get_int64(c) : 0;
	json_object_put(res);
	if (n == 0) {
		free(l->key_field[AGG_KEY_LABEL]);
		l->key_field[AGG_KEY_LABEL] = l->key_field[AGG_KEY_HANDLER] ?
		    util_strdup(l->key_field[AGG_KEY_HANDLER]) : NULL;
	}
	return 0;
}

void
source_es_request(const struct source_es_opts *o, struct json_object *source,
    struct analysis_request *req)
{
	req->keys = o->keys;
	req->nkeys = o->nkeys;
	req->pcts = o->pcts;
	req->npcts = o->npcts;
	req->source = source;
	req->filters = o->filters_doc;
}

/* The document's "source" object: server, index, mode and fields. */
static struct json_object *
source_es_describe(const struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, enum source_es_mode mode,
    unsigned long long total)
{
	struct json_object *source = json_object_new_object(), *ef;
	char *safe;

	json_object_object_add(source, "kind",
	    json_object_new_string("elasticsearch"));
	json_object_object_add(source, "server",
	    json_object_new_string(es_server_name(es)));
	safe = http_redact_url(o->url);
	json_object_object_add(source, "url", json_object_new_string(safe));
	free(safe);
	json_object_object_add(source, "index",
	    json_object_new_string(o->index));
	json_object_object_add(source, "mode", json_object_new_string(
	    mode == SOURCE_ES_RAW ? "raw" : "aggs"));
	json_object_object_add(source, "matched",
	    json_object_new_int64((int64_t)total));
	json_object_object_add(source, "time_field", l->time_field ?
	    json_object_new_string(l->time_field) : NULL);
	ef = json_object_new_array();
	if (l->have_ellapsed)
		json_object_array_add(ef, json_object_new_string(
		    "ellapsed_milli"));
	if (l->have_elapsed)
		json_object_array_add(ef, json_object_new_string(
		    "elapsed_milli"));
	json_object_object_add(source, "elapsed_fields", ef);
	if (o->run_id != NULL && l->run_id_field != NULL)
		json_object_object_add(source, "run_id",
		    json_object_new_string(o->run_id));
	else if (o->run_id != NULL)
		json_object_object_add(source, "run_id_ignored",
		    json_object_new_string(l->run_id_ignored));
	if (mode == SOURCE_ES_RAW)
		json_object_object_add(source, "slices",
		    json_object_new_int(o->slices));
	return source;
}

/* The analysis in the mode asked (or chosen from total). */
static struct json_object *
source_es_run(struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, unsigned long long total, double first,
    double last, enum source_es_mode *mode, int *partial, char **cause)
{
	struct json_object *source, *doc;

	if (*mode == SOURCE_ES_AUTO)
		*mode = total <= o->auto_raw_max ? SOURCE_ES_RAW :
		    SOURCE_ES_AGGS;
	source = source_es_describe(es, l, o, *mode, total);
	if (*mode == SOURCE_ES_RAW)
		doc = source_es_raw(l, o, source, total, partial, cause);
	else
		doc = source_es_aggs(es, l, o, source, total, first, last,
		    partial, cause);
	json_object_put(source);
	return doc;
}

struct json_object *
source_es_analyze(const struct source_es_opts *asked, int *partial,
    char **hint, char **cause)
{
	struct source_es_opts o = *asked;
	struct json_object *doc = NULL, *query;
	struct source_es_layout l;
	struct es *es;
	unsigned long long total = 0;
	double first = 0, last = 0;
	enum source_es_mode mode = o.mode;
	char *index = NULL;

	*partial = 0;
	*hint = NULL;
	memset(&l, 0, sizeof(l));
	if (es_check_index(o.index, cause) == -1)
		return NULL;
	if (es_open(o.url, o.http, &es, cause) == -1)
		return NULL;
	if ((index = source_es_indices(es, o.index, cause)) == NULL)
		goto out;
	o.index = index;
	if (source_es_detect(es, &o, &l, cause) == -1 ||
	    source_es_resolve_label(es, o.index, &l, cause) == -1)
		goto out;
	query = source_es_query(&l, &o, 0, 0, cause);
	if (query == NULL || source_es_aggs_count(es, &l, &o, query, &total,
	    &first, &last, cause) == -1) {
		json_object_put(query);
		goto out;
	}
	json_object_put(query);
	doc = source_es_run(es, &l, &o, total, first, last, &mode, partial,
	    cause);
	/* A server gone or Ctrl-C: nothing more is asked of it. */
	if (doc != NULL && !*partial && jx_int(doc, "events.accepted", 0) == 0)
		*hint = source_es_hint(es, &l, &o, mode, total,
		    (unsigned long long)jx_int(doc, "events.filtered_out", 0));
out:
	free(index);
	source_es_layout_release(&l);
	es_free(es);
	return doc;
}
