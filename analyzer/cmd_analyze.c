/* cmd_analyze.c: `medload analyze`: trace files -> analysis report. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aggregate.h"
#include "analysis.h"
#include "filter.h"
#include "render.h"
#include "source_file.h"
#include "timeutil.h"
#include "trace.h"
#include "util.h"

const char cmd_analyze_help[] =
"usage: medload analyze [options] FILE...\n"
"\n"
"Aggregates ACA-Py trace events and reports latency (ellapsed_milli or\n"
"elapsed_milli) per group. FILE is read line by line; '-' is standard\n"
"input; gzip files are read transparently. Each line may be an ACA-Py trace\n"
"event, a Logstash document, an Elasticsearch hit or an ACA-Py log line\n"
"with the event's JSON at its end.\n"
"\n"
"Options:\n"
"  --by KEYS           group keys, comma-separated, from label, handler,\n"
"                      outcome, traced_type (default label,handler,outcome)\n"
"  --label GLOB        keep events whose trace label matches (repeatable)\n"
"  --outcome GLOB      keep events whose outcome matches (repeatable)\n"
"  --traced-type GLOB  keep events whose message type matches (repeatable)\n"
"  --since TIME        keep events at or after TIME (RFC 3339, or -2h, -30m)\n"
"  --until TIME        keep events before TIME\n"
"  --percentiles LIST  percentiles to report (default 50,75,90,95,99,99.9)\n"
"  --interval DUR      time-series bin width (e.g. 10s, 1m; default: chosen\n"
"                      from the span, about 300 bins at most)\n"
"  --format FMT        text (default), json or csv\n"
"  -o, --out FILE      write the report to FILE instead of standard output\n"
"  --templates DIR     read report templates from DIR first\n"
"  --show-rejects N    print the first N rejected records (default 5)\n"
"  -h, --help          show this help\n"
"\n"
"Exit status: 0 when at least one event was accepted, 1 when none was,\n"
"2 on a usage error, 3 when an input or the output could not be used\n"
"(the report then holds what could be read).\n";

/* State of one analysis while lines stream in. */
struct analyze_run {
	struct trace_parser *parser;
	struct agg *agg;
	struct filter filter;
	struct analysis_counts counts;
	const char *path;
	unsigned long long shown;
	unsigned long long show_max;
};

/* Handles one line of input. */
static int
analyze_line(const char *line, size_t len, unsigned long long lineno,
    int too_long, void *arg)
{
	struct analyze_run *r = arg;
	struct trace_event ev;
	enum trace_reject rej;
	const char *detail = "";

	r->counts.read++;
	if (too_long) {
		rej = TRACE_REJ_TOO_LONG;
		detail = "longer than 16 MiB";
	} else
		rej = trace_parse(r->parser, line, len, &ev, &detail);
	if (rej != TRACE_OK) {
		r->counts.rejected++;
		r->counts.by_reason[rej]++;
		if (r->shown < r->show_max) {
			struct strbuf b;

			strbuf_init(&b, 0);
			util_safe_append(&b, r->path);
			cli_error("%s:%llu: record rejected (%s): %s",
			    b.data ? b.data : "", lineno, trace_reject_name(rej),
			    detail);
			strbuf_release(&b);
			r->shown++;
		}
		return 0;
	}
	if (!filter_match(&r->filter, &ev)) {
		r->counts.filtered++;
		return 0;
	}
	r->counts.accepted++;
	r->counts.by_shape[ev.shape]++;
	agg_add(r->agg, &ev);
	return 0;
}

/* Parses --by. */
static int
analyze_parse_by(const char *s, enum agg_key *keys, size_t *n, char **cause)
{
	char *copy = util_strdup(s), *tok, *save = NULL;
	enum agg_key k;
	size_t i;

	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (agg_key_parse(tok, &k) == -1) {
			util_fail(cause, "--by: unknown key \"%s\" (expected "
			    "label, handler, outcome, traced_type)", tok);
			free(copy);
			return -1;
		}
		for (i = 0; i < *n; i++) {
			if (keys[i] == k) {
				util_fail(cause, "--by: \"%s\" given twice",
				    tok);
				free(copy);
				return -1;
			}
		}
		keys[(*n)++] = k;
	}
	free(copy);
	if (*n == 0)
		return util_fail(cause, "--by: no keys in \"%s\"", s);
	return 0;
}

