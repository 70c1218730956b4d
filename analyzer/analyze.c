/* analyze.c: a trace source and filters -> the analysis document. */
#include "analyze.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "flows.h"
#include "hist.h"
#include "interrupt.h"
#include "jx.h"
#include "pipeline.h"
#include "source_par.h"
#include "source_merge.h"
#include "trace.h"
#include "status.h"
#include "util.h"

void
analyze_request_init(struct analyze_request *r)
{
	static const double pcts[] = { 50, 75, 90, 95, 99, 99.9 };

	memset(r, 0, sizeof(*r));
	r->keys[0] = AGG_KEY_LABEL;
	r->keys[1] = AGG_KEY_HANDLER;
	r->keys[2] = AGG_KEY_OUTCOME;
	r->nkeys = 3;
	memcpy(r->pcts, pcts, sizeof(pcts));
	r->npcts = sizeof(pcts) / sizeof(pcts[0]);
	r->show_rejects = 5;
	r->es.index = SOURCE_ES_DEFAULT_INDEX;
	r->es.mode = SOURCE_ES_AUTO;
	r->es.slices = 1;
	r->es.batch = 5000;
	r->es.auto_raw_max = 200000;
	r->max_groups = ANALYZE_MAX_GROUPS;
	r->threads = (unsigned)source_par_env("MEDLOAD_THREADS",
	    SOURCE_PAR_MAX_THREADS);
	r->chunk = source_par_env("MEDLOAD_CHUNK_BYTES", (size_t)1 << 30);
}

/* The "source" block of a file or empty analysis. */
static struct json_object *
analyze_source_block(const struct analyze_request *r, struct json_object *errors,
    int partial)
{
	struct json_object *src = json_object_new_object(), *in;
	size_t i;

	json_object_object_add(src, "kind", json_object_new_string(
	    r->source == ANALYZE_NONE ? "none" : "files"));
	in = json_object_new_array();
	for (i = 0; i < r->nfiles; i++)
		json_object_array_add(in, json_object_new_string(r->files[i]));
	json_object_object_add(src, "inputs", in);
	if (jx_len(errors) > 0)
		json_object_object_add(src, "errors", json_object_get(errors));
	if (partial)
		json_object_object_add(src, "partial",
		    json_object_new_boolean(1));
	if (r->run_id != NULL)
		json_object_object_add(src, "run_id",
		    json_object_new_string(r->run_id));
	return src;
}

/*
 * Reads every file through the pipeline (none for ANALYZE_NONE), on
 * r->threads threads; several files merged in time order when following
 * exchanges, so that only the open ones are held (on one thread a record
 * of each file at a time, on several a chunk or two of each).
 */
static void
analyze_files(const struct analyze_request *r, struct pipeline *p,
    struct json_object *errors, struct analyze_result *res)
{
	unsigned threads = r->threads ? r->threads : source_par_cores();
	unsigned bad = 0;

	if (r->flows && r->nfiles > 1 && threads == 1)
		source_merge_read(r->files, r->nfiles, r->raw, p, errors, &bad);
	else if (r->flows && r->nfiles > 1)
		source_par_read_timed(r->files, r->nfiles, threads, r->chunk, p,
		    errors, &bad);
	else
		source_par_read(r->files, r->nfiles, threads, r->chunk, p,
		    errors, &bad);
	res->unreadable += (int)bad;
	if (interrupt_pending())
		res->partial = 1;
	pipeline_reject_summary(p);
}

/* Says what the input held when nothing was accepted (caller frees). */
static char *
analyze_local_hint(const struct analyze_request *r, const struct pipeline *p)
{
	const struct analysis_counts *c = &p->counts;

	if (p->left_out.n > 0)
		return seen_hint(&p->left_out, &r->filter);
	if (r->source == ANALYZE_NONE)
		return NULL;
	if (c->read == 0)
		return util_strdup("the input holds no records (empty, or only "
		    "blank lines)");
	if (c->rejected == 0)
		return util_printf("the input holds no trace events: %llu log "
		    "lines without one", c->skipped);
	return util_printf("every trace record was rejected (%llu); the "
	    "first few are shown above with their reasons", c->rejected);
}

/* Says on stderr when groups went beyond the bound. */
static void
analyze_overflow_note(const struct pipeline *p)
{
	const struct agg_group *g;
	unsigned long long oc;
	size_t max;

	g = agg_overflow(p->agg, &max, &oc);
	if (g != NULL)
		cli_error("%llu events in groups beyond --max-groups %zu are "
		    "counted together (\"groups_overflow\")",
		    (unsigned long long)hist_count(g->h), max);
	else if (oc > 0)
		cli_error("%llu events of (label, outcome) pairs beyond "
		    "--max-groups %zu are left out of the outcome counts", oc,
		    max);
}

