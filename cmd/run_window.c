/* run_window.c: the analysis request for a load run's window. */
#include "run_window.h"

#include "jx.h"
#include "timeutil.h"
#include "util.h"

int
run_window_request(struct json_object *results,
    const struct run_window_traces *t, double late_s,
    struct analyze_request *r, char **cause)
{
	double start, end;

	analyze_request_init(r);
	if (results != NULL && (time_parse(jx_str(jx_get(results,
	    "window_start"), ""), &start) == -1 || time_parse(jx_str(jx_get(
	    results, "window_end"), ""), &end) == -1))
		return util_fail(cause, "the run's window is missing from its "
		    "results");
	if (results != NULL) {
		r->filter.since = start - 1;
		r->filter.until = end + late_s + 1;
		r->filter.has_since = r->filter.has_until = 1;
		r->run_id = jx_str(jx_get(results, "run_id"), NULL);
		r->run_id_optional = 1;	/* the run's window says the rest */
	}
	if (t->nfiles > 0) {
		r->source = ANALYZE_FILES;
		r->files = t->files;
		r->nfiles = t->nfiles;
	} else if (t->es_url != NULL) {
		r->source = ANALYZE_ES;
		r->es.url = t->es_url;
		r->es.http = t->http;
		if (t->es_index != NULL)
			r->es.index = t->es_index;
	} else
		r->source = ANALYZE_NONE;	/* the report covers the run */
	return 0;
}