/* Records a list of patterns in the filters object. */
static void
analyze_filter_list(struct json_object *o, const char *name,
    const char **list, size_t n)
{
	struct json_object *arr;
	size_t i;

	if (n == 0)
		return;
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(list[i]));
	json_object_object_add(o, name, arr);
}

/* Builds the "filters" block of the document. */
static struct json_object *
analyze_filters_doc(const struct filter *f)
{
	struct json_object *o = json_object_new_object();
	char buf[TIME_BUF];

	analyze_filter_list(o, "label", f->labels, f->nlabels);
	analyze_filter_list(o, "outcome", f->outcomes, f->noutcomes);
	analyze_filter_list(o, "traced_type", f->types, f->ntypes);
	if (f->has_since)
		json_object_object_add(o, "since",
		    json_object_new_string(time_format(f->since, buf)));
	if (f->has_until)
		json_object_object_add(o, "until",
		    json_object_new_string(time_format(f->until, buf)));
	return o;
}

/* Prints the rejection summary when more were rejected than shown. */
static void
analyze_reject_summary(const struct analyze_run *r)
{
	struct strbuf b;
	int i;

	if (r->counts.rejected == 0 || r->counts.rejected <= r->shown)
		return;
	strbuf_init(&b, 0);
	for (i = 1; i < TRACE_REJ_COUNT; i++)
		if (r->counts.by_reason[i] > 0)
			strbuf_addf(&b, "%s%s %llu", b.len ? ", " : "",
			    trace_reject_name((enum trace_reject)i),
			    r->counts.by_reason[i]);
	cli_error("%llu records rejected in all (%s)", r->counts.rejected,
	    b.data);
	strbuf_release(&b);
}

