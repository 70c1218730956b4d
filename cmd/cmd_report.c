/*
 * cmd_report.c: `medload report`: an analysis or the traces, and a run
 * (medload's or Locust's CSV files) -> the report folder.
 */
#include "cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "analyze.h"
#include "es_cli.h"
#include "files.h"
#include "interrupt.h"
#include "jx.h"
#include "locust_csv.h"
#include "render.h"
#include "report.h"
#include "run_steps.h"
#include "run_window.h"
#include "saturation.h"
#include "util.h"

static const char report_usage[] =
"usage: medload report [options] ANALYSIS.json --out DIR\n"
"       medload report [options] --run DIR|--locust PREFIX\n"
"                      [--traces FILE...|--es URL] --out DIR\n"
"\n"
"Writes a report folder from an analysis document (medload analyze\n"
"--format json) and, with --run, the results of a load run: report.txt,\n"
"report.md, index.html (tables and charts inline, no external assets),\n"
"and charts/ with every chart as PNG and SVG beside its gnuplot script and\n"
"data files. Charts need gnuplot at run time; without it the text,\n"
"Markdown and HTML are still written and say why the charts are missing.\n"
"\n"
"Every report starts with the verdict: PASS, FAIL or NO THRESHOLDS and\n"
"the thresholds breached, an INTERRUPTED banner, users and requests\n"
"(failures, users never connected, peak users, req/s achieved), each\n"
"agent's p50/p95/p99 of the END outcomes side by side and, with a\n"
"saturation assessment, its sentences and the load steps. It is printed\n"
"with the request table at the end (in colour on a terminal unless\n"
"NO_COLOR is set).\n"
"\n"
"A post-mortem of a Locust run: --locust PREFIX reads the CSV files of\n"
"locust --csv PREFIX (PREFIX_stats.csv, _stats_history.csv, _failures.csv,\n"
"_exceptions.csv) in place of a medload run. Without ANALYSIS.json the\n"
"traces come from --traces or --es and are analyzed here, limited to the\n"
"run's window (from a second before it to 3 s after it) unless\n"
"--all-traces; with neither, the report covers the run alone.\n"
"\n"
"Charts: users and requests/s over time with the load steps (with a run);\n"
"trace latency p50/p95/p99 over time per label; p50/p95/p99 per handler and\n"
"outcome; the latency percentile spectrum per label; outcomes and errors\n"
"over time; client latency per request name (with a run). Charts per\n"
"label show the 8 busiest labels and the others as one line.\n";

static const char report_after[] =
"Exit status: 0 written (charts may be missing; the report and stderr\n"
"say why), 2 usage error, 3 an input or the folder could not be used, 4\n"
"the search engine stopped answering or Ctrl-C cut its read short (the\n"
"report holds what was read).\n";

/* Seconds after a run's window whose traces still count, as run waits. */
#define REPORT_LATE_S 2.0

enum { R_OUT, R_RUN, R_LOCUST, R_TRACES, R_ALL, R_TITLE, R_TEMPLATES,
    R_QUIET, R_ES, R_INDEX, R_RAW };