/* The analysis of files, standard input, or of nothing. */
static int
analyze_local(const struct analyze_request *r, struct json_object *filters,
    struct analyze_result *res)
{
	struct analysis_request req;
	struct json_object *errors = json_object_new_array();
	struct pipeline p;

	pipeline_init(&p, r->keys, r->nkeys, r->interval, &r->filter,
	    r->show_rejects);
	pipeline_raw(&p, r->raw);
	pipeline_limit(&p, r->max_groups);
	p.quiet = r->quiet_rejects;
	p.flows = r->flows ? flows_new(r->flow_timeout) : NULL;
	analyze_files(r, &p, errors, res);
	memset(&req, 0, sizeof(req));
	req.keys = r->keys;
	req.nkeys = r->nkeys;
	req.pcts = r->pcts;
	req.npcts = r->npcts;
	req.filters = filters;
	req.source = analyze_source_block(r, errors, res->partial);
	res->doc = analysis_build(p.agg, &p.counts, &req);
	analyze_overflow_note(&p);
	if (p.flows != NULL)
		json_object_object_add(res->doc, "flows", flows_doc(p.flows,
		    r->pcts, r->npcts));
	flows_free(p.flows);
	res->accepted = p.counts.accepted;
	if (res->accepted == 0)
		res->hint = analyze_local_hint(r, &p);
	json_object_put(req.source);
	json_object_put(errors);
	pipeline_release(&p);
	return 0;
}

/*
 * Adds the "flows" object to a search engine's analysis: the exchanges
 * when the events were read raw, else why they could not be followed.
 */
static void
analyze_es_flows(const struct analyze_request *r,
    const struct source_es_opts *o, struct json_object *doc)
{
	struct json_object *f;

	if (strcmp(jx_str(jx_get(doc, "source.mode"), ""), "raw") == 0 &&
	    o->slices == 1) {
		json_object_object_add(doc, "flows", flows_doc(o->flows,
		    r->pcts, r->npcts));
		return;
	}
	f = json_object_new_object();
	json_object_object_add(f, "skipped", json_object_new_string(
	    "exchanges are followed over raw events in time order (one "
	    "slice): more events matched than --raw-max, or --slices was "
	    "over 1"));
	json_object_object_add(doc, "flows", f);
}

/* The analysis of a search engine's events. */
static int
analyze_es(const struct analyze_request *r, struct json_object *filters,
    struct analyze_result *res, char **cause)
{
	struct source_es_opts o = r->es;

	o.filter = &r->filter;
	o.raw = r->raw;
	o.keys = r->keys;
	o.nkeys = r->nkeys;
	o.pcts = r->pcts;
	o.npcts = r->npcts;
	o.interval = r->interval;
	o.show_rejects = r->show_rejects;
	o.quiet_rejects = r->quiet_rejects;
	o.run_id = r->run_id;
	o.run_id_optional = r->run_id_optional;
	o.filters_doc = filters;
	o.flows = r->flows ? flows_new(r->flow_timeout) : NULL;
	res->doc = source_es_analyze(&o, &res->partial, &res->hint, cause);
	if (res->doc == NULL) {
		flows_free(o.flows);
		return -1;
	}
	if (o.flows != NULL)
		analyze_es_flows(r, &o, res->doc);
	flows_free(o.flows);
	res->accepted = (unsigned long long)jx_int(res->doc,
	    "events.accepted", 0);
	return 0;
}

void
analyze_result_release(struct analyze_result *res)
{
	json_object_put(res->doc);
	free(res->hint);
	memset(res, 0, sizeof(*res));
}

int
analyze_run(const struct analyze_request *r, struct analyze_result *res,
    char **cause)
{
	struct json_object *filters = filter_doc(&r->filter);
	int rc;

	memset(res, 0, sizeof(*res));
	if (r->source == ANALYZE_ES)
		rc = analyze_es(r, filters, res, cause);
	else
		rc = analyze_local(r, filters, res);
	json_object_put(filters);
	return rc;
}

int
analyze_result_status(const struct analyze_result *res)
{
	if (res->partial)
		return STATUS_PARTIAL;
	return res->unreadable > 0 ? STATUS_IO : STATUS_OK;
}
