/*
 * cmd_nightly.c: `medload nightly`: the one command a cron job or a CI
 * schedule calls: (run,) analyze, compare with the baseline, evaluate the
 * thresholds, append to the history, write the report folder, exit with
 * the verdict.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "chart.h"
#include "compare.h"
#include "es.h"
#include "es_cli.h"
#include "history.h"
#include "junit.h"
#include "jx.h"
#include "render.h"
#include "threshold.h"
#include "timeutil.h"
#include "util.h"

static const char cmd_nightly_help_text[] =
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
"thresholds.json, junit.xml, trend.json, nightly.md and charts.\n"
"\n"
"Input:\n"
"  --analysis FILE       tonight's analysis, already made\n"
"  --es URL              analyze from a search engine (with --index,\n"
"                        --since (default -24h), --until (default now),\n"
"                        --run-id, --mode and the auth options below)\n"
"  --run-config FILE     first run the load: 'medload run --config FILE'\n"
"                        with a fresh --run-id, then analyze its events\n"
"                        from --es, or with --collect ADDR:PORT or\n"
"                        --traces FILE as 'run --report' does (the run\n"
"                        and its report go to OUT/runs/, OUT/run-report/)\n"
"Baseline and verdict:\n"
"  --baseline FILE       a pinned baseline analysis\n"
"  --threshold EXPR      a threshold (repeatable; see medload compare)\n"
"  --thresholds FILE     thresholds from a file\n"
"  --fail-on-regression  a group or label worse than the baseline fails\n"
"                        the night\n"
"  --margin PCT --min-delta MS --min-samples N --z Z\n"
"                        the noise rules of medload compare\n"
"History and report:\n"
"  --history FILE        JSON Lines history (default medload-history.jsonl)\n"
"  --history-es URL      keep the history in an index instead\n"
"  --history-index NAME  its index (default medload-history)\n"
"  --out DIR             report folder (default medload-nightly/<time>)\n"
"  --trend N             nights in the trend charts (default 30)\n"
"  --time TIME           the night's time stamp (default now; RFC 3339)\n"
"  --templates DIR       read report templates from DIR first\n"
"  --no-charts           do not run gnuplot\n"
"  --dry-run             print what would be done, change nothing\n"
ES_CLI_HELP
"  -h, --help            show this help\n"
"\n"
"Exit status: 0 the night passed, 2 usage error, 3 an input, the history\n"
"or the report could not be used, 4 the analysis is partial, 5 a\n"
"threshold was breached (or, with --fail-on-regression, something got\n"
"worse than the baseline).\n";

/* Everything the command line says. */
struct nightly {
	const char *analysis, *es_url, *index, *since, *until, *run_id;
	const char *mode, *run_config, *baseline, *history, *history_es;
	const char *history_index, *out, *templates, *when_s;
	const char *collect, *traces;	/* --run-config: the run's traces */
	int failreg, dry, charts;
	size_t trend;
	double when;
	struct compare_opts co;
	struct threshold_set ts;
	struct es_cli ec;
	const char *auth[12];	/* auth options passed on to analyze */
	size_t nauth;
	char **files;
	int nfiles;
};

