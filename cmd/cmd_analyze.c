/* cmd_analyze.c: `medload analyze`: trace events -> analysis. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analyze.h"
#include "chart.h"
#include "es_cli.h"
#include "files.h"
#include "flows_chart.h"
#include "interrupt.h"
#include "junit.h"
#include "jx.h"
#include "render.h"
#include "source_par.h"
#include "threshold_cli.h"
#include "timeutil.h"
#include "util.h"

static const char analyze_usage[] =
"usage: medload analyze [options] FILE...\n"
"       medload analyze --es URL [options]\n"
"\n"
"Aggregates ACA-Py trace events and reports latency (ellapsed_milli or\n"
"elapsed_milli) per group. FILE is read line by line; '-' is standard\n"
"input; gzip files are read transparently. Each line may be an ACA-Py trace\n"
"event, a Logstash document, an Elasticsearch hit or an ACA-Py log line\n"
"with the event's JSON at its end. With --es, the events are read from\n"
"Elasticsearch or OpenSearch instead.\n";

static const char analyze_after[] =
"Exit status: 0 when at least one event was accepted, 1 when none was,\n"
"2 on a usage error, 3 when an input or the output could not be used\n"
"(the report then holds what could be read), 4 when the search engine\n"
"stopped answering or Ctrl-C cut a read short (the report is partial),\n"
"5 when a threshold was breached.\n";

enum { A_BY, A_RAW, A_LABEL, A_OUTCOME, A_TYPE, A_SINCE, A_UNTIL, A_PCTS,
    A_INTERVAL, A_FORMAT, A_OUT, A_TEMPLATES, A_SHOW, A_JUNIT, A_ES,
    A_INDEX, A_MODE, A_RAWMAX, A_SLICES, A_BATCH, A_HDR, A_RUNID, A_FLOWS,
    A_FLOW_TIMEOUT, A_FLOWS_CHART, A_THREADS, A_MAXG };

static const struct opt analyze_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Options:" },
	{ "by", 0, "KEYS", A_BY, 0, "group keys, comma-separated, from label, "
	    "handler,\noutcome, traced_type, endpoint (default\n"
	    "label,handler,outcome)" },
	{ "raw", 0, NULL, A_RAW, 0, "keep message types and outcomes as the "
	    "agents wrote\nthem (default: did:sov:...;spec/ types become\n"
	    "https://didcomm.org/ ones, and DELIVER outcomes lose\ntheir "
	    "endpoint to the endpoint key)" },
	{ "label", 0, "GLOB", A_LABEL, OPT_MANY, "keep events whose trace "
	    "label matches (repeatable)" },
	{ "outcome", 0, "GLOB", A_OUTCOME, OPT_MANY, "keep events whose "
	    "outcome matches (repeatable)" },
	{ "traced-type", 0, "GLOB", A_TYPE, OPT_MANY, "keep events whose "
	    "message type matches (repeatable)" },
	{ "since", 0, "TIME", A_SINCE, 0, "keep events at or after TIME (RFC "
	    "3339, or -2h, -30m)" },
	{ "until", 0, "TIME", A_UNTIL, 0, "keep events before TIME" },
	{ "percentiles", 0, "LIST", A_PCTS, 0, "percentiles to report "
	    "(default 50,75,90,95,99,99.9)" },
	{ "interval", 0, "DUR", A_INTERVAL, 0, "time-series bin width (e.g. "
	    "10s, 1m; default: chosen\nfrom the span, about 300 bins at "
	    "most)" },
	{ "format", 0, "FMT", A_FORMAT, 0, "text (default), json or csv" },
	{ "out", 'o', "FILE", A_OUT, 0, "write the report to FILE instead of "
	    "standard output" },
	{ "templates", 0, "DIR", A_TEMPLATES, 0, "read report templates from "
	    "DIR first" },
	{ "show-rejects", 0, "N", A_SHOW, 0, "print the first N rejected "
	    "records (default 5)" },
	{ "junit", 0, "FILE", A_JUNIT, 0, "write the threshold results as "
	    "JUnit XML" },
	{ "max-groups", 0, "N", A_MAXG, 0, "keep at most N groups, the first "
	    "in key order;\nthe events of the rest are counted together "
	    "in\none overflow group (default 10000; 0: no bound)" },
	{ "threads", 0, "N", A_THREADS, 0, "parse trace files on N threads "
	    "(default: one per\nonline core, or MEDLOAD_THREADS); the figures "
	    "are\nthe same whatever N (--flows too, several files\n"
	    "merged by event time included)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct opt analyze_flow_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Exchanges across agents (--flows):" },
	{ "flows", 0, NULL, A_FLOWS, 0, "follow each DIDComm exchange across "
	    "both agents, hop\nby hop, with their clock offset and the "
	    "messages lost;\n--format csv then writes the hops table" },
	{ "flow-timeout", 0, "DUR", A_FLOW_TIMEOUT, 0, "an exchange still "
	    "open this long after its first\nevent is incomplete (default "
	    "30s)" },
	{ "flows-chart", 0, "DIR", A_FLOWS_CHART, 0, "draw where each "
	    "exchange's time goes (gnuplot:\nflows.png, flows.svg and their "
	    "script and data) in DIR" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct opt analyze_es_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Elasticsearch / OpenSearch (--es URL):" },
	{ "es", 0, "URL", A_ES, 0, "read the events from this search engine" },
	{ "index", 0, "PATTERN", A_INDEX, 0, "indices to read (default\n"
	    SOURCE_ES_DEFAULT_INDEX ")" },
	{ "mode", 0, "MODE", A_MODE, 0, "raw (every event, exact figures), "
	    "aggs (the server\naggregates; approximate percentiles) or auto "
	    "(default:\nraw up to --raw-max events, else aggs)" },
	{ "raw-max", 0, "N", A_RAWMAX, 0, "auto mode's limit for raw (default "
	    "200000)" },
	{ "slices", 0, "N", A_SLICES, 0, "raw: parallel scroll slices "
	    "(default 1)" },
	{ "batch", 0, "N", A_BATCH, 0, "raw: hits per page (default 5000)" },
	{ "hdr", 0, NULL, A_HDR, 0, "aggs: HDR percentiles instead of "
	    "t-digest" },
	{ "run-id", 0, "ID", A_RUNID, 0, "only events tagged with this run "
	    "(medload.run_id)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* What the command line says. */
