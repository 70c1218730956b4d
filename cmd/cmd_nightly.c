/*
 * cmd_nightly.c: `medload nightly`: the one command a cron job or a CI
 * schedule calls: (run,) analyze, compare with the baseline, evaluate the
 * thresholds, append to the history, write the report folder, exit with
 * the verdict. The night's steps are in nightly.c.
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include "nightly.h"
#include "threshold_cli.h"
#include "timeutil.h"
#include "util.h"

static const char nightly_usage[] =
"usage: medload nightly [options] --analysis FILE\n"
"       medload nightly [options] TRACE-FILE...\n"
"       medload nightly [options] --es URL [--since T] [--until T]\n"
"       medload nightly [options] --run-config FILE --es URL\n"
"       medload nightly [options] --run-config FILE --collect ADDR:PORT\n"
"\n"
"One command for a cron job or a CI schedule: gets tonight's analysis (an\n"
"existing analysis JSON, trace files, a window of an Elasticsearch or\n"
"OpenSearch index, or a load run followed by that window), compares it\n"
"with the baseline (--baseline, else the last passing night of the\n"
"history), evaluates the thresholds, appends a summary to the history and\n"
"writes the report folder: analysis.json, compare.{json,md,txt},\n"
"thresholds.json, junit.xml, trend.json, nightly.md and charts.\n";

static const char nightly_after[] =
"Exit status: 0 the night passed, 2 usage error, 3 an input, the history\n"
"or the report could not be used, 4 the analysis is partial, 5 a\n"
"threshold was breached (or, with --fail-on-regression, a latency got\n"
"worse or an error share rose), 130 the run of --run-config was interrupted\n"
"(no night is recorded).\n";

enum { N_ANALYSIS, N_ES, N_INDEX, N_SINCE, N_UNTIL, N_RUNID, N_MODE,
    N_RUNCONFIG, N_COLLECT, N_TRACES, N_BASELINE, N_FAILREG, N_MARGIN,
    N_MINDELTA, N_MINSAMPLES, N_Z, N_HISTORY, N_HISTORY_ES,
    N_HISTORY_INDEX, N_OUT, N_TREND, N_TIME, N_TEMPLATES, N_NOCHARTS,
    N_DRY };

static const struct opt nightly_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Input:" },
	{ "analysis", 0, "FILE", N_ANALYSIS, 0, "tonight's analysis, already "
	    "made" },
	{ "es", 0, "URL", N_ES, 0, "analyze from a search engine (with "
	    "--index,\n--since (default -24h), --until (default now),\n"
	    "--run-id, --mode and the auth options below)" },
	{ "index", 0, "PATTERN", N_INDEX, 0, "the indices of --es" },
	{ "since", 0, "TIME", N_SINCE, 0, "the window's start" },
	{ "until", 0, "TIME", N_UNTIL, 0, "the window's end" },
	{ "run-id", 0, "ID", N_RUNID, 0, "only events tagged with this run" },
	{ "mode", 0, "MODE", N_MODE, 0, "raw, aggs or auto (see medload "
	    "analyze)" },
	{ "run-config", 0, "FILE", N_RUNCONFIG, 0, "first run the load: "
	    "'medload run --config FILE'\nwith a fresh --run-id, then analyze "
	    "its events\nfrom --es, or with --collect ADDR:PORT or\n--traces "
	    "FILE as 'run --report' does (the run\nand its report go to "
	    "OUT/runs/, OUT/run-report/)" },
	{ "collect", 0, "ADDR:PORT", N_COLLECT, 0, "the run's traces, "
	    "received during the run" },
	{ "traces", 0, "FILE", N_TRACES, OPT_MANY, "the run's traces, from "
	    "files (repeatable)" },
	{ NULL, 0, NULL, 0, 0, "Baseline and verdict:" },
	{ "baseline", 0, "FILE", N_BASELINE, 0, "a pinned baseline analysis" },
	{ "fail-on-regression", 0, NULL, N_FAILREG, 0, "a regression fails "
	    "the night: a group's\nlatency worse than the baseline's or a "
	    "label's\nerror share higher (more or less load is no\n"
	    "regression)" },
	{ "margin", 0, "PCT", N_MARGIN, 0, "relative noise margin (default "
	    "5%)" },
	{ "min-delta", 0, "MS", N_MINDELTA, 0, "latency changes smaller than "
	    "this are noise" },
	{ "min-samples", 0, "N", N_MINSAMPLES, 0, "smaller groups are never "
	    "judged" },
	{ "z", 0, "Z", N_Z, 0, "critical |z| of the tests (default 3)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct opt nightly_out_opts[] = {
	{ NULL, 0, NULL, 0, 0, "History and report:" },
	{ "history", 0, "FILE", N_HISTORY, 0, "JSON Lines history (default "
	    "medload-history.jsonl)" },
	{ "history-es", 0, "URL", N_HISTORY_ES, 0, "keep the history in an "
	    "index instead" },
	{ "history-index", 0, "NAME", N_HISTORY_INDEX, 0, "its index (default "
	    "medload-history)" },
	{ "out", 'o', "DIR", N_OUT, 0, "report folder (default "
	    "medload-nightly/<time>)" },
	{ "trend", 0, "N", N_TREND, 0, "nights in the trend charts (default "
	    "30)" },
	{ "time", 0, "TIME", N_TIME, 0, "the night's time stamp (default now; "
	    "RFC 3339)" },
	{ "templates", 0, "DIR", N_TEMPLATES, 0, "read report templates from "
	    "DIR first" },
	{ "no-charts", 0, NULL, N_NOCHARTS, 0, "do not run gnuplot" },
	{ "dry-run", 0, NULL, N_DRY, 0, "print what would be done, change "
	    "nothing" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* Takes --margin, --min-delta, --z, --min-samples, --trend, --time. */