/* Makes dir and its parents. */
static int
nightly_mkdirs(const char *dir, char **cause)
{
	char *p = util_strdup(dir), *s;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST) {
			util_fail(cause, "%s: cannot create: %s", p,
			    strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) == -1 && errno != EEXIST) {
		util_fail(cause, "%s: cannot create: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* An absolute path for the history (caller frees). */
static char *
nightly_abs(const char *path)
{
	char *r = realpath(path, NULL);

	return r != NULL ? r : util_strdup(path);
}

/* Writes a JSON document to path. */
static int
nightly_write_json(const char *path, struct json_object *doc, char **cause)
{
	char *tmp;
	FILE *f = cli_output_open(path, &tmp, cause);
	int rc;

	if (f == NULL)
		return -1;
	rc = render_json(doc, f);
	if (rc == -1)
		util_fail(cause, "%s: write error", path);
	if (cli_output_close(f, path, tmp, rc == 0, rc == 0 ? cause : NULL) ==
	    -1)
		rc = -1;
	return rc;
}

/* Writes a comparison rendering to path. */
static int
nightly_write_compare(const char *path, struct json_object *cmp,
    enum compare_format fmt, const char *templates, char **cause)
{
	char *tmp;
	FILE *f = cli_output_open(path, &tmp, cause);
	int rc;

	if (f == NULL)
		return -1;
	rc = compare_render(cmp, fmt, templates, f, cause);
	if (cli_output_close(f, path, tmp, rc == 0, rc == 0 ? cause : NULL) ==
	    -1)
		rc = -1;
	return rc;
}

/* Prints a planned command line, safely. */
static void
nightly_print_argv(const char *what, int argc, char **argv)
{
	int i;

	printf("%s:", what);
	for (i = 0; i < argc; i++) {
		putchar(' ');
		util_fput_safe(argv[i], stdout);
	}
	putchar('\n');
}

/* Builds the argv of the analyze step (caller frees the array only). */
static char **
nightly_analyze_argv(const struct nightly *n, const char *out,
    const char *run_id, int *argc)
{
	char **v = util_calloc((size_t)n->nfiles + n->nauth + 24,
	    sizeof(*v));
	int k = 0, i;

	v[k++] = (char *)"analyze";
	v[k++] = (char *)"--format";
	v[k++] = (char *)"json";
	v[k++] = (char *)"-o";
	v[k++] = (char *)out;
	if (n->es_url != NULL) {
		v[k++] = (char *)"--es";
		v[k++] = (char *)n->es_url;
		if (n->index != NULL) {
			v[k++] = (char *)"--index";
			v[k++] = (char *)n->index;
		}
		if (n->mode != NULL) {
			v[k++] = (char *)"--mode";
			v[k++] = (char *)n->mode;
		}
		if (run_id != NULL) {
			v[k++] = (char *)"--run-id";
			v[k++] = (char *)run_id;
		}
		for (i = 0; i < (int)n->nauth; i++)
			v[k++] = (char *)n->auth[i];
	}
	if (n->since != NULL || (n->es_url != NULL && n->run_config == NULL)) {
		v[k++] = (char *)"--since";
		v[k++] = (char *)(n->since ? n->since : "-24h");
	}
	if (n->until != NULL) {
		v[k++] = (char *)"--until";
		v[k++] = (char *)n->until;
	}
	for (i = 0; i < n->nfiles; i++)
		v[k++] = n->files[i];
	*argc = k;
	return v;
}

/* Builds the argv of the load run (caller frees the array and *dir). */
static char **
nightly_run_argv(const struct nightly *n, const char *out,
    const char *run_id, int *argc, char **dir)
{
	char **v = util_calloc(16, sizeof(*v));
	int k = 0;

	*dir = NULL;
	v[k++] = (char *)"run";
	v[k++] = (char *)"--config";
	v[k++] = (char *)n->run_config;
	v[k++] = (char *)"--run-id";
	v[k++] = (char *)run_id;
	if (n->collect != NULL || n->traces != NULL) {
		v[k++] = (char *)(n->collect ? "--collect" : "--traces");
		v[k++] = (char *)(n->collect ? n->collect : n->traces);
		*dir = util_printf("%s/run-report%c%s/runs", out, '\0', out);
		v[k++] = (char *)"--report";
		v[k++] = *dir;
		v[k++] = (char *)"--out-dir";
		v[k++] = *dir + strlen(*dir) + 1;
	}
	*argc = k;
	return v;
}

/* Returns 1 when doc is an analysis document. */
static int
nightly_is_analysis(struct json_object *doc)
{
	return jx_schema_is(doc, "medload.analysis/1") &&
	    json_object_is_type(json_object_object_get(doc, "groups"),
	    json_type_array);
}

/* The analysis a night refers to (caller puts), or NULL with *cause. */
static struct json_object *
nightly_night_analysis(struct json_object *night, char **name, char **cause)
{
	struct json_object *v, *doc;
	const char *when = jx_str(json_object_object_get(night, "time"),
	    "(no time)");
	char *why = NULL;

	if (json_object_object_get_ex(night, "analysis_json", &v)) {
		doc = json_tokener_parse(jx_str(v, ""));
		if (nightly_is_analysis(doc)) {
			*name = util_printf("history night %s", when);
			return doc;
		}
		json_object_put(doc);
	}
	if (!json_object_object_get_ex(night, "analysis", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		util_fail(cause, "history night %s: no usable analysis", when);
		return NULL;
	}
	doc = compare_load(json_object_get_string(v), &why);
	if (doc != NULL)
		*name = util_strdup(json_object_get_string(v));
	else
		util_fail(cause, "history night %s: %s", when, why);
	free(why);
	return doc;
}

/*
 * Loads the baseline: pinned, else the analysis of the newest passing
 * night of the history that can still be read (nights whose analysis is
 * gone or corrupt are reported in warnings and passed over).
 */
static struct json_object *
nightly_baseline(const struct nightly *n, struct json_object *nights,
    struct json_object *warnings, char **name, char **cause)
{
	struct json_object *night, *v, *doc;
	char *why = NULL;
	size_t i;

	*name = NULL;
	if (n->baseline != NULL) {
		*name = util_strdup(n->baseline);
		return compare_load(n->baseline, cause);
	}
	for (i = jx_len(nights); i-- > 0;) {
		night = jx_at(nights, i);
		if (!json_object_object_get_ex(night, "verdict", &v) ||
		    strcmp(json_object_get_string(v), "pass") != 0)
			continue;
		doc = nightly_night_analysis(night, name, &why);
		if (doc != NULL)
			return doc;
		json_object_array_add(warnings, json_object_new_string(why));
		free(why);
		why = NULL;
	}
	return NULL;
}

/* The option parser; returns 0, 1 (help shown) or -1 with *cause. */
static int
nightly_options(struct nightly *n, int argc, char **argv, char **cause)
{
	enum { OPT_ANALYSIS = 256, OPT_ES, OPT_INDEX, OPT_SINCE, OPT_UNTIL,
	    OPT_RUNID, OPT_MODE, OPT_RUNCONFIG, OPT_BASELINE,
	    OPT_FAILREG, OPT_MARGIN, OPT_MINDELTA,
	    OPT_MINSAMPLES, OPT_Z, OPT_HISTORY, OPT_HISTORY_ES,
	    OPT_HISTORY_INDEX, OPT_OUT, OPT_TREND, OPT_TIME, OPT_TEMPLATES,
	    OPT_NOCHARTS, OPT_DRY, OPT_COLLECT, OPT_TRACES };
	static const struct option opts[] = {
		{ "analysis", required_argument, NULL, OPT_ANALYSIS },
		{ "es", required_argument, NULL, OPT_ES },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "run-id", required_argument, NULL, OPT_RUNID },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "run-config", required_argument, NULL, OPT_RUNCONFIG },
		{ "collect", required_argument, NULL, OPT_COLLECT },
		{ "traces", required_argument, NULL, OPT_TRACES },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		THRESHOLD_CLI_OPTIONS,
		{ "fail-on-regression", no_argument, NULL, OPT_FAILREG },
		{ "margin", required_argument, NULL, OPT_MARGIN },
		{ "min-delta", required_argument, NULL, OPT_MINDELTA },
		{ "min-samples", required_argument, NULL, OPT_MINSAMPLES },
		{ "z", required_argument, NULL, OPT_Z },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "history-es", required_argument, NULL, OPT_HISTORY_ES },
		{ "history-index", required_argument, NULL, OPT_HISTORY_INDEX },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "trend", required_argument, NULL, OPT_TREND },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		{ "no-charts", no_argument, NULL, OPT_NOCHARTS },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		ES_CLI_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long ull;
	double d;
	char *pct;
	int c, th;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (es_cli_option(&n->ec, c, optarg)) {
			static const char *const names[] = { "--user",
			    "--password-file", "--api-key-file", "--cacert",
			    "--insecure" };

			if (c >= ES_CLI_GETOPT && c <= ES_CLI_GETOPT + 4 &&
			    n->nauth + 2 <= sizeof(n->auth) /
			    sizeof(n->auth[0])) {
				n->auth[n->nauth++] = names[c - ES_CLI_GETOPT];
				if (c != ES_CLI_GETOPT + 4)
					n->auth[n->nauth++] = optarg;
			}
			continue;
		}
		if ((th = threshold_cli_option(&n->ts, c, optarg, cause)) != 0) {
			if (th == -1)
				return -1;
			continue;
		}
		switch (c) {
		case OPT_ANALYSIS: n->analysis = optarg; break;
		case OPT_ES: n->es_url = optarg; break;
		case OPT_INDEX: n->index = optarg; break;
		case OPT_SINCE: n->since = optarg; break;
		case OPT_UNTIL: n->until = optarg; break;
		case OPT_RUNID: n->run_id = optarg; break;
		case OPT_MODE: n->mode = optarg; break;
		case OPT_RUNCONFIG: n->run_config = optarg; break;
		case OPT_COLLECT: n->collect = optarg; break;
		case OPT_TRACES: n->traces = optarg; break;
		case OPT_BASELINE: n->baseline = optarg; break;
		case OPT_FAILREG: n->failreg = 1; break;
		case OPT_HISTORY: n->history = optarg; break;
		case OPT_HISTORY_ES: n->history_es = optarg; break;
		case OPT_HISTORY_INDEX: n->history_index = optarg; break;
		case OPT_OUT: n->out = optarg; break;
		case OPT_TEMPLATES: n->templates = optarg; break;
		case OPT_NOCHARTS: n->charts = 0; break;
		case OPT_DRY: n->dry = 1; break;
		case OPT_MARGIN:
			pct = util_strdup(optarg);
			if (pct[0] != '\0' && pct[strlen(pct) - 1] == '%')
				pct[strlen(pct) - 1] = '\0';
			if (util_parse_double(pct, &d) == -1 || d < 0) {
				free(pct);
				return util_fail(cause, "--margin: \"%s\" is "
				    "not a percentage", optarg);
			}
			free(pct);
			n->co.margin = d / 100;
			break;
		case OPT_MINDELTA:
		case OPT_Z:
			if (util_parse_double(optarg, &d) == -1 || d < 0)
				return util_fail(cause, "%s: \"%s\" is not a "
				    "non-negative number", argv[optind - 2],
				    optarg);
			if (c == OPT_Z)
				n->co.z = d;
			else
				n->co.min_delta = d;
			break;
		case OPT_MINSAMPLES:
		case OPT_TREND:
			if (util_parse_uint(optarg, 1000000000ULL, &ull) == -1 ||
			    ull == 0)
				return util_fail(cause, "%s: \"%s\" is not a "
				    "count of 1 or more", argv[optind - 2],
				    optarg);
			if (c == OPT_TREND)
				n->trend = (size_t)ull;
			else
				n->co.min_samples = ull;
			break;
		case OPT_TIME:
			if (time_parse(optarg, &n->when) == -1)
				return util_fail(cause, "--time: \"%s\" is not "
				    "an RFC 3339 time", optarg);
			n->when_s = optarg;
			break;
		case 'h':
			cmd_nightly_help(stdout);
			return 1;
		case ':':
		default:
			return cli_bad_option(c, argv, cause);
		}
	}
	n->files = argv + optind;
	n->nfiles = argc - optind;
	if ((n->collect != NULL || n->traces != NULL) && n->run_config == NULL)
		return util_fail(cause, "--collect and --traces go with "
		    "--run-config");
	if ((n->analysis != NULL) + (n->nfiles > 0) + (n->es_url != NULL) +
	    (n->collect != NULL) + (n->traces != NULL) != 1)
		return util_fail(cause, "give one input: --analysis FILE, "
		    "trace files, --es URL, or --run-config FILE with one of "
		    "--es, --collect, --traces");
	if (n->run_config != NULL && n->es_url == NULL && n->collect == NULL &&
	    n->traces == NULL)
		return util_fail(cause, "--run-config needs --es URL, "
		    "--collect ADDR:PORT or --traces FILE to read the run's "
		    "trace events from");
	if (n->run_config != NULL &&
	    threshold_set_load_config(&n->ts, n->run_config, cause) == -1)
		return -1;
	if (n->history_es != NULL && n->history != NULL)
		return util_fail(cause, "give --history or --history-es, not "
		    "both");
	return 0;
}