struct analyze_cmd {
	struct analyze_request req;
	struct es_cli ec;
	struct threshold_set ts;
	enum render_format format;
	const char *out, *templates, *junit, *flows_chart;
	const char *flows_only;	/* a --flow* option given, for the check */
	const char *es_only;	/* an --es option given, for the check */
	const char *files_only;	/* a files-only option given */
	double now;
	int help;
};

/* Parses --by into the request's keys. */
static int
analyze_parse_by(struct analyze_request *r, const char *s, char **cause)
{
	char *copy = util_strdup(s), *tok, *save = NULL;
	enum agg_key k;
	size_t i;
	int rc = 0;

	r->nkeys = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (agg_key_parse(tok, &k) == -1)
			rc = util_fail(cause, "--by: unknown key \"%s\" "
			    "(expected label, handler, outcome, traced_type, "
			    "endpoint)", tok);
		for (i = 0; rc == 0 && i < r->nkeys; i++)
			if (r->keys[i] == k)
				rc = util_fail(cause, "--by: \"%s\" given "
				    "twice", tok);
		if (rc == 0)
			r->keys[r->nkeys++] = k;
	}
	free(copy);
	if (rc == 0 && r->nkeys == 0)
		rc = util_fail(cause, "--by: no keys in \"%s\"", s);
	return rc;
}

/* Takes --since or --until. */
static int
analyze_take_time(struct analyze_cmd *c, int id, const char *v, char **cause)
{
	struct filter *f = &c->req.filter;

	if (time_parse_when(v, c->now, id == A_SINCE ? &f->since :
	    &f->until) == -1)
		return util_fail(cause, "--%s: \"%s\" is not a time (RFC 3339, "
		    "\"now\" or like -2h)", id == A_SINCE ? "since" : "until",
		    v);
	if (id == A_SINCE)
		f->has_since = 1;
	else
		f->has_until = 1;
	return 0;
}