static const struct opt report_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Options:" },
	{ "out", 'o', "DIR", R_OUT, 0, "the report folder (created when "
	    "missing; required)" },
	{ "run", 0, "DIR", R_RUN, 0, "a run directory of medload run (its "
	    "results.json)" },
	{ "locust", 0, "PREFIX", R_LOCUST, 0, "or a Locust run: the CSV files "
	    "of locust --csv PREFIX" },
	{ "traces", 0, "FILE", R_TRACES, OPT_MANY, "without ANALYSIS.json: "
	    "analyze these trace files\n(repeatable; NDJSON, logs, .gz)" },
	{ "all-traces", 0, NULL, R_ALL, 0, "keep every trace event, not only "
	    "the run's window" },
	{ "title", 0, "TEXT", R_TITLE, 0, "the report's title" },
	{ "raw-groups", 0, NULL, R_RAW, 0, "a row for every trace group "
	    "(START rows, the\nhandler column) in the traces table" },
	{ "templates", 0, "DIR", R_TEMPLATES, 0, "read report templates from "
	    "DIR first" },
	{ "quiet", 'q', NULL, R_QUIET, 0, "do not print the summary (verdict and "
	    "requests)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct opt report_es_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Elasticsearch / OpenSearch (--es URL):" },
	{ "es", 0, "URL", R_ES, 0, "without ANALYSIS.json: read the traces "
	    "from this search\nengine (and, when mapped, the run's "
	    "medload.run_id)" },
	{ "index", 0, "PATTERN", R_INDEX, 0, "the indices of --es (default\n"
	    SOURCE_ES_DEFAULT_INDEX ")" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* What the command line says. */
struct report_cmd {
	const char *analysis, *out, *run_dir, *locust, *title, *templates;
	const char **traces;
	size_t ntraces;
	const char *es_url, *es_index, *es_only;
	struct es_cli ec;
	int all, quiet, raw, help;
};

/* Takes one option. */
static int
report_take(void *ctx, int id, const char *value, char **cause)
{
	struct report_cmd *c = ctx;

	(void)cause;
	switch (id) {
	case R_OUT: c->out = value; break;
	case R_RUN: c->run_dir = value; break;
	case R_LOCUST: c->locust = value; break;
	case R_TRACES: c->traces[c->ntraces++] = value; break;
	case R_ALL: c->all = 1; break;
	case R_TITLE: c->title = value; break;
	case R_TEMPLATES: c->templates = value; break;
	case R_QUIET: c->quiet = 1; break;
	case R_RAW: c->raw = 1; break;
	case R_ES: c->es_url = value; break;
	case R_INDEX:
		c->es_index = value;
		c->es_only = "--index";
		break;
	}
	return 0;
}

/* Takes a search engine option of es_cli. */
static int
report_take_es(void *ctx, int id, const char *value, char **cause)
{
	struct report_cmd *c = ctx;

	if (c->es_only == NULL)
		c->es_only = "the search engine options";
	return es_cli_take(&c->ec, id, value, cause);
}

/* Fills groups for c; returns their number. */
static size_t
report_groups(struct report_cmd *c, struct opt_group *g)
{
	g[0] = (struct opt_group){ report_opts, report_take, c };
	g[1] = (struct opt_group)CMD_HELP_GROUP(&c->help);
	g[2] = (struct opt_group){ report_es_opts, report_take, c };
	g[3] = (struct opt_group){ es_cli_opts, report_take_es, c };
	return 4;
}

void
cmd_report_help(FILE *out)
{
	struct report_cmd c;
	struct opt_group g[4];

	memset(&c, 0, sizeof(c));
	cmd_help(out, report_usage, g, report_groups(&c, g), report_after);
}

/* The rules between the options; 0 or -1 with *cause. */
static int
report_check(struct report_cmd *c, size_t n, char **cause)
{
	int traces = c->ntraces > 0 || c->es_url != NULL;

	if (n > 1 || c->out == NULL)
		return util_fail(cause, "give at most one ANALYSIS.json, and "
		    "--out DIR");
	if (c->run_dir != NULL && c->locust != NULL)
		return util_fail(cause, "give --run DIR or --locust PREFIX, "
		    "not both");
	if (c->ntraces > 0 && c->es_url != NULL)
		return util_fail(cause, "give --traces or --es, not both");
	if (c->analysis != NULL && (traces || c->all))
		return util_fail(cause, "ANALYSIS.json is the traces' analysis "
		    "already: --traces, --es and --all-traces go without it");
	if (c->analysis == NULL && !traces && c->run_dir == NULL &&
	    c->locust == NULL)
		return util_fail(cause, "give ANALYSIS.json, the traces "
		    "(--traces FILE, --es URL) or a run (--run DIR, --locust "
		    "PREFIX)");
	if (c->all && !traces)
		return util_fail(cause, "--all-traces goes with --traces or "
		    "--es");
	if (c->es_url == NULL && c->es_only != NULL)
		return util_fail(cause, "%s go with --es URL", c->es_only);
	if (c->es_url != NULL && es_cli_finish(&c->ec, cause) == -1)
		return -1;
	if (c->templates == NULL)
		c->templates = getenv("MEDLOAD_TEMPLATES");
	return 0;
}

/* Parses and checks the command line; 0, or -1 with *cause. */
static int
report_parse(struct report_cmd *c, int argc, char **argv, char **cause)
{
	struct opt_group g[4];
	char **ops;
	size_t n;

	if (opt_parse(g, report_groups(c, g), argc, argv, &ops, &n,
	    cause) == -1)
		return -1;
	if (n == 1)
		c->analysis = ops[0];
	free(ops);
	if (c->help)
		return 0;
	return report_check(c, n, cause);
}

/*
 * Says why DIR, a folder without results.json, is not a run directory
 * when it holds Locust's files: -1 after the message, 0 when it does not.
 */
static int
report_locust_hint(const char *dir)
{
	static const char sfx[] = "_stats.csv";
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t len;

	while (d != NULL && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > strlen(sfx) && strcmp(de->d_name + len - strlen(sfx),
		    sfx) == 0) {
			cli_error("report: %s has no results.json: it is not a "
			    "run directory of medload run, but it holds "
			    "Locust's CSV files (%s); use --locust %s/%.*s",
			    dir, de->d_name, dir, (int)(len - strlen(sfx)),
			    de->d_name);
			closedir(d);
			return -1;
		}
	}
	if (d != NULL)
		closedir(d);
	return 0;
}

/* Loads the run's document (or none); returns an exit status. */
static int
report_load_run(const struct report_cmd *c, struct json_object **run)
{
	char *cause = NULL, *path;
	struct stat sb;

	*run = NULL;
	if (c->locust != NULL) {
		*run = locust_csv_load(c->locust, &cause);
		if (*run == NULL)
			cli_error("report: --locust: %s", cause);
		free(cause);
		return *run == NULL ? STATUS_IO : STATUS_OK;
	}
	if (c->run_dir == NULL)
		return STATUS_OK;
	path = util_printf("%s/results.json", c->run_dir);
	if (stat(path, &sb) == -1 && errno == ENOENT &&
	    report_locust_hint(c->run_dir) == -1) {
		free(path);
		return STATUS_USAGE;
	}
	*run = jx_load(path, "medload.run/1", 0, &cause);
	if (*run == NULL)
		cli_error_safe(cause);
	free(cause);
	free(path);
	return *run == NULL ? STATUS_IO : STATUS_OK;
}