static int
nightly_take_number(struct nightly *n, int id, const char *v, char **cause)
{
	unsigned long long u;
	char *pct;
	double d;
	int rc;

	if (id == N_MINSAMPLES || id == N_TREND) {
		rc = opt_count(id == N_TREND ? "trend" : "min-samples", v, 1,
		    1000000000ULL, &u, cause);
		if (id == N_TREND)
			n->trend = (size_t)u;
		else
			n->co.min_samples = u;
		return rc;
	}
	if (id == N_TIME) {
		n->when_s = v;
		return time_parse(v, &n->when) == -1 ? util_fail(cause,
		    "--time: \"%s\" is not an RFC 3339 time", v) : 0;
	}
	pct = util_strdup(v);
	if (id == N_MARGIN && pct[0] != '\0' && pct[strlen(pct) - 1] == '%')
		pct[strlen(pct) - 1] = '\0';
	rc = util_parse_double(pct, &d) == -1 || d < 0 ? -1 : 0;
	free(pct);
	if (rc == -1)
		return util_fail(cause, "--%s: \"%s\" is not a %s", id ==
		    N_MARGIN ? "margin" : id == N_Z ? "z" : "min-delta", v,
		    id == N_MARGIN ? "percentage" : "non-negative number");
	if (id == N_MARGIN)
		n->co.margin = d / 100;
	else if (id == N_Z)
		n->co.z = d;
	else
		n->co.min_delta = d;
	return 0;
}

/* Takes one option. */
static int
nightly_take(void *ctx, int id, const char *v, char **cause)
{
	struct nightly *n = ctx;

	switch (id) {
	case N_ANALYSIS: n->analysis = v; break;
	case N_ES: n->es_url = v; break;
	case N_INDEX: n->index = v; break;
	case N_SINCE: n->since = v; break;
	case N_UNTIL: n->until = v; break;
	case N_RUNID: n->run_id = v; break;
	case N_MODE: n->mode = v; break;
	case N_RUNCONFIG: n->run_config = v; break;
	case N_COLLECT: n->collect = v; break;
	case N_TRACES: n->traces[n->ntraces++] = v; break;
	case N_BASELINE: n->baseline = v; break;
	case N_FAILREG: n->failreg = 1; break;
	case N_HISTORY: n->history = v; break;
	case N_HISTORY_ES: n->history_es = v; break;
	case N_HISTORY_INDEX: n->history_index = v; break;
	case N_OUT: n->out = v; break;
	case N_TEMPLATES: n->templates = v; break;
	case N_NOCHARTS: n->charts = 0; break;
	case N_DRY: n->dry = 1; break;
	default: return nightly_take_number(n, id, v, cause);
	}
	return 0;
}