/* Prints the plan of a --dry-run. */
static void
nightly_plan(const struct nightly *n, const char *out, const char *hist,
    const char *run_id)
{
	char *ap = util_printf("%s/analysis.json", out), **av;
	int ac;
	size_t i;

	printf("medload nightly --dry-run: nothing is changed\n");
	printf("report folder: ");
	util_fput_safe(out, stdout);
	putchar('\n');
	if (n->run_config != NULL) {
		char *dir;

		av = nightly_run_argv(n, out, run_id, &ac, &dir);
		nightly_print_argv("run", ac, av);
		free(av);
		if (dir != NULL) {
			printf("analysis: ");
			util_fput_safe(dir + strlen(dir) + 1, stdout);
			printf("/");
			util_fput_safe(run_id, stdout);
			printf("/analysis.json (copied to analysis.json)\n");
		}
		free(dir);
	}
	if (n->analysis != NULL) {
		printf("analysis: ");
		util_fput_safe(n->analysis, stdout);
		printf(" (copied to analysis.json)\n");
	} else if (n->collect == NULL && n->traces == NULL) {
		av = nightly_analyze_argv(n, ap, n->run_config ? run_id :
		    n->run_id, &ac);
		nightly_print_argv("analyze", ac, av);
		free(av);
	}
	printf("baseline: ");
	util_fput_safe(n->baseline ? n->baseline :
	    "the last passing night of the history", stdout);
	putchar('\n');
	printf("history: ");
	util_fput_safe(hist, stdout);
	printf("%s\n", n->history_es ? " (index)" : "");
	printf("thresholds: %zu\n", n->ts.n);
	for (i = 0; i < n->ts.n; i++) {
		printf("  ");
		util_fput_safe(threshold_expr(n->ts.v[i]), stdout);
		putchar('\n');
	}
	printf("verdict: fail on a breached threshold%s\n", n->failreg ?
	    " or a regression beyond the noise margin" : "");
	free(ap);
}

