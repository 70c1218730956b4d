/* cmd_analyze.c: `medload analyze`: trace files -> analysis report. */
#include "cmd.h"

#include <getopt.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aggregate.h"
#include "analysis.h"
#include "filter.h"
#include "es_cli.h"
#include "http.h"
#include "interrupt.h"
#include "junit.h"
#include "jx.h"
#include "pipeline.h"
#include "source_es.h"
#include "render.h"
#include "source_file.h"
#include "threshold.h"
#include "timeutil.h"
#include "trace.h"
#include "util.h"

static const char cmd_analyze_help_text[] =
"usage: medload analyze [options] FILE...\n"
"       medload analyze --es URL [options]\n"
"\n"
"Aggregates ACA-Py trace events and reports latency (ellapsed_milli or\n"
"elapsed_milli) per group. FILE is read line by line; '-' is standard\n"
"input; gzip files are read transparently. Each line may be an ACA-Py trace\n"
"event, a Logstash document, an Elasticsearch hit or an ACA-Py log line\n"
"with the event's JSON at its end. With --es, the events are read from\n"
"Elasticsearch or OpenSearch instead.\n"
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
"  --threshold EXPR    pass/fail threshold, k6-like: 'p95<250',\n"
"                      'label=mediator.trace outcome=*END p99<1s',\n"
"                      'error_rate<1%', 'rate>50' (repeatable; see\n"
"                      medload(1)); a breach exits with status 5\n"
"  --thresholds FILE   thresholds from FILE (one a line, or YAML with a\n"
"                      'thresholds:' list)\n"
"  --junit FILE        write the threshold results as JUnit XML\n"
"  -h, --help          show this help\n"
"\n"
"Elasticsearch / OpenSearch (--es URL):\n"
"  --index PATTERN     indices to read (default\n"
"                      " SOURCE_ES_DEFAULT_INDEX ")\n"
"  --mode MODE         raw (every event, exact figures), aggs (the server\n"
"                      aggregates; approximate percentiles) or auto (default:\n"
"                      raw up to --raw-max events, else aggs)\n"
"  --raw-max N         auto mode's limit for raw (default 200000)\n"
"  --slices N          raw: parallel scroll slices (default 1)\n"
"  --batch N           raw: hits per page (default 5000)\n"
"  --hdr               aggs: HDR percentiles instead of t-digest\n"
"  --run-id ID         only events tagged with this run (medload.run_id)\n"
ES_CLI_HELP
"\n"
"Exit status: 0 when at least one event was accepted, 1 when none was,\n"
"2 on a usage error, 3 when an input or the output could not be used\n"
"(the report then holds what could be read), 4 when the search engine\n"
"stopped answering or Ctrl-C cut a read short (the report is partial),\n"
"5 when a threshold was breached.\n";

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

/* The number of accepted events an analysis document reports. */
static unsigned long long
analyze_accepted(struct json_object *doc)
{
	struct json_object *ev, *v;

	if (json_object_object_get_ex(doc, "events", &ev) &&
	    json_object_object_get_ex(ev, "accepted", &v))
		return (unsigned long long)json_object_get_int64(v);
	return 0;
}

