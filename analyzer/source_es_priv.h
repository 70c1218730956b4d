/*
 * source_es_priv.h: what the parts of the search-engine source share,
 * private to analyzer/source_es*.c. source_es.c reads the mapping into a
 * layout and picks the mode; source_es_query.c builds the query from the
 * filters; source_es_raw.c exports every matching event (sliced scroll);
 * source_es_aggs.c lets the server aggregate the groups and
 * source_es_series.c the series, spectrum and outcomes over time, their
 * buckets merged by source_es_cells.c; source_es_walk.c reads answers as
 * text; source_es_hint.c says what the indices hold.
 */
#ifndef MEDLOAD_SOURCE_ES_PRIV_H
#define MEDLOAD_SOURCE_ES_PRIV_H

#include "aggregate.h"
#include "analysis.h"
#include "source_es.h"
#include "strbuf.h"

struct es;
struct hmap;
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
 * Adds to q's must_not clauses one leaving START events (always 0 ms) out,
 * as the local series do; nothing when the index has no outcome field.
 */
void source_es_query_not_start(struct json_object *q,
    const struct source_es_layout *l);

/*
 * A clause matching the agents' start-up probes as the parser knows them
 * (handler ArgParse, or outcome Successfully_configured_aca-py) on the
 * fields the index has (caller puts); NULL when it has neither.
 */
struct json_object *source_es_query_probe(const struct source_es_layout *l);

/* Adds to q's must_not clauses the probes (source_es_query_probe). */
void source_es_query_not_probe(struct json_object *q,
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

/* One aggregation run: the server, the layout, the options, the query. */
struct source_es_aggs_run {
	struct es *es;
	const struct source_es_layout *l;
	const struct source_es_opts *o;
	struct json_object *query;	/* borrowed; probes left out */
	unsigned long long total;	/* documents the query matched */
};

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

/*
 * The percents asked of the server for each group and bin, so that sides
 * can be mixed (source_es_cells.c), and their number.
 */
#define SOURCE_ES_CELLS_NGRID 28
extern const double source_es_cells_grid[SOURCE_ES_CELLS_NGRID];
#define SOURCE_ES_CELLS_GRID_MAX (SOURCE_ES_CELLS_NGRID + ANALYSIS_MAX_PCTS)

/*
 * The grid plus the nq percents q, sorted, each once, into out (room for
 * SOURCE_ES_CELLS_GRID_MAX). Returns their number.
 */
size_t source_es_cells_grid_with(const double *q, size_t nq, double *out);

/* One server bucket's figures for a group, a series bin or a spectrum. */
struct source_es_side {
	double count, min, max, mean, std, first, last;
	double pv[SOURCE_ES_CELLS_GRID_MAX];	/* at the grid's percents */
};

/* A group, series bin or spectrum: the buckets that make it up. */
struct source_es_cell {
	struct json_object *key;	/* its key object, held */
	double ts;			/* series: bin start */
	struct source_es_side *side;
	size_t nsides, cap;
};

/* Cells found by key and time in constant time. */
struct source_es_cells {
	struct hmap *index;		/* ts and key text -> number + 1 */
	struct source_es_cell *v;	/* in the order they came */
	size_t n, cap;
	struct strbuf k;
};

/* Sets up an empty table; release with source_es_cells_release. */
void source_es_cells_init(struct source_es_cells *t);

/* Frees the cells, their keys and sides. */
void source_es_cells_release(struct source_es_cells *t);

/*
 * A new side (zeroed) of the cell for key (borrowed; the cell holds a
 * reference) at ts, the cell made when it is new. The pointer is valid
 * until the next call.
 */
struct source_es_side *source_es_cells_side(struct source_es_cells *t,
    struct json_object *key, double ts);

/*
 * Orders the cells by key (the values in the order of enum agg_key, as
 * analysis_build orders groups, null first), then time. No side may be
 * added afterwards.
 */
void source_es_cells_sort(struct source_es_cells *t);

/* Count, min, max, mean, stddev, first and last of a cell's sides. */
struct source_es_side source_es_cells_stats(const struct source_es_cell *c);

/*
 * The q-th percentile of the mixture of a cell's sides, each known at the
 * ng percents g (one side: its own value at q, which g must hold).
 */
double source_es_cells_pct(const struct source_es_cell *c, const double *g,
    size_t ng, double q);

/*
 * The percentiles aggregation body for field at the n percents q, t-digest
 * or (hdr) HDR (caller puts).
 */
struct json_object *source_es_aggs_percentiles(const char *field,
    const double *q, size_t n, int hdr);

/* {"field": name} (caller puts). */
struct json_object *source_es_aggs_field(const char *name);

/*
 * A number member k of an aggregation result (0 when null or absent),
 * held to [0, 1e15] where every count, time in ms and latency fits, so a
 * damaged answer's 1e19 or -1 casts to a count without undefined
 * behaviour (found by tests/fuzz/fuzz_es).
 */
double source_es_aggs_num(struct json_object *o, const char *k);

/* The {"value": ...} metric name of bucket, in epoch seconds. */
double source_es_aggs_time(const struct source_es_layout *l,
    struct json_object *bucket, const char *name);

/* Server percentiles {"values": [{"key", "value"}]} into out[0..n). */
void source_es_aggs_pct_values(struct json_object *pct, size_t n,
    double *out);

/*
 * Sets the time-bucket parameter of a series query in p: date_histogram
 * with fixed_interval on a date field, histogram on epoch seconds.
 */
void source_es_aggs_time_buckets(const struct source_es_layout *l,
    double interval, struct jsub_params *p);

/*
 * Says whether seen (a pass's raw bucket keys) holds key already, and
 * notes it when not: a server that repeats a bucket is believed once.
 */
int source_es_aggs_seen(struct hmap *seen, const void *key, size_t len);

/*
 * The series per label (interval seconds) and, in *spectrum, the latency
 * spectrum per label (caller puts both). NULL with *cause.
 */
struct json_object *source_es_series(const struct source_es_aggs_run *r,
    double interval, struct json_object **spectrum, char **cause);

/*
 * The events per label and normal outcome over time, as files count them
 * (caller puts). NULL with *cause.
 */
struct json_object *source_es_series_outcomes(
    const struct source_es_aggs_run *r, double interval, char **cause);

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