/* Everything one night produces. */
struct nightly_state {
	struct json_object *doc, *base, *cmp, *tblock, *nights, *night;
	struct json_object *warnings, *trend, *charts, *problems;
	struct es *hes;
	char *base_name, *out, *apath;
};

/* Frees a night's state. */
static void
nightly_state_release(struct nightly_state *st)
{
	json_object_put(st->doc);
	json_object_put(st->base);
	json_object_put(st->cmp);
	json_object_put(st->tblock);
	json_object_put(st->nights);
	json_object_put(st->night);
	json_object_put(st->warnings);
	json_object_put(st->trend);
	json_object_put(st->charts);
	json_object_put(st->problems);
	es_free(st->hes);
	free(st->base_name);
	free(st->out);
	free(st->apath);
}

/* Writes nightly.md from the view of the night and its trend. */
static int
nightly_write_md(const struct nightly *n, struct nightly_state *st,
    const char *path, char **cause)
{
	struct json_object *view = json_object_new_object();
	int rc;

	json_object_object_add(view, "night", json_object_get(st->night));
	json_object_object_add(view, "trend", json_object_get(st->trend));
	json_object_object_add(view, "compare", json_object_get(st->cmp));
	json_object_object_add(view, "thresholds",
	    json_object_get(st->tblock));
	json_object_object_add(view, "warnings",
	    json_object_get(st->warnings));
	json_object_object_add(view, "has_warnings", json_object_new_boolean(
	    jx_len(st->warnings) > 0));
	json_object_object_add(view, "charts", json_object_get(st->charts));
	json_object_object_add(view, "chart_problems",
	    json_object_get(st->problems));
	rc = history_render_md(view, n->templates, path, cause);
	json_object_put(view);
	return rc;
}

