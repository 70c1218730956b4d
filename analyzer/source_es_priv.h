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
struct http_response;
struct json_object;
struct jscan_member;
struct jsub_params;

/* What the mapping says about the trace fields. */
struct source_es_layout {
	char *key_field[AGG_KEY_COUNT];	/* aggregatable field per key */
	int have_ellapsed;
	int have_elapsed;
	char *time_field;		/* NULL when there is none */
	int time_is_date;		/* else numeric epoch seconds */
	/*
	 * The run id's keyword field ("medload.run_id", or its .keyword
	 * sub-field where dynamic mapping made it text), NULL when the run
	 * id is not matched; run_id_mixed: keyword in some indices and text
	 * in others, matched on each as fits.
	 */
	char *run_id_field;
	int run_id_mixed;
	const char *run_id_ignored;	/* why the run's id is not matched */
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
 * slices of a sliced scroll in parallel. A slice stops, failed, at a page
 * the server already sent or past the hits it said the slice holds (with
 * a margin; counted, the count of the whole query, when it said nothing).
 * source (borrowed) gets "partial" and, when a slice failed, "errors".
 * Returns the analysis document (caller puts) with *partial set, or NULL
 * with *cause.
 */
struct json_object *source_es_raw(const struct source_es_layout *l,
    const struct source_es_opts *o, struct json_object *source,
    unsigned long long counted, int *partial, char **cause);

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

/* The most bytes of an aggregation answer, read as text. */
#define SOURCE_ES_WALK_ANSWER_MAX ((size_t)64 << 20)
/* The most bytes of one bucket or value made into a tree. */
#define SOURCE_ES_WALK_ITEM_MAX ((size_t)1 << 20)

/*
 * Runs a search of index with body (borrowed), leaving the answer's text
 * (at most SOURCE_ES_WALK_ANSWER_MAX bytes) in r, which the caller
 * releases with http_response_release, on errors too. 0 or -1 with *cause.
 */
int source_es_walk_search(struct es *es, const char *index,
    struct json_object *body, struct http_response *r, char **cause);

/*
 * Calls fn with the text of each element of the array at path[0..n) of
 * the object text[0..len) (the text is walked, not parsed whole). fn
 * returns 0, or -1 with *cause to stop. Returns 0, or -1 with *cause
 * (fn's, or an answer without the path).
 */
int source_es_walk_text(const char *text, size_t len, const char *const *path,
    size_t n, int (*fn)(const char *item, size_t len, void *arg,
    char **cause), void *arg, char **cause);

/*
 * The same with each element made into a tree alone (at most
 * SOURCE_ES_WALK_ITEM_MAX bytes), which fn borrows.
 */
int source_es_walk(const char *text, size_t len, const char *const *path,
    size_t n, int (*fn)(struct json_object *item, void *arg, char **cause),
    void *arg, char **cause);

/*
 * The value at path[0..n) of the object text[0..len) as a tree (caller
 * puts); NULL when absent, null, or too large (*cause then says so).
 */
struct json_object *source_es_walk_member(const char *text, size_t len,
    const char *const *path, size_t n, char **cause);

/*
 * The members of the object text[0..len) but skip, each made into a tree
 * alone, as an object (caller puts); skip's value (its text, borrowed from
 * text) in *rest, whose val is NULL when there is none. NULL with *cause.
 */
struct json_object *source_es_walk_head(const char *text, size_t len,
    const char *skip, struct jscan_member *rest, char **cause);

/*
 * The parts of the index list index that match an index, alias or data
 * stream, as a list for the requests (caller frees). The default list
 * (SOURCE_ES_DEFAULT_INDEX) tolerates missing parts; another list may not
 * name a missing index. A list that matches nothing is refused, naming
 * its parts and a few of what the server has. NULL with *cause.
 */
char *source_es_indices(struct es *es, const char *index, char **cause);

/*
 * Why no event was accepted (caller frees): matched documents matched the
 * query (0: the filters left everything out), filtered of them were left
 * out by the filters medload applied itself (raw mode); what o->index
 * holds without the filters (its labels, outcomes, types, run ids, time
 * range), one aggregation request. NULL when the server could not say.
 */
char *source_es_hint(struct es *es, const struct source_es_layout *l,
    const struct source_es_opts *o, enum source_es_mode mode,
    unsigned long long matched, unsigned long long filtered);

#endif