int
cmd_analyze(int argc, char **argv)
{
	enum { OPT_BY = 256, OPT_LABEL, OPT_OUTCOME, OPT_TYPE, OPT_SINCE,
	    OPT_UNTIL, OPT_PCTS, OPT_INTERVAL, OPT_FORMAT, OPT_TEMPLATES,
	    OPT_SHOW, OPT_ES, OPT_INDEX, OPT_MODE, OPT_RAWMAX, OPT_SLICES,
	    OPT_BATCH, OPT_HDR, OPT_RUNID,
	    OPT_JUNIT };
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
		{ "es", required_argument, NULL, OPT_ES },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "raw-max", required_argument, NULL, OPT_RAWMAX },
		{ "slices", required_argument, NULL, OPT_SLICES },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "hdr", no_argument, NULL, OPT_HDR },
		{ "run-id", required_argument, NULL, OPT_RUNID },
		THRESHOLD_CLI_OPTIONS,
		{ "junit", required_argument, NULL, OPT_JUNIT },
		ES_CLI_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const double default_pcts[] = { 50, 75, 90, 95, 99, 99.9 };
	enum agg_key keys[AGG_KEY_COUNT] = { AGG_KEY_LABEL, AGG_KEY_HANDLER,
	    AGG_KEY_OUTCOME };
	double pcts[ANALYSIS_MAX_PCTS], interval = 0, now = time_now();
	struct source_es_opts es;
	struct es_cli ec;
	struct filter filter;
	struct analysis_request req;
	struct pipeline pipe;
	struct json_object *doc = NULL, *source, *inputs, *errors;
	enum render_format format = RENDER_TEXT;
	const char *out_path = NULL, *templates = NULL;
	unsigned long long ull, show_max = 5, accepted = 0;
	char *cause = NULL, *tmp;
	size_t nkeys = 3, npcts = 6;
	int c, i, n, status = STATUS_OK, partial = 0, th;
	FILE *out;
	struct threshold_set ts;	/* --threshold, --thresholds */
	struct json_object *tblock = NULL;
	const char *junit = NULL;

	threshold_set_init(&ts);
	memset(&filter, 0, sizeof(filter));
	memset(&es, 0, sizeof(es));
	es_cli_init(&ec);
	es.index = SOURCE_ES_DEFAULT_INDEX;
	es.mode = SOURCE_ES_AUTO;
	es.slices = 1;
	es.batch = 5000;
	es.auto_raw_max = 200000;
	memcpy(pcts, default_pcts, sizeof(default_pcts));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		if (es_cli_option(&ec, c, optarg))
			continue;
		if ((th = threshold_cli_option(&ts, c, optarg, &cause)) != 0) {
			if (th == -1)
				goto usage;
			continue;
		}
		switch (c) {
		case OPT_BY:
			if (analyze_parse_by(optarg, keys, &nkeys, &cause) == -1)
				goto usage;
			break;
		case OPT_LABEL:
			filter_add(&filter.labels, &filter.nlabels, optarg);
			break;
		case OPT_OUTCOME:
			filter_add(&filter.outcomes, &filter.noutcomes, optarg);
			break;
		case OPT_TYPE:
			filter_add(&filter.types, &filter.ntypes, optarg);
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (time_parse_when(optarg, now, c == OPT_SINCE ?
			    &filter.since : &filter.until) == -1) {
				util_fail(&cause, "--%s: \"%s\" is not a time "
				    "(RFC 3339, \"now\" or like -2h)",
				    c == OPT_SINCE ? "since" : "until", optarg);
				goto usage;
			}
			if (c == OPT_SINCE)
				filter.has_since = 1;
			else
				filter.has_until = 1;
			break;
		case OPT_PCTS:
			n = analysis_parse_pcts(optarg, pcts, ANALYSIS_MAX_PCTS,
			    &cause);
			if (n == -1)
				goto usage;
			npcts = (size_t)n;
			break;
		case OPT_INTERVAL:
			if (time_parse_duration(optarg, &interval) == -1 ||
			    interval < 1) {
				util_fail(&cause, "--interval: \"%s\" is not a "
				    "duration of a second or more (like 10s, "
				    "1m)", optarg);
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
		case OPT_RAWMAX:
		case OPT_SLICES:
		case OPT_BATCH:
			if (util_parse_uint(optarg, c == OPT_SLICES ? 64 :
			    c == OPT_BATCH ? 10000 : 1000000000ULL, &ull) == -1 ||
			    (ull == 0 && (c == OPT_SLICES || c == OPT_BATCH))) {
				util_fail(&cause, "%s: \"%s\" is not a count%s",
				    argv[optind - 1][1] == '-' ?
				    argv[optind - 1] : "option", optarg,
				    c == OPT_SLICES ? " from 1 to 64" :
				    c == OPT_BATCH ? " from 1 to 10000" : "");
				goto usage;
			}
			if (c == OPT_SHOW)
				show_max = ull;
			else if (c == OPT_RAWMAX)
				es.auto_raw_max = ull;
			else if (c == OPT_SLICES)
				es.slices = (int)ull;
			else
				es.batch = ull;
			break;
		case OPT_ES:
			es.url = optarg;
			break;
		case OPT_INDEX:
			es.index = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "raw") == 0)
				es.mode = SOURCE_ES_RAW;
			else if (strcmp(optarg, "aggs") == 0)
				es.mode = SOURCE_ES_AGGS;
			else if (strcmp(optarg, "auto") == 0)
				es.mode = SOURCE_ES_AUTO;
			else {
				util_fail(&cause, "--mode: \"%s\" is not raw, "
				    "aggs or auto", optarg);
				goto usage;
			}
			break;
		case OPT_HDR:
			es.hdr = 1;
			break;
		case OPT_RUNID:
			es.run_id = optarg;
			break;
		case OPT_JUNIT:
			junit = optarg;
			break;
		case 'h':
			cmd_analyze_help(stdout);
			threshold_set_release(&ts);
			filter_release(&filter);
			return STATUS_OK;
		case ':':
		default:
			cli_bad_option(c, argv, &cause);
			goto usage;
		}
	}
	if (es.url == NULL && optind >= argc) {
		util_fail(&cause, "no input files (use '-' for standard input, "
		    "or --es URL)");
		goto usage;
	}
	if (es.url != NULL && optind < argc) {
		util_fail(&cause, "give input files or --es, not both");
		goto usage;
	}
	if (filter.has_since && filter.has_until &&
	    filter.until <= filter.since) {
		util_fail(&cause, "--until is not after --since");
		goto usage;
	}
	if (threshold_set_relative(&ts)) {
		util_fail(&cause, "thresholds relative to a baseline need "
		    "'medload compare' or 'medload nightly'");
		goto usage;
	}
	if (templates == NULL)
		templates = getenv("MEDLOAD_TEMPLATES");

	req.keys = keys;
	req.nkeys = nkeys;
	req.pcts = pcts;
	req.npcts = npcts;
	req.filters = analyze_filters_doc(&filter);
	interrupt_catch();
	if (es.url != NULL) {
		if (es_cli_finish(&ec, &cause) == -1) {
			threshold_set_release(&ts);
			json_object_put(req.filters);
			es_cli_release(&ec);
			goto usage;
		}
		es.http = &ec.http;
		es.filter = &filter;
		es.keys = keys;
		es.nkeys = nkeys;
		es.pcts = pcts;
		es.npcts = npcts;
		es.interval = interval;
		es.show_rejects = show_max;
		es.progress = isatty(STDERR_FILENO);
		es.filters_doc = req.filters;
		doc = source_es_analyze(&es, &partial, &cause);
		if (doc == NULL) {
			struct strbuf b;

			strbuf_init(&b, 0);
			util_safe_append(&b, cause);
			cli_error("%s", b.data);
			strbuf_release(&b);
			json_object_put(req.filters);
			es_cli_release(&ec);
			free(cause);
			filter_release(&filter);
			threshold_set_release(&ts);
			return interrupt_pending() ? STATUS_PARTIAL : STATUS_IO;
		}
		if (partial)
			status = STATUS_PARTIAL;
		accepted = analyze_accepted(doc);
	} else {
		pipeline_init(&pipe, keys, nkeys, interval, &filter, show_max);
		inputs = json_object_new_array();
		errors = json_object_new_array();
		for (i = optind; i < argc && !interrupt_pending(); i++) {
			pipe.where = argv[i];
			json_object_array_add(inputs,
			    json_object_new_string(argv[i]));
			if (source_file_read(argv[i], pipeline_line, &pipe,
			    &cause) == -1) {
				struct strbuf b;

				strbuf_init(&b, 0);
				util_safe_append(&b, cause);
				cli_error("%s", b.data);
				json_object_array_add(errors,
				    json_object_new_string(cause));
				strbuf_release(&b);
				free(cause);
				cause = NULL;
				status = STATUS_IO;
			}
		}
		pipeline_reject_summary(&pipe);
		source = json_object_new_object();
		json_object_object_add(source, "kind",
		    json_object_new_string("files"));
		json_object_object_add(source, "inputs", inputs);
		if (jx_len(errors) > 0)
			json_object_object_add(source, "errors", errors);
		else
			json_object_put(errors);
		if (interrupt_pending()) {
			json_object_object_add(source, "partial",
			    json_object_new_boolean(1));
			status = STATUS_PARTIAL;
		}
		req.source = source;
		doc = analysis_build(pipe.agg, &pipe.counts, &req);
		json_object_put(source);
		accepted = pipe.counts.accepted;
	}
	json_object_put(req.filters);
	es_cli_release(&ec);
	if (ts.n > 0) {
		tblock = threshold_evaluate(&ts, doc, NULL);
		json_object_object_add(doc, "thresholds",
		    json_object_get(tblock));
	}

	out = cli_output_open(out_path, &tmp, &cause);
	if (out == NULL) {
		cli_error("%s", cause);
		status = STATUS_IO;
	} else {
		int rc = render(doc, format, templates, out, &cause);

		if (rc == 0 && tblock != NULL) {
			if (format == RENDER_TEXT) {
				fputc('\n', out);
				threshold_print_text(tblock, out);
			} else if (format == RENDER_CSV)
				threshold_print_text(tblock, stderr);
		}
		if (rc == -1)
			cli_error("%s", cause);
		if (cli_output_close(out, out_path, tmp, rc == 0, &cause) ==
		    -1 && rc == 0) {
			cli_error("%s", cause);
			rc = -1;
		}
		if (rc == -1)
			status = STATUS_IO;
	}
	if (status == STATUS_OK && accepted == 0) {
		struct json_object *ev, *v;
		long long rd = 0, rj = 0, fo = 0;

		if (json_object_object_get_ex(doc, "events", &ev)) {
			if (json_object_object_get_ex(ev, "read", &v))
				rd = json_object_get_int64(v);
			if (json_object_object_get_ex(ev, "rejected", &v))
				rj = json_object_get_int64(v);
			if (json_object_object_get_ex(ev, "filtered_out", &v))
				fo = json_object_get_int64(v);
		}
		cli_error("no events accepted (%lld read, %lld rejected, %lld "
		    "filtered out)", rd, rj, fo);
		status = STATUS_NO_EVENTS;
	}
	if (junit != NULL && junit_write_file(junit, "medload analyze", tblock,
	    NULL, &cause) == -1) {
		cli_error("%s", cause);
		status = STATUS_IO;
	}
	if (threshold_block_failed(tblock) > 0) {
		cli_error("%d of %zu thresholds breached",
		    threshold_block_failed(tblock), ts.n);
		if (status == STATUS_OK)
			status = STATUS_THRESHOLD;
	}
	json_object_put(tblock);
	threshold_set_release(&ts);
	json_object_put(doc);
	if (es.url == NULL)
		pipeline_release(&pipe);
	filter_release(&filter);
	free(cause);
	return status;
usage:
	threshold_set_release(&ts);
	filter_release(&filter);
	status = cli_usage_error("analyze", "%s", cause);
	free(cause);
	return status;
}

/* Prints the help (transitional). */
void
cmd_analyze_help(FILE *out)
{
	fputs(cmd_analyze_help_text, out);
}