/* Takes one of the general options. */
static int
analyze_take(void *ctx, int id, const char *v, char **cause)
{
	static const char *const formats[] = { "text", "json", "csv", NULL };
	struct analyze_cmd *c = ctx;
	struct analyze_request *r = &c->req;
	unsigned long long n;
	int i, rc = 0;

	switch (id) {
	case A_BY: return analyze_parse_by(r, v, cause);
	case A_RAW: r->raw = 1; break;
	case A_LABEL: filter_add(&r->filter.labels, &r->filter.nlabels, v);
		break;
	case A_OUTCOME:
		filter_add(&r->filter.outcomes, &r->filter.noutcomes, v);
		break;
	case A_TYPE: filter_add(&r->filter.types, &r->filter.ntypes, v);
		break;
	case A_SINCE:
	case A_UNTIL: return analyze_take_time(c, id, v, cause);
	case A_PCTS:
		i = analysis_parse_pcts(v, r->pcts, ANALYSIS_MAX_PCTS, cause);
		r->npcts = i > 0 ? (size_t)i : r->npcts;
		return i == -1 ? -1 : 0;
	case A_INTERVAL:
		return opt_duration("interval", v, 1, 86400 * 366, &r->interval,
		    cause);
	case A_FORMAT:
		rc = opt_choice("format", v, formats, &i, cause);
		c->format = (enum render_format)i;
		break;
	case A_OUT: c->out = v; break;
	case A_TEMPLATES: c->templates = v; break;
	case A_SHOW:
		rc = opt_count("show-rejects", v, 0, 1000000000ULL, &n, cause);
		r->show_rejects = n;
		break;
	case A_JUNIT: c->junit = v; break;
	case A_MAXG:
		rc = opt_count("max-groups", v, 0, 1000000000ULL, &n, cause);
		r->max_groups = (size_t)n;
		c->files_only = "--max-groups";
		break;
	case A_THREADS:
		rc = opt_count("threads", v, 1, SOURCE_PAR_MAX_THREADS, &n,
		    cause);
		r->threads = (unsigned)n;
		c->files_only = "--threads";
		break;
	}
	return rc;
}

/* Takes one of the flows options. */
static int
analyze_take_flows(void *ctx, int id, const char *v, char **cause)
{
	struct analyze_cmd *c = ctx;

	switch (id) {
	case A_FLOWS: c->req.flows = 1; return 0;
	case A_FLOW_TIMEOUT:
		c->flows_only = "--flow-timeout";
		return opt_duration("flow-timeout", v, 0.001, 86400,
		    &c->req.flow_timeout, cause);
	case A_FLOWS_CHART:
		c->flows_only = "--flows-chart";
		c->flows_chart = v;
		return 0;
	}
	return 0;
}

/* Takes one of the search engine options. */
static int
analyze_take_es(void *ctx, int id, const char *v, char **cause)
{
	static const char *const modes[] = { "auto", "raw", "aggs", NULL };
	struct analyze_cmd *c = ctx;
	struct source_es_opts *es = &c->req.es;
	unsigned long long n = 0;
	int i = 0, rc = 0;

	if (id != A_ES && c->es_only == NULL)
		c->es_only = id == A_INDEX ? "--index" : id == A_MODE ?
		    "--mode" : id == A_RAWMAX ? "--raw-max" : id == A_SLICES ?
		    "--slices" : id == A_BATCH ? "--batch" : id == A_HDR ?
		    "--hdr" : "--run-id";
	switch (id) {
	case A_ES: es->url = v; break;
	case A_INDEX: es->index = v; break;
	case A_MODE:
		rc = opt_choice("mode", v, modes, &i, cause);
		es->mode = i == 1 ? SOURCE_ES_RAW : i == 2 ? SOURCE_ES_AGGS :
		    SOURCE_ES_AUTO;
		break;
	case A_RAWMAX:
		rc = opt_count("raw-max", v, 0, 1000000000ULL, &n, cause);
		es->auto_raw_max = n;
		break;
	case A_SLICES:
		rc = opt_count("slices", v, 1, 64, &n, cause);
		es->slices = (int)n;
		break;
	case A_BATCH:
		rc = opt_count("batch", v, 1, 10000, &n, cause);
		es->batch = n;
		break;
	case A_HDR: es->hdr = 1; break;
	case A_RUNID: c->req.run_id = v; break;
	}
	return rc;
}