/* Fills groups for n; returns their number. */
static size_t
nightly_groups(struct nightly *n, struct opt_group *g)
{
	g[0] = (struct opt_group){ nightly_opts, nightly_take, n };
	g[1] = (struct opt_group)THRESHOLD_CLI_GROUP(&n->ts);
	g[2] = (struct opt_group){ nightly_out_opts, nightly_take, n };
	g[3] = (struct opt_group)ES_CLI_GROUP(&n->ec);
	g[4] = (struct opt_group)CMD_HELP_GROUP(&n->help);
	return 5;
}

void
cmd_nightly_help(FILE *out)
{
	struct nightly n;
	struct opt_group g[5];

	cmd_help(out, nightly_usage, g, nightly_groups(&n, g), nightly_after);
}

/* The rules across options; 0 or -1 with *cause. */
static int
nightly_check(struct nightly *n, char **cause)
{
	static const char *const modes[] = { "auto", "raw", "aggs", NULL };
	int i;

	if ((n->collect != NULL || n->ntraces > 0) && n->run_config == NULL)
		return util_fail(cause, "--collect and --traces go with "
		    "--run-config");
	if ((n->analysis != NULL) + (n->nfiles > 0) + (n->es_url != NULL) +
	    (n->collect != NULL) + (n->ntraces > 0) != 1)
		return util_fail(cause, "give one input: --analysis FILE, "
		    "trace files, --es URL, or --run-config FILE with one of "
		    "--es, --collect, --traces");
	if (n->run_config != NULL && n->es_url == NULL && n->collect == NULL &&
	    n->ntraces == 0)
		return util_fail(cause, "--run-config needs --es URL, "
		    "--collect ADDR:PORT or --traces FILE to read the run's "
		    "trace events from");
	if (n->es_url == NULL && (n->index || n->mode || (n->run_id &&
	    n->run_config == NULL)))
		return util_fail(cause, "--index, --mode and --run-id go with "
		    "--es URL (--run-id also names the run of --run-config)");
	if (n->mode != NULL && opt_choice("mode", n->mode, modes, &i,
	    cause) == -1)
		return -1;
	if (n->run_config != NULL &&
	    threshold_set_load_config(&n->ts, n->run_config, cause) == -1)
		return -1;
	if (n->history_es != NULL && n->history != NULL)
		return util_fail(cause, "give --history or --history-es, not "
		    "both");
	return 0;
}

/* Parses and checks the command line; 0, or -1 with *cause. */
static int
nightly_parse(struct nightly *n, int argc, char **argv, char **cause)
{
	struct opt_group g[5];

	n->traces = util_calloc((size_t)argc + 1, sizeof(*n->traces));
	if (opt_parse(g, nightly_groups(n, g), argc, argv, &n->files,
	    &n->nfiles, cause) == -1)
		return -1;
	if (n->help)
		return 0;
	return nightly_check(n, cause);
}

int
cmd_nightly(int argc, char **argv)
{
	struct nightly n;
	char *cause = NULL;
	int status;

	nightly_init(&n);
	if (nightly_parse(&n, argc, argv, &cause) == -1)
		status = cli_usage_error("nightly", "%s", cause);
	else if (n.help) {
		cmd_nightly_help(stdout);
		status = STATUS_OK;
	} else
		status = nightly_execute(&n);
	free(cause);
	nightly_release(&n);
	return status;
}