/*
 * Analyzes the traces of --traces or --es for the run's window (run, or
 * NULL: every event); *doc gets the analysis. Returns an exit status.
 */
static int
report_analyze(const struct report_cmd *c, struct json_object *run,
    struct json_object **doc)
{
	struct run_window_traces t = { c->traces, c->ntraces, c->es_url,
	    c->es_index, &c->ec.http };
	struct analyze_request r;
	struct analyze_result res;
	char *cause = NULL;
	int status;

	interrupt_catch();
	if (run_window_request(run, &t, REPORT_LATE_S, &r, &cause) == -1 ||
	    analyze_run(&r, &res, &cause) == -1) {
		cli_error("report: traces: %s", cause);
		free(cause);
		return interrupt_pending() ? STATUS_PARTIAL : STATUS_IO;
	}
	status = analyze_result_status(&res);
	if (run != NULL && run_steps_trace(&r, run, res.doc, &cause) == -1) {
		cli_error("report: traces by load step: %s", cause);
		free(cause);
	}
	if (res.accepted == 0 && (c->ntraces > 0 || c->es_url != NULL))
		cli_error("report: no trace event accepted (%lld read, %lld "
		    "filtered out%s)%s%s", jx_int(res.doc, "events.read", 0),
		    jx_int(res.doc, "events.filtered_out", 0), run != NULL &&
		    !c->all ? " by the run's window" : "", res.hint ? ": " :
		    "", res.hint ? res.hint : "");
	*doc = res.doc;
	res.doc = NULL;
	analyze_result_release(&res);
	return status;
}

/* The analysis: ANALYSIS.json, or the traces analyzed here. */
static int
report_analysis(const struct report_cmd *c, struct json_object *run,
    struct json_object **doc)
{
	char *cause = NULL;

	if (c->analysis == NULL)
		return report_analyze(c, run, doc);
	*doc = jx_load(c->analysis, "medload.analysis/1", 0, &cause);
	if (*doc == NULL)
		cli_error_safe(cause);
	free(cause);
	return *doc == NULL ? STATUS_IO : STATUS_OK;
}

/*
 * Writes the saturation assessment of a stepped run (in->assessment, made
 * before the folder was) as DIR/assessment.json; -1 after a message.
 */
static int
report_assess_write(const struct report_cmd *c,
    const struct report_input *in)
{
	char *path, *cause = NULL;
	struct files_out o;
	int rc;

	if (in->assessment == NULL)
		return 0;
	path = util_printf("%s/assessment.json", c->out);
	rc = files_open(&o, path, FILES_OWN, &cause);
	free(path);
	if (rc == 0)
		rc = files_close(&o, render_json(in->assessment, o.f) == 0,
		    &cause);
	if (rc == -1) {
		cli_error("report: %s", cause);
		free(cause);
	}
	return rc;
}

/* Writes the report folder; returns an exit status. */
static int
report_execute(struct report_cmd *c)
{
	struct report_input in;
	struct report_result res;
	char *cause = NULL;
	int status;

	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	in.out_dir = c->out;
	in.title = c->title;
	in.raw_groups = c->raw;
	in.templates = c->templates;
	in.echo = c->quiet ? NULL : stdout;
	status = report_load_run(c, &in.run);
	if (status != STATUS_OK)
		goto out;
	status = report_analysis(c, c->all ? NULL : in.run, &in.analysis);
	if (in.analysis == NULL)
		goto out;
	if (in.run != NULL && (in.assessment = saturation_assess(in.run,
	    in.analysis, &cause)) == NULL) {
		cli_error("report: saturation: %s", cause);
		free(cause);
		cause = NULL;
	}
	if (report_write(&in, &res, &cause) == -1) {
		cli_error_safe(cause);
		status = STATUS_IO;
		goto out;
	}
	if (report_assess_write(c, &in) == -1)
		status = STATUS_IO;
	report_print_done(c->out, &res);
	if (in.assessment != NULL && !c->quiet)
		saturation_print(in.assessment, stderr);
out:
	report_result_release(&res);
	free(cause);
	json_object_put(in.assessment);
	json_object_put(in.analysis);
	json_object_put(in.run);
	return status;
}

int
cmd_report(int argc, char **argv)
{
	struct report_cmd c;
	char *cause = NULL;
	int status;

	memset(&c, 0, sizeof(c));
	es_cli_init(&c.ec);
	c.traces = util_calloc((size_t)argc + 1, sizeof(*c.traces));
	if (report_parse(&c, argc, argv, &cause) == -1) {
		status = cli_usage_error("report", "%s", cause);
		free(cause);
	} else if (c.help) {
		cmd_report_help(stdout);
		status = STATUS_OK;
	} else
		status = report_execute(&c);
	es_cli_release(&c.ec);
	free(c.traces);
	return status;
}