/* Fills groups for c; returns their number. */
static size_t
analyze_groups(struct analyze_cmd *c, struct opt_group *g)
{
	g[0] = (struct opt_group){ analyze_opts, analyze_take, c };
	g[1] = (struct opt_group)THRESHOLD_CLI_GROUP(&c->ts);
	g[2] = (struct opt_group)CMD_HELP_GROUP(&c->help);
	g[3] = (struct opt_group){ analyze_es_opts, analyze_take_es, c };
	g[4] = (struct opt_group)ES_CLI_GROUP(&c->ec);
	g[5] = (struct opt_group){ analyze_flow_opts, analyze_take_flows, c };
	return 6;
}

void
cmd_analyze_help(FILE *out)
{
	struct analyze_cmd c;
	struct opt_group g[6];

	cmd_help(out, analyze_usage, g, analyze_groups(&c, g), analyze_after);
}

/* Sets the defaults. */
static void
analyze_init(struct analyze_cmd *c)
{
	memset(c, 0, sizeof(*c));
	analyze_request_init(&c->req);
	es_cli_init(&c->ec);
	threshold_set_init(&c->ts);
	c->now = time_now();
}

/* Releases what parsing made. */
static void
analyze_release(struct analyze_cmd *c)
{
	filter_release(&c->req.filter);
	threshold_set_release(&c->ts);
	es_cli_release(&c->ec);
	free((void *)c->req.files);
}

/* Rules across options; 0 or -1 with *cause. */
static int
analyze_check(struct analyze_cmd *c, char **cause)
{
	const struct filter *f = &c->req.filter;

	if (c->req.es.url == NULL && c->req.nfiles == 0)
		return util_fail(cause, "no input files (use '-' for standard "
		    "input, or --es URL)");
	if (c->req.es.url != NULL && c->req.nfiles > 0)
		return util_fail(cause, "give input files or --es, not both");
	if (c->req.es.url != NULL && c->files_only != NULL)
		return util_fail(cause, "%s goes with trace files (--es reads "
		    "on --slices)", c->files_only);
	if (c->req.es.url == NULL && c->es_only != NULL)
		return util_fail(cause, "%s goes with --es URL (trace files "
		    "are read whole)", c->es_only);
	if (c->flows_only != NULL && !c->req.flows)
		return util_fail(cause, "%s goes with --flows", c->flows_only);
	if (c->req.flows && c->req.es.mode == SOURCE_ES_AGGS)
		return util_fail(cause, "--flows needs the raw events: --mode "
		    "aggs cannot follow exchanges");
	if (c->req.flows && c->req.es.slices > 1)
		return util_fail(cause, "--flows reads the events in time "
		    "order, one scroll: --slices must be 1");
	if (c->req.flows)
		c->req.es.mode = SOURCE_ES_RAW;
	if (f->has_since && f->has_until && f->until <= f->since)
		return util_fail(cause, "--until is not after --since");
	if (threshold_set_relative(&c->ts))
		return util_fail(cause, "thresholds relative to a baseline need "
		    "'medload compare' or 'medload nightly'");
	if (c->req.es.url != NULL && es_cli_finish(&c->ec, cause) == -1)
		return -1;
	c->req.source = c->req.es.url != NULL ? ANALYZE_ES : ANALYZE_FILES;
	c->req.es.http = &c->ec.http;
	c->req.es.progress = isatty(STDERR_FILENO);
	if (c->templates == NULL)
		c->templates = getenv("MEDLOAD_TEMPLATES");
	return 0;
}

/* Parses and checks the command line; 0, or -1 with *cause. */
static int
analyze_parse(struct analyze_cmd *c, int argc, char **argv, char **cause)
{
	struct opt_group g[6];
	char **ops;
	size_t n;

	if (opt_parse(g, analyze_groups(c, g), argc, argv, &ops, &n,
	    cause) == -1)
		return -1;
	c->req.files = (const char *const *)ops;
	c->req.nfiles = n;
	if (c->help)
		return 0;
	return analyze_check(c, cause);
}

/* Writes the document as asked, with the thresholds; 0 or -1. */
static int
analyze_output(const struct analyze_cmd *c, struct json_object *doc,
    struct json_object *tblock)
{
	struct files_out o;
	char *cause = NULL;
	int rc;

