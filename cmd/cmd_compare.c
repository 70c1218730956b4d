/* cmd_compare.c: `medload compare`: baseline vs contender analyses. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "chart.h"
#include "compare.h"
#include "files.h"
#include "junit.h"
#include "jx.h"
#include "threshold_cli.h"
#include "util.h"

static const char compare_usage[] =
"usage: medload compare [options] BASELINE.json CONTENDER.json\n"
"\n"
"Compares two analyses (written by 'medload analyze --format json') group\n"
"by group: count, rate, mean, p50, p95, p99 and max per group, count, rate\n"
"and error share per label, each with baseline, contender, difference\n"
"and percent change. Latency (mean, p50, p95, p99) makes a group worse or\n"
"better, a rising error share a label; count and rate are load (more or\n"
"less traffic), never better or worse; groups at 0 ms on both sides\n"
"(START events) are not judged. The first line is the verdict; the\n"
"regressions come largest first, unchanged groups are counted; groups\n"
"found on one side only are listed.\n"
"\n"
"A change is only called when both sides have --min-samples events, it\n"
"exceeds --margin (and --min-delta for latencies) and, where a test\n"
"applies, it is significant: percentiles by the normal approximation of\n"
"sample quantiles (density from the neighbouring percentiles), the mean\n"
"by Welch's z, counts and rates by the Poisson z, error shares by the\n"
"two-proportion z. max is judged on the margin alone.\n"
"\n"
"Thresholds (--threshold, --thresholds) judge the contender and may\n"
"refer to the baseline, like 'p95 < baseline*1.10'.\n";

static const char compare_after[] =
"Exit status: 0 when no threshold failed, 2 on a usage error, 3 when an\n"
"analysis or an output could not be used, 5 when a threshold was breached\n"
"(or, with --fail-on-regression, something got worse).\n";

enum { P_MARGIN, P_MINDELTA, P_MINSAMPLES, P_Z, P_FORMAT, P_OUT,
    P_TEMPLATES, P_JUNIT, P_FAILREG, P_CHARTS };

/* The options --help lists before --threshold, */
static const struct opt compare_options[] = {
	{ NULL, 0, NULL, 0, 0, "Options:" },
	{ "margin", 0, "PCT", P_MARGIN, 0, "relative noise margin (default "
	    "5%)" },
	{ "min-delta", 0, "MS", P_MINDELTA, 0, "latency changes smaller than "
	    "this are noise\n(default 1 ms, the traces' resolution)" },
	{ "min-samples", 0, "N", P_MINSAMPLES, 0, "groups with fewer events "
	    "on either side are never\nflagged (default 20)" },
	{ "z", 0, "Z", P_Z, 0, "critical |z| of the tests (default 3: about "
	    "0.3 %\nfalse alarms per test, as many are made at once)" },
	{ "format", 0, "FMT", P_FORMAT, 0, "text (default), markdown or "
	    "json" },
	{ "out", 'o', "FILE", P_OUT, 0, "write the report to FILE" },
	{ "templates", 0, "DIR", P_TEMPLATES, 0, "read report templates from "
	    "DIR first" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* and those it lists after --thresholds. */
static const struct opt compare_judge_options[] = {
	{ "junit", 0, "FILE", P_JUNIT, 0, "write the thresholds (and, with "
	    "--fail-on-regression,\nthe regressions) as JUnit XML" },
	{ "fail-on-regression", 0, NULL, P_FAILREG, 0, "exit 5 on a "
	    "regression: a group's latency\ngot worse or a label's error "
	    "share rose" },
	{ "charts", 0, "DIR", P_CHARTS, 0, "draw charts with gnuplot into DIR "
	    "(created):\ncompare-spectrum (baseline vs contender by "
	    "percentile)\nand compare-p95 (p95 change bars)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* --format's values, and the formats they stand for. */
static const char *const compare_format_names[] = { "text", "markdown",
    "md", "json", NULL };
static const enum compare_format compare_formats[] = { COMPARE_TEXT,
    COMPARE_MARKDOWN, COMPARE_MARKDOWN, COMPARE_JSON };

/* What the command line says. */
struct compare_cmd {
	struct compare_opts co;
	struct threshold_set ts;	/* released by cmd_compare */
	enum compare_format format;
	const char *base, *cont;	/* the two analyses */
	const char *out, *templates, *junit, *charts;
	int fail_on_regression, help;
};

/* Parses "5%", "5" or "0.05" (a fraction when below 1 without %). */
static int
compare_parse_margin(const char *s, double *out)
{
	size_t n = strlen(s);
	char *copy;
	double v;
	int rc, pct = n > 0 && s[n - 1] == '%';

	copy = util_strndup(s, pct ? n - 1 : n);
	rc = util_parse_double(copy, &v);
	free(copy);
	if (rc == -1 || v < 0 || v >= 1000)
		return -1;
	*out = pct || v >= 1 ? v / 100 : v;
	return 0;
}

/*
 * One JUnit result for a group or a label (title): failed with the
 * metrics that got worse (a latency, an error share), else passed.
 */
static struct json_object *
compare_case(const char *title, struct json_object *row)
{
	struct json_object *metrics = jx_get(row, "metrics"), *m, *r;
	struct strbuf msg;
	size_t j;

	strbuf_init(&msg, 0);
	for (j = 0; j < jx_len(metrics); j++) {
		m = jx_at(metrics, j);
		if (strcmp(jx_str(jx_get(m, "verdict"), ""), "worse") != 0)
			continue;
		strbuf_addf(&msg, "%s%s %s -> %s (%s, %s)", msg.len ? "; " :
		    "", jx_str(jx_get(m, "metric"), ""), jx_str(jx_get(m, "b"),
		    ""), jx_str(jx_get(m, "c"), ""), jx_str(jx_get(m, "p"), ""),
		    jx_str(jx_get(m, "reason"), ""));
	}
	r = json_object_new_object();
	json_object_object_add(r, "expr", json_object_new_string(title));
	json_object_object_add(r, "status", json_object_new_string(msg.len ?
	    "fail" : "pass"));
	json_object_object_add(r, "message", json_object_new_string(msg.len ?
	    msg.data : jx_str(jx_get(row, "verdict"), "")));
	strbuf_release(&msg);
	return r;
}

/*
 * The regressions of a comparison as JUnit results: one per group (its
 * latency) and one per label (its error share).
 */
static struct json_object *
compare_regression_cases(struct json_object *cmp)
{
	struct json_object *out = json_object_new_array(), *a;
	char *title;
	size_t i;

	a = jx_get(cmp, "groups");
	for (i = 0; i < jx_len(a); i++)
		json_object_array_add(out, compare_case(jx_str(jx_get(jx_at(
		    a, i), "title"), ""), jx_at(a, i)));
	a = jx_get(cmp, "labels");
	for (i = 0; i < jx_len(a); i++) {
		title = util_printf("label %s", jx_str(jx_get(jx_at(a, i),
		    "label"), "-"));
		json_object_array_add(out, compare_case(title, jx_at(a, i)));
		free(title);
	}
	return out;
}

/* Draws the charts into dir; -1 when none could be drawn. */
static int
compare_draw(struct json_object *cmp, struct json_object *base,
    struct json_object *cont, const char *dir, const char *templates)
{
	struct json_object *list = json_object_new_array();
	struct json_object *problems = json_object_new_array();
	char *why = NULL;
	size_t i;
	int drawn = 0;

	if (files_mkdirs(dir, &why) == -1) {
		cli_error_safe(why);
		free(why);
	} else if (!chart_available(&why)) {
		cli_error("charts: %s", why);
		free(why);
	} else {
		drawn = compare_charts(cmp, base, cont, dir, templates, list,
		    problems);
		for (i = 0; i < jx_len(problems); i++)
			cli_error("chart: %s", jx_str(jx_at(problems, i), ""));
	}
	json_object_put(list);
	json_object_put(problems);
	return drawn > 0 ? 0 : -1;
}

/* Takes a number of at least 0 for option name. */
static int
compare_number(const char *name, const char *value, double *out,
    char **cause)
{
	if (util_parse_double(value, out) == -1 || *out < 0)
		return util_fail(cause, "--%s: \"%.40s\" is not a non-negative "
		    "number", name, value);
	return 0;
}

/* Takes one option. */
static int
compare_take(void *ctx, int id, const char *value, char **cause)
{
	struct compare_cmd *c = ctx;
	int i;

	switch (id) {
	case P_MARGIN:
		if (compare_parse_margin(value, &c->co.margin) == -1)
			return util_fail(cause, "--margin: \"%.40s\" is not a "
			    "percentage (like 5%%)", value);
		break;
	case P_MINDELTA:
		return compare_number("min-delta", value, &c->co.min_delta,
		    cause);
	case P_Z: return compare_number("z", value, &c->co.z, cause);
	case P_MINSAMPLES:
		return opt_count("min-samples", value, 1, 1000000000ULL,
		    &c->co.min_samples, cause);
	case P_FORMAT:
		if (opt_choice("format", value, compare_format_names, &i,
		    cause) == -1)
			return -1;
		c->format = compare_formats[i];
		break;
	case P_OUT: c->out = value; break;
	case P_TEMPLATES: c->templates = value; break;
	case P_JUNIT: c->junit = value; break;
	case P_FAILREG: c->fail_on_regression = 1; break;
	case P_CHARTS: c->charts = value; break;
	}
	return 0;
}

/* Fills groups for c; returns their number. */
static size_t
compare_groups(struct compare_cmd *c, struct opt_group *g)
{
	g[0] = (struct opt_group){ compare_options, compare_take, c };
	g[1] = (struct opt_group)THRESHOLD_CLI_GROUP(&c->ts);
	g[2] = (struct opt_group){ compare_judge_options, compare_take, c };
	g[3] = (struct opt_group)CMD_HELP_GROUP(&c->help);
	return 4;
}

void
cmd_compare_help(FILE *out)
{
	struct compare_cmd c;
	struct opt_group g[4];

	cmd_help(out, compare_usage, g, compare_groups(&c, g), compare_after);
}

/* Parses the command line into c (released by cmd_compare); 0 or -1. */
static int
compare_parse(struct compare_cmd *c, int argc, char **argv, char **cause)
{
	struct opt_group g[4];
	char **ops;
	size_t n;

	memset(c, 0, sizeof(*c));
	compare_opts_init(&c->co);
	threshold_set_init(&c->ts);
	c->format = COMPARE_TEXT;
	if (opt_parse(g, compare_groups(c, g), argc, argv, &ops, &n,
	    cause) == -1)
		return -1;
	if (n == 2) {
		c->base = ops[0];
		c->cont = ops[1];
	}
	free(ops);
	return 0;
}

/* Checks the command line as a whole; 0 or -1 with *cause. */
static int
compare_check(struct compare_cmd *c, char **cause)
{
	if (c->base == NULL)
		return util_fail(cause, "expected BASELINE.json "
		    "CONTENDER.json");
	if (c->templates == NULL)
		c->templates = getenv("MEDLOAD_TEMPLATES");
	return 0;
}

/*
 * Loads an analysis document (caller puts); NULL with *cause. Its groups
 * and their keys must be there to be compared.
 */
static struct json_object *
compare_load_analysis(const char *path, char **cause)
{
	struct json_object *doc = jx_load(path, ANALYSIS_SCHEMA, 0, cause);

	if (doc != NULL && (jx_get(doc, "by") == NULL ||
	    !json_object_is_type(jx_get(doc, "groups"), json_type_array))) {
		util_fail(cause, "%s: not an analysis (no \"by\" or no "
		    "\"groups\" list)", path);
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

/* Writes the comparison to --out (standard output by default); 0 or -1. */
static int
compare_write(const struct compare_cmd *c, struct json_object *cmp,
    char **cause)
{
	struct files_out out;
	int rc;

	if (files_open(&out, c->out, FILES_USER, cause) == -1)
		return -1;
	rc = compare_render(cmp, c->format, c->templates, out.f, cause);
	if (files_close(&out, rc == 0, rc == 0 ? cause : NULL) == -1)
		rc = -1;
	return rc;
}

/* Says what failed; STATUS_THRESHOLD when something did, else status. */
static int
compare_judge(const struct compare_cmd *c, struct json_object *cmp,
    struct json_object *block, int status)
{
	if (threshold_block_failed(block) > 0) {
		cli_error("%d of %zu thresholds breached",
		    threshold_block_failed(block), c->ts.n);
		status = STATUS_THRESHOLD;
	}
	if (c->fail_on_regression && compare_regressions(cmp) > 0) {
		cli_error("%d regression%s (a latency got worse or an error "
		    "share rose)", compare_regressions(cmp),
		    compare_regressions(cmp) == 1 ? "" : "s");
		status = STATUS_THRESHOLD;
	}
	return status;
}

/* Compares, writes the report, charts and JUnit XML; an exit status. */
static int
compare_execute(const struct compare_cmd *c)
{
	struct json_object *base = NULL, *cont = NULL, *cmp = NULL;
	struct json_object *block = NULL, *extra = NULL;
	char *cause = NULL;
	int status = STATUS_IO;

	if ((base = compare_load_analysis(c->base, &cause)) == NULL ||
	    (cont = compare_load_analysis(c->cont, &cause)) == NULL)
		goto out;
	cmp = compare_build(base, cont, &c->co, c->base, c->cont, &cause);
	if (cmp == NULL) {
		status = STATUS_USAGE;
		goto out;
	}
	if (c->ts.n > 0) {
		block = threshold_evaluate(&c->ts, cont, base, NULL);
		json_object_object_add(cmp, "thresholds", json_object_get(block));
	}
	if (compare_write(c, cmp, &cause) == -1)
		goto out;
	status = STATUS_OK;
	if (c->charts != NULL && compare_draw(cmp, base, cont, c->charts,
	    c->templates) == -1)
		status = STATUS_IO;
	if (c->fail_on_regression)
		extra = compare_regression_cases(cmp);
	if (c->junit != NULL && junit_write_file(c->junit, "medload compare",
	    block, extra, &cause) == -1) {
		status = STATUS_IO;
		goto out;
	}
	status = compare_judge(c, cmp, block, status);
out:
	if (cause != NULL)
		cli_error_safe(cause);
	json_object_put(extra);
	json_object_put(block);
	json_object_put(cmp);
	json_object_put(base);
	json_object_put(cont);
	free(cause);
	return status;
}

int
cmd_compare(int argc, char **argv)
{
	struct compare_cmd c;
	char *cause = NULL;
	int status;

	if (compare_parse(&c, argc, argv, &cause) == -1 ||
	    (!c.help && compare_check(&c, &cause) == -1))
		status = cli_usage_error("compare", "%s", cause);
	else if (c.help) {
		cmd_compare_help(stdout);
		status = STATUS_OK;
	} else
		status = compare_execute(&c);
	free(cause);
	threshold_set_release(&c.ts);
	return status;
}
