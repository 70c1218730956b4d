/*
 * run_window.h: the analysis request for a load run's traces: the run's
 * window, from its results document (medload.run/1, written by medload
 * run or made from Locust's CSV files), and where the traces are. `run
 * --report` and `report` build it here, so both read a run's traces the
 * same way.
 */
#ifndef MEDLOAD_RUN_WINDOW_H
#define MEDLOAD_RUN_WINDOW_H

#include <stddef.h>

#include "analyze.h"
#include "http.h"

struct json_object;

/* Where a run's traces are: files, the search engine, or nowhere. */
struct run_window_traces {
	const char *const *files;	/* borrowed; NDJSON, log, .gz */
	size_t nfiles;
	const char *es_url;		/* or Elasticsearch/OpenSearch */
	const char *es_index;		/* NULL: the default indices */
	const struct http_opts *http;	/* borrowed, for es_url */
};

/*
 * Sets *r (after analyze_request_init) to read the traces of t, keeping
 * the events from a second before the run's window (window_start and
 * window_end of results, borrowed) to late_s + 1 seconds after it, and
 * matching the run's run_id when the document has one (results NULL: no
 * run, every event). With neither files nor es_url, r has no source: the
 * report covers the run alone. Returns 0, or -1 with *cause when the
 * document has no window.
 */
int run_window_request(struct json_object *results,
    const struct run_window_traces *t, double late_s,
    struct analyze_request *r, char **cause);

#endif