	if (files_open(&o, c->out, FILES_USER, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		return -1;
	}
	if (c->req.flows && c->format == RENDER_CSV) {
		rc = render_flows_csv(doc, o.f);
		if (rc == -1)
			cause = util_strdup("write error");
	} else
		rc = render(doc, c->format, c->templates, o.f, &cause);
	if (rc == 0 && tblock != NULL && c->format == RENDER_TEXT) {
		fputc('\n', o.f);
		threshold_print_text(tblock, o.f);
	} else if (rc == 0 && tblock != NULL && c->format == RENDER_CSV)
		threshold_print_text(tblock, stderr);
	if (files_close(&o, rc == 0, rc == 0 ? &cause : NULL) == -1)
		rc = -1;
	if (rc == -1)
		cli_error("%s", cause);
	free(cause);
	return rc;
}

/* Draws the flows chart into --flows-chart DIR; -1 after a message. */
static int
analyze_flows_chart(const struct analyze_cmd *c, struct json_object *doc)
{
	char *cause = NULL;
	int rc;

	if (!chart_available(&cause)) {
		cli_error("--flows-chart: %s", cause);
		free(cause);
		return -1;
	}
	rc = flows_chart_write(doc, c->flows_chart, c->templates, &cause);
	if (rc == -1)
		cli_error("--flows-chart: %s", cause);
	else if (rc == 0)
		cli_error("--flows-chart: no complete exchange to draw");
	free(cause);
	return rc == -1 ? -1 : 0;
}

/* Says why nothing was accepted, and what the source does hold. */
static void
analyze_none_accepted(const struct analyze_result *res)
{
	long long skipped = jx_int(res->doc, "events.skipped", 0);

	cli_error("no events accepted (%lld read, %lld rejected, %lld "
	    "filtered out%s)", jx_int(res->doc, "events.read", 0),
	    jx_int(res->doc, "events.rejected", 0),
	    jx_int(res->doc, "events.filtered_out", 0), skipped > 0 ?
	    ", the rest log lines without a trace" : "");
	if (res->hint != NULL)
		cli_error("hint: %s", res->hint);
}

/* Runs the analysis and writes its outputs; returns an exit status. */
static int
analyze_execute(struct analyze_cmd *c)
{
	struct analyze_result res;
	struct json_object *tblock = NULL;
	char *cause = NULL;
	int status;

	interrupt_catch();
	if (analyze_run(&c->req, &res, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		return interrupt_pending() ? STATUS_PARTIAL : STATUS_IO;
	}
	status = analyze_result_status(&res);
	if (c->ts.n > 0) {
		tblock = threshold_evaluate(&c->ts, res.doc, NULL, NULL);
		json_object_object_add(res.doc, "thresholds",
		    json_object_get(tblock));
	}
	if (analyze_output(c, res.doc, tblock) == -1)
		status = STATUS_IO;
	if (c->flows_chart != NULL && analyze_flows_chart(c, res.doc) == -1)
		status = STATUS_IO;
	if (status == STATUS_OK && res.accepted == 0) {
		analyze_none_accepted(&res);
		status = STATUS_NO_EVENTS;
	}
	if (c->junit != NULL && junit_write_file(c->junit, "medload analyze",
	    tblock, NULL, &cause) == -1) {
		cli_error("%s", cause);
		status = STATUS_IO;
	}
	if (threshold_block_failed(tblock) > 0) {
		cli_error("%d of %zu thresholds breached",
		    threshold_block_failed(tblock), c->ts.n);
		if (status == STATUS_OK)
			status = STATUS_THRESHOLD;
	}
	json_object_put(tblock);
	analyze_result_release(&res);
	free(cause);
	return status;
}

int
cmd_analyze(int argc, char **argv)
{
	struct analyze_cmd c;
	char *cause = NULL;
	int status;

	analyze_init(&c);
	if (analyze_parse(&c, argc, argv, &cause) == -1)
		status = cli_usage_error("analyze", "%s", cause);
	else if (c.help) {
		cmd_analyze_help(stdout);
		status = STATUS_OK;
	} else
		status = analyze_execute(&c);
	free(cause);
	analyze_release(&c);
	return status;
}