int
cmd_analyze(int argc, char **argv)
{
	enum { OPT_BY = 256, OPT_LABEL, OPT_OUTCOME, OPT_TYPE, OPT_SINCE,
	    OPT_UNTIL, OPT_PCTS, OPT_INTERVAL, OPT_FORMAT, OPT_TEMPLATES,
	    OPT_SHOW };
	static const struct option opts[] = {
		{ "by", required_argument, NULL, OPT_BY },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "outcome", required_argument, NULL, OPT_OUTCOME },
		{ "traced-type", required_argument, NULL, OPT_TYPE },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "percentiles", required_argument, NULL, OPT_PCTS },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "out", required_argument, NULL, 'o' },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		{ "show-rejects", required_argument, NULL, OPT_SHOW },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const double default_pcts[] = { 50, 75, 90, 95, 99, 99.9 };
	enum agg_key keys[AGG_KEY_COUNT] = { AGG_KEY_LABEL, AGG_KEY_HANDLER,
	    AGG_KEY_OUTCOME };
	double pcts[ANALYSIS_MAX_PCTS], interval = 0, now = time_now();
	struct analysis_request req;
	struct analyze_run run;
	struct json_object *doc, *source, *inputs, *errors;
	enum render_format format = RENDER_TEXT;
	const char *out_path = NULL, *templates = NULL;
	unsigned long long ull;
	char *cause = NULL, *tmp;
	size_t nkeys = 3, npcts = 6;
	int c, i, n, status = EXIT_OK;
	FILE *out;

	memset(&run, 0, sizeof(run));
	run.show_max = 5;
	memcpy(pcts, default_pcts, sizeof(default_pcts));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_BY:
			if (analyze_parse_by(optarg, keys, &nkeys, &cause) == -1)
				goto usage;
			break;
		case OPT_LABEL:
			filter_add(&run.filter.labels, &run.filter.nlabels,
			    optarg);
			break;
		case OPT_OUTCOME:
			filter_add(&run.filter.outcomes, &run.filter.noutcomes,
			    optarg);
			break;
		case OPT_TYPE:
			filter_add(&run.filter.types, &run.filter.ntypes,
			    optarg);
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (time_parse_when(optarg, now, c == OPT_SINCE ?
			    &run.filter.since : &run.filter.until) == -1) {
				util_fail(&cause, "--%s: \"%s\" is not a time "
				    "(RFC 3339, \"now\" or like -2h)",
				    c == OPT_SINCE ? "since" : "until", optarg);
				goto usage;
			}
			if (c == OPT_SINCE)
				run.filter.has_since = 1;
			else
				run.filter.has_until = 1;
			break;
		case OPT_PCTS:
			n = analysis_parse_pcts(optarg, pcts, ANALYSIS_MAX_PCTS,
			    &cause);
			if (n == -1)
				goto usage;
			npcts = (size_t)n;
			break;
		case OPT_INTERVAL:
			if (time_parse_duration(optarg, &interval) == -1) {
				util_fail(&cause, "--interval: \"%s\" is not a "
				    "duration (like 10s, 1m)", optarg);
				goto usage;
			}
			break;
		case OPT_FORMAT:
			if (render_format_parse(optarg, &format) == -1) {
				util_fail(&cause, "--format: \"%s\" is not "
				    "text, json or csv", optarg);
				goto usage;
			}
			break;
		case 'o':
			out_path = optarg;
			break;
		case OPT_TEMPLATES:
			templates = optarg;
			break;
		case OPT_SHOW:
			if (util_parse_uint(optarg, 1000000, &ull) == -1) {
				util_fail(&cause, "--show-rejects: \"%s\" is not "
				    "a count", optarg);
				goto usage;
			}
			run.show_max = ull;
			break;
		case 'h':
			fputs(cmd_analyze_help, stdout);
			filter_release(&run.filter);
			return EXIT_OK;
		case ':':
			util_fail(&cause, "option '%s' needs a value",
			    argv[optind - 1]);
			goto usage;
		default:
			util_fail(&cause, "unknown option '%s'",
			    argv[optind - 1]);
			goto usage;
		}
	}
	if (optind >= argc) {
		util_fail(&cause, "no input files (use '-' for standard input)");
		goto usage;
	}
	if (run.filter.has_since && run.filter.has_until &&
	    run.filter.until <= run.filter.since) {
		util_fail(&cause, "--until is not after --since");
		goto usage;
	}
	if (templates == NULL)
		templates = getenv("MEDLOAD_TEMPLATES");

	run.parser = trace_parser_new();
	run.agg = agg_new(keys, nkeys, interval);
	inputs = json_object_new_array();
	errors = json_object_new_array();
	for (i = optind; i < argc; i++) {
		run.path = argv[i];
		json_object_array_add(inputs, json_object_new_string(argv[i]));
		if (source_file_read(argv[i], analyze_line, &run, &cause) == -1) {
			struct strbuf b;

			strbuf_init(&b, 0);
			util_safe_append(&b, cause);
			cli_error("%s", b.data);
			json_object_array_add(errors,
			    json_object_new_string(cause));
			strbuf_release(&b);
			free(cause);
			cause = NULL;
			status = EXIT_IO;
		}
	}
	analyze_reject_summary(&run);

	source = json_object_new_object();
	json_object_object_add(source, "kind", json_object_new_string("files"));
	json_object_object_add(source, "inputs", inputs);
	if (json_object_array_length(errors) > 0)
		json_object_object_add(source, "errors", errors);
	else
		json_object_put(errors);
	req.keys = keys;
	req.nkeys = nkeys;
	req.pcts = pcts;
	req.npcts = npcts;
	req.source = source;
	req.filters = analyze_filters_doc(&run.filter);
	doc = analysis_build(run.agg, &run.counts, &req);
	json_object_put(source);
	json_object_put(req.filters);

	out = cli_output_open(out_path, &tmp, &cause);
	if (out == NULL) {
		cli_error("%s", cause);
		status = EXIT_IO;
	} else {
		int rc = render(doc, format, templates, out, &cause);

		if (rc == -1)
			cli_error("%s", cause);
		if (cli_output_close(out, out_path, tmp, rc == 0, &cause) ==
		    -1 && rc == 0) {
			cli_error("%s", cause);
			rc = -1;
		}
		if (rc == -1)
			status = EXIT_IO;
	}
	if (status == EXIT_OK && run.counts.accepted == 0) {
		cli_error("no events accepted (%llu read, %llu rejected, %llu "
		    "filtered out)", run.counts.read, run.counts.rejected,
		    run.counts.filtered);
		status = EXIT_NO_EVENTS;
	}
	json_object_put(doc);
	agg_free(run.agg);
	trace_parser_free(run.parser);
	filter_release(&run.filter);
	free(cause);
	return status;
usage:
	filter_release(&run.filter);
	status = cli_usage_error("analyze", "%s", cause);
	free(cause);
	return status;
}