/* Draws the trend and comparison charts; problems are warnings only. */
static void
nightly_charts(const struct nightly *n, struct nightly_state *st)
{
	char *why = NULL;
	size_t i;

	if (!chart_available(&why)) {
		cli_error("charts skipped: %s", why);
		json_object_array_add(st->problems, json_object_new_string(why));
		free(why);
		return;
	}
	history_charts(st->trend, st->out, n->templates, st->charts,
	    st->problems);
	if (st->cmp != NULL)
		compare_charts(st->cmp, st->base, st->doc, st->out,
		    n->templates, st->charts, st->problems);
	for (i = 0; i < jx_len(st->problems); i++) {
		struct strbuf b;

		strbuf_init(&b, 0);
		util_safe_append(&b, json_object_get_string(
		    jx_at(st->problems, i)));
		cli_error("chart: %s", b.data);
		strbuf_release(&b);
	}
}

int
cmd_nightly(int argc, char **argv)
{
	struct nightly n;
	struct nightly_state st;
	char *cause = NULL, *hist = NULL, *run_id = NULL, *p, buf[TIME_BUF];
	char *run_analysis = NULL;
	char **av;
	int status = STATUS_OK, rc, ac, pass = 1;
	size_t i;

	memset(&n, 0, sizeof(n));
	memset(&st, 0, sizeof(st));
	compare_opts_init(&n.co);
	threshold_set_init(&n.ts);
	es_cli_init(&n.ec);
	n.charts = 1;
	n.trend = 30;
	n.when = time_now();
	rc = nightly_options(&n, argc, argv, &cause);
	if (rc != 0)
		goto usage;
	if (n.templates == NULL)
		n.templates = getenv("MEDLOAD_TEMPLATES");
	if (n.history_index == NULL)
		n.history_index = "medload-history";
	if (n.out != NULL)
		st.out = util_strdup(n.out);
	else {
		time_format(n.when, buf);
		buf[19] = '\0';
		for (p = buf; *p != '\0'; p++)
			if (*p == ':')
				*p = '-';
		st.out = util_printf("medload-nightly/%s", buf);
	}
	hist = n.history_es ? util_printf("%s/%s", n.history_es,
	    n.history_index) : util_strdup(n.history ? n.history :
	    "medload-history.jsonl");
	if (n.run_config != NULL)
		run_id = n.run_id ? util_strdup(n.run_id) :
		    util_printf("nightly-%.0f", n.when);
	if (n.dry) {
		nightly_plan(&n, st.out, hist, run_id);
		goto done;
	}
	if ((n.es_url != NULL || n.history_es != NULL) &&
	    es_cli_finish(&n.ec, &cause) == -1) {
		rc = -1;
		goto usage;
	}
	if (nightly_mkdirs(st.out, &cause) == -1) {
		cli_error("%s", cause);
		status = STATUS_IO;
		goto done;
	}
	st.apath = util_printf("%s/analysis.json", st.out);

	/* 1. the load, when asked */
	if (n.run_config != NULL) {
		char *dir;

		av = nightly_run_argv(&n, st.out, run_id, &ac, &dir);
		rc = cmd_run(ac, av);
		free(av);
		if (dir != NULL)
			run_analysis = util_printf("%s/%s/analysis.json",
			    dir + strlen(dir) + 1, run_id);
		free(dir);
		/* the run's own thresholds (its config's) are judged below */
		if (rc == STATUS_PARTIAL)
			status = STATUS_PARTIAL;
		else if (rc != STATUS_OK && !(rc == STATUS_THRESHOLD &&
		    run_analysis != NULL)) {
			cli_error("the run failed (status %d)", rc);
			status = rc;
			goto done;
		}
	}
	/* 2. tonight's analysis */
	if (n.analysis != NULL || run_analysis != NULL) {
		st.doc = compare_load(run_analysis ? run_analysis : n.analysis,
		    &cause);
		/* nightly judges the thresholds itself */
		if (st.doc != NULL && run_analysis != NULL)
			json_object_object_del(st.doc, "thresholds");
		if (st.doc == NULL || nightly_write_json(st.apath, st.doc,
		    &cause) == -1) {
			cli_error("%s", cause);
			status = STATUS_IO;
			goto done;
		}
	} else {
		av = nightly_analyze_argv(&n, st.apath, n.run_config ? run_id :
		    n.run_id, &ac);
		rc = cmd_analyze(ac, av);
		free(av);
		if (rc != STATUS_OK && rc != STATUS_PARTIAL) {
			cli_error("the analysis failed (status %d)", rc);
			status = rc == STATUS_NO_EVENTS ? STATUS_NO_EVENTS : STATUS_IO;
			goto done;
		}
		if (rc == STATUS_PARTIAL)
			status = STATUS_PARTIAL;
		st.doc = compare_load(st.apath, &cause);
		if (st.doc == NULL) {
			cli_error("%s", cause);
			status = STATUS_IO;
			goto done;
		}
	}
	/* 3. the history */
	st.warnings = json_object_new_array();
	st.charts = json_object_new_array();
	st.problems = json_object_new_array();
	if (n.history_es != NULL) {
		if (es_open(n.history_es, &n.ec.http, &st.hes, &cause) == -1 ||
		    history_es_read(st.hes, n.history_index, n.trend + 365,
		    &st.nights, st.warnings, &cause) == -1) {
			cli_error("history: %s", cause);
			status = STATUS_IO;
			goto done;
		}
	} else if (history_file_read(hist, &st.nights, st.warnings,
	    &cause) == -1) {
		cli_error("%s", cause);
		status = STATUS_IO;
		goto done;
	}
	/* 4. the baseline and the comparison */
	st.base = nightly_baseline(&n, st.nights, st.warnings, &st.base_name,
	    &cause);
	for (i = 0; i < jx_len(st.warnings); i++) {
		struct strbuf b;

		strbuf_init(&b, 0);
		util_safe_append(&b, json_object_get_string(
		    jx_at(st.warnings, i)));
		cli_error("%s (skipped)", b.data);
		strbuf_release(&b);
	}
	if (st.base == NULL && cause != NULL) {
		if (n.baseline != NULL) {
			cli_error("%s", cause);
			status = STATUS_IO;
			goto done;
		}
		cli_error("baseline from the history: %s; no comparison",
		    cause);
		free(cause);
		cause = NULL;
	}
	if (st.base != NULL) {
		st.cmp = compare_build(st.base, st.doc, &n.co, st.base_name,
		    st.apath, &cause);
		if (st.cmp == NULL) {
			cli_error("%s; no comparison", cause);
			free(cause);
			cause = NULL;
		}
	}
	/* 5. the thresholds and the verdict */
	st.tblock = threshold_evaluate(&n.ts, st.doc, st.base);
	if (st.cmp != NULL)
		json_object_object_add(st.cmp, "thresholds",
		    json_object_get(st.tblock));
	if (threshold_block_failed(st.tblock) > 0)
		pass = 0;
	if (n.failreg && st.cmp != NULL && compare_regressions(st.cmp) > 0)
		pass = 0;
	/* 6. the history gets tonight */
	{
		struct history_input in;
		char *abs_a = nightly_abs(st.apath), *abs_o = nightly_abs(st.out);

		memset(&in, 0, sizeof(in));
		in.analysis = st.doc;
		in.analysis_path = abs_a;
		in.report_dir = abs_o;
		in.when = n.when;
		in.thresholds = st.tblock;
		in.compare = st.cmp;
		in.baseline = st.base_name;
		in.pass = pass;
		st.night = history_night(&in);
		free(abs_a);
		free(abs_o);
	}
	if (st.hes != NULL)
		rc = history_es_append(st.hes, n.history_index, st.night,
		    st.doc, &cause);
	else
		rc = history_file_append(hist, st.night, &cause);
	if (rc == -1) {
		cli_error("history: %s", cause);
		status = STATUS_IO;
	}
	json_object_array_add(st.nights, json_object_get(st.night));
	st.trend = history_trend(st.nights, n.trend);
	/* 7. the report folder */
	p = util_printf("%s/thresholds.json", st.out);
	rc = nightly_write_json(p, st.tblock, &cause);
	free(p);
	p = util_printf("%s/junit.xml", st.out);
	if (rc == 0)
		rc = junit_write_file(p, "medload nightly", st.tblock, NULL,
		    &cause);
	free(p);
	p = util_printf("%s/trend.json", st.out);
	if (rc == 0)
		rc = nightly_write_json(p, st.trend, &cause);
	free(p);
	if (rc == 0 && st.cmp != NULL) {
		p = util_printf("%s/compare.json", st.out);
		rc = nightly_write_json(p, st.cmp, &cause);
		free(p);
		p = util_printf("%s/compare.md", st.out);
		if (rc == 0)
			rc = nightly_write_compare(p, st.cmp, COMPARE_MARKDOWN,
			    n.templates, &cause);
		free(p);
		p = util_printf("%s/compare.txt", st.out);
		if (rc == 0)
			rc = nightly_write_compare(p, st.cmp, COMPARE_TEXT,
			    n.templates, &cause);
		free(p);
	}
	if (rc == 0 && n.charts)
		nightly_charts(&n, &st);
	p = util_printf("%s/nightly.md", st.out);
	if (rc == 0)
		rc = nightly_write_md(&n, &st, p, &cause);
	free(p);
	if (rc == -1) {
		cli_error("%s", cause);
		status = STATUS_IO;
	}
	/* 8. the verdict */
	printf("medload nightly: %s", pass ? "pass" : "FAIL");
	printf(" (%d of %zu thresholds breached, %d regressions",
	    threshold_block_failed(st.tblock), n.ts.n, st.cmp ?
	    compare_regressions(st.cmp) : 0);
	printf("; baseline: ");
	util_fput_safe(st.base_name ? st.base_name : "none", stdout);
	printf("); report: ");
	util_fput_safe(st.out, stdout);
	putchar('\n');
	if (!pass && status == STATUS_OK)
		status = STATUS_THRESHOLD;
done:
	free(run_analysis);
	nightly_state_release(&st);
	threshold_set_release(&n.ts);
	es_cli_release(&n.ec);
	free(hist);
	free(run_id);
	free(cause);
	return status;
usage:
	nightly_state_release(&st);
	threshold_set_release(&n.ts);
	es_cli_release(&n.ec);
	free(hist);
	free(run_id);
	if (rc == 1) {
		free(cause);
		return STATUS_OK;
	}
	status = cli_usage_error("nightly", "%s", cause);
	free(cause);
	return status;
}

/* Prints the help (transitional). */
void
cmd_nightly_help(FILE *out)
{
	fputs(cmd_nightly_help_text, out);
}
