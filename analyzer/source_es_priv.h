/*
 * source_es_priv.h: what the parts of the search-engine source share,
 * private to analyzer/source_es*.c. source_es.c reads the mapping into a
 * layout and picks the mode; source_es_query.c builds the query from the
 * filters; source_es_raw.c exports every matching event (sliced scroll);
 * source_es_aggs.c lets the server aggregate.
 */
#ifndef MEDLOAD_SOURCE_ES_PRIV_H
#define MEDLOAD_SOURCE_ES_PRIV_H

#include "aggregate.h"
#include "source_es.h"

struct analysis_request;
struct es;
struct json_object;
struct jsub_params;

/* What the mapping says about the trace fields. */
struct source_es_layout {
	char *key_field[AGG_KEY_COUNT];	/* aggregatable field per key */
	int have_ellapsed;
	int have_elapsed;
	char *time_field;		/* NULL when there is none */
	int time_is_date;		/* else numeric epoch seconds */
	int have_run_id;
	int have_timestamp;		/* a numeric event time "timestamp" */
};

/*
 * Fills req for analysis_build or analysis_doc_new from o; source
 * (borrowed) is the document's "source" object.
 */
void source_es_request(const struct source_es_opts *o,
    struct json_object *source, struct analysis_request *req);

/*
 * The query: filters on labels, outcomes, types, time and run id (from
 * o); with need_elapsed, only documents holding an elapsed value. strict:
 * every filter must be done by the server (aggs mode), else a filter the
 * server cannot express is left to the local pipeline. Returns a bool
 * query (caller puts), or NULL with *cause.
 */
struct json_object *source_es_query(const struct source_es_layout *l,
    const struct source_es_opts *o, int need_elapsed, int strict,
    char **cause);

/* A new {"exists": {"field": name}} clause (caller puts). */
struct json_object *source_es_query_exists(const char *name);

/*
 * A copy of query (borrowed) limited to documents that have field
 * (caller puts).
 */
struct json_object *source_es_query_with(struct json_object *query,
    const char *field);

/*
 * Adds to q a must_not clause leaving START events (always 0 ms) out, as
 * the local series do; nothing when the index has no outcome field.
 */
void source_es_query_not_start(struct json_object *q,
    const struct source_es_layout *l);

/*
 * Fills the query template queries/NAME (embedded; MEDLOAD_QUERIES
 * overrides) with p (borrowed). Returns the body (caller puts), or NULL
 * with *cause.
 */
struct json_object *source_es_query_template(const char *name,
    const struct jsub_params *p, char **cause);

/*
 * Raw mode: every matching event through the local pipeline, o->slices
 * slices of a sliced scroll in parallel. source (borrowed) gets
 * "partial" and, when a slice failed, "errors". Returns the analysis
 * document (caller puts) with *partial set, or NULL with *cause.
 */
struct json_object *source_es_raw(const struct source_es_layout *l,
    const struct source_es_opts *o, struct json_object *source,
    int *partial, char **cause);

/*
 * Counts the documents query (borrowed) matches into *total and finds
 * their time window (*first, *last in epoch seconds; 0 without a time
 * field). Returns 0, or -1 with *cause.
 */
int source_es_aggs_count(struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    unsigned long long *total, double *first, double *last, char **cause);

/*
 * Aggs mode: the server computes groups, series, spectrum and outcomes.
 * total, first and last come from source_es_aggs_count. source
 * (borrowed) gets "partial". Returns the analysis document (caller puts),
 * or NULL with *cause.
 */
struct json_object *source_es_aggs(struct es *es,
    const struct source_es_layout *l, const struct source_es_opts *o,
    struct json_object *source, unsigned long long total, double first,
    double last, int *partial, char **cause);

#endif
