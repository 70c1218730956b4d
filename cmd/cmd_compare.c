/* cmd_compare.c: `medload compare`: baseline vs contender analyses. */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "chart.h"
#include "compare.h"
#include "junit.h"
#include "jx.h"
#include "threshold.h"
#include "util.h"

static const char cmd_compare_help_text[] =
"usage: medload compare [options] BASELINE.json CONTENDER.json\n"
"\n"
"Compares two analyses (written by 'medload analyze --format json') group\n"
"by group: count, rate, mean, p50, p95, p99 and max per group, count, rate\n"
"and error share per label, each with baseline, contender, difference,\n"
"percent change and a verdict: better, worse or unchanged. Largest\n"
"regressions first; groups found on one side only are listed.\n"
"\n"
"A change is only called when both sides have --min-samples events, it\n"
"exceeds --margin (and --min-delta for latencies) and, where a test\n"
"applies, it is significant: percentiles by the normal approximation of\n"
"sample quantiles (density from the neighbouring percentiles), the mean\n"
"by Welch's z, counts and rates by the Poisson z, error shares by the\n"
"two-proportion z. max is judged on the margin alone.\n"
"\n"
"Options:\n"
"  --margin PCT          relative noise margin (default 5%)\n"
"  --min-delta MS        latency changes smaller than this are noise\n"
"                        (default 1 ms, the traces' resolution)\n"
"  --min-samples N       groups with fewer events on either side are never\n"
"                        flagged (default 20)\n"
"  --z Z                 critical |z| of the tests (default 3: about 0.3 %\n"
"                        false alarms per test, as many are made at once)\n"
"  --format FMT          text (default), markdown or json\n"
"  -o, --out FILE        write the report to FILE\n"
"  --templates DIR       read report templates from DIR first\n"
"  --threshold EXPR      a pass/fail threshold on the contender, like\n"
"                        'label=mediator.trace p95<250' or\n"
"                        'p95 < baseline*1.10' (repeatable)\n"
"  --thresholds FILE     thresholds from FILE (one a line, or YAML with a\n"
"                        'thresholds:' list)\n"
"  --junit FILE          write the thresholds (and, with\n"
"                        --fail-on-regression, the regressions) as JUnit XML\n"
"  --fail-on-regression  exit 5 when a group or label got worse\n"
"  --charts DIR          draw charts with gnuplot into DIR (created):\n"
"                        compare-spectrum (baseline vs contender by\n"
"                        percentile) and compare-p95 (p95 change bars)\n"
"  -h, --help            show this help\n"
"\n"
"Exit status: 0 when no threshold failed, 2 on a usage error, 3 when an\n"
"analysis or an output could not be used, 5 when a threshold was breached\n"
"(or, with --fail-on-regression, something got worse).\n";

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

/* The regressions of a comparison as JUnit results. */
static struct json_object *
compare_regression_cases(struct json_object *cmp)
{
	struct json_object *out = json_object_new_array(), *groups, *g, *m, *r;
	struct json_object *metrics;
	size_t i, j;
	const char *title;

	if (!json_object_object_get_ex(cmp, "groups", &groups))
		return out;
	for (i = 0; i < jx_len(groups); i++) {
		struct strbuf msg;
		int worse = 0;

		g = jx_at(groups, i);
		title = json_object_get_string(json_object_object_get(g,
		    "title"));
		json_object_object_get_ex(g, "metrics", &metrics);
		strbuf_init(&msg, 0);
		for (j = 0; j < jx_len(metrics); j++) {
			m = jx_at(metrics, j);
			if (strcmp(json_object_get_string(
			    json_object_object_get(m, "verdict")), "worse") != 0)
				continue;
			strbuf_addf(&msg, "%s%s %s -> %s (%s, %s)", worse ?
			    "; " : "", json_object_get_string(
			    json_object_object_get(m, "metric")),
			    json_object_get_string(json_object_object_get(m,
			    "b")), json_object_get_string(
			    json_object_object_get(m, "c")),
			    json_object_get_string(json_object_object_get(m,
			    "p")), json_object_get_string(
			    json_object_object_get(m, "reason")));
			worse = 1;
		}
		r = json_object_new_object();
		json_object_object_add(r, "expr", json_object_new_string(
		    title ? title : ""));
		json_object_object_add(r, "status", json_object_new_string(
		    worse ? "fail" : "pass"));
		json_object_object_add(r, "message", json_object_new_string(
		    worse ? msg.data : json_object_get_string(
		    json_object_object_get(g, "verdict"))));
		json_object_array_add(out, r);
		strbuf_release(&msg);
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

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		cli_error("%s: cannot create: %s", dir, strerror(errno));
	} else if (!chart_available(&why)) {
		cli_error("charts: %s", why);
		free(why);
	} else {
		drawn = compare_charts(cmp, base, cont, dir, templates, list,
		    problems);
		for (i = 0; i < jx_len(problems); i++) {
			struct strbuf b;

			strbuf_init(&b, 0);
			util_safe_append(&b, json_object_get_string(
			    jx_at(problems, i)));
			cli_error("chart: %s", b.data);
			strbuf_release(&b);
		}
	}
	json_object_put(list);
	json_object_put(problems);
	return drawn > 0 ? 0 : -1;
}

int
cmd_compare(int argc, char **argv)
{
	enum { OPT_MARGIN = 256, OPT_MINDELTA, OPT_MINSAMPLES, OPT_Z,
	    OPT_FORMAT, OPT_TEMPLATES,
	    OPT_JUNIT, OPT_FAILREG, OPT_CHARTS };
	static const struct option opts[] = {
		{ "margin", required_argument, NULL, OPT_MARGIN },
		{ "min-delta", required_argument, NULL, OPT_MINDELTA },
		{ "min-samples", required_argument, NULL, OPT_MINSAMPLES },
		{ "z", required_argument, NULL, OPT_Z },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "out", required_argument, NULL, 'o' },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		THRESHOLD_CLI_OPTIONS,
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "fail-on-regression", no_argument, NULL, OPT_FAILREG },
		{ "charts", required_argument, NULL, OPT_CHARTS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts co;
	struct threshold_set ts;
	enum compare_format format = COMPARE_TEXT;
	struct json_object *base = NULL, *cont = NULL, *cmp = NULL;
	struct json_object *block = NULL, *extra = NULL;
	const char *out_path = NULL, *templates = NULL, *junit = NULL;
	const char *charts = NULL;
	unsigned long long ull;
	char *cause = NULL, *tmp;
	int c, status = STATUS_OK, failreg = 0, rc, th;
	FILE *out;

	compare_opts_init(&co);
	threshold_set_init(&ts);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		if ((th = threshold_cli_option(&ts, c, optarg, &cause)) != 0) {
			if (th == -1)
				goto usage;
			continue;
		}
		switch (c) {
		case OPT_MARGIN:
			if (compare_parse_margin(optarg, &co.margin) == -1) {
				util_fail(&cause, "--margin: \"%s\" is not a "
				    "percentage (like 5%%)", optarg);
				goto usage;
			}
			break;
		case OPT_MINDELTA:
		case OPT_Z:
			if (util_parse_double(optarg, c == OPT_Z ? &co.z :
			    &co.min_delta) == -1 || (c == OPT_Z ? co.z :
			    co.min_delta) < 0) {
				util_fail(&cause, "%s: \"%s\" is not a "
				    "non-negative number", c == OPT_Z ? "--z" :
				    "--min-delta", optarg);
				goto usage;
			}
			break;
		case OPT_MINSAMPLES:
			if (util_parse_uint(optarg, 1000000000ULL, &ull) == -1 ||
			    ull == 0) {
				util_fail(&cause, "--min-samples: \"%s\" is not "
				    "a count of 1 or more", optarg);
				goto usage;
			}
			co.min_samples = ull;
			break;
		case OPT_FORMAT:
			if (compare_format_parse(optarg, &format) == -1) {
				util_fail(&cause, "--format: \"%s\" is not "
				    "text, markdown or json", optarg);
				goto usage;
			}
			break;
		case 'o':
			out_path = optarg;
			break;
		case OPT_TEMPLATES:
			templates = optarg;
			break;
		case OPT_JUNIT:
			junit = optarg;
			break;
		case OPT_FAILREG:
			failreg = 1;
			break;
		case OPT_CHARTS:
			charts = optarg;
			break;
		case 'h':
			cmd_compare_help(stdout);
			threshold_set_release(&ts);
			return STATUS_OK;
		case ':':
		default:
			cli_bad_option(c, argv, &cause);
			goto usage;
		}
	}
	if (argc - optind != 2) {
		util_fail(&cause, "expected BASELINE.json CONTENDER.json");
		goto usage;
	}
	if (templates == NULL)
		templates = getenv("MEDLOAD_TEMPLATES");
	if ((base = compare_load(argv[optind], &cause)) == NULL ||
	    (cont = compare_load(argv[optind + 1], &cause)) == NULL) {
		cli_error("%s", cause);
		status = STATUS_IO;
		goto done;
	}
	cmp = compare_build(base, cont, &co, argv[optind], argv[optind + 1],
	    &cause);
	if (cmp == NULL) {
		cli_error("%s", cause);
		status = STATUS_USAGE;
		goto done;
	}
	if (ts.n > 0) {
		block = threshold_evaluate(&ts, cont, base);
		json_object_object_add(cmp, "thresholds", json_object_get(block));
	}
	out = cli_output_open(out_path, &tmp, &cause);
	if (out == NULL) {
		cli_error("%s", cause);
		status = STATUS_IO;
		goto done;
	}
	rc = compare_render(cmp, format, templates, out, &cause);
	if (rc == -1)
		cli_error("%s", cause);
	if (cli_output_close(out, out_path, tmp, rc == 0, &cause) == -1 &&
	    rc == 0) {
		cli_error("%s", cause);
		rc = -1;
	}
	if (rc == -1) {
		status = STATUS_IO;
		goto done;
	}
	if (charts != NULL && compare_draw(cmp, base, cont, charts,
	    templates) == -1)
		status = STATUS_IO;
	if (failreg)
		extra = compare_regression_cases(cmp);
	if (junit != NULL && junit_write_file(junit, "medload compare", block,
	    extra, &cause) == -1) {
		cli_error("%s", cause);
		status = STATUS_IO;
		goto done;
	}
	if (threshold_block_failed(block) > 0) {
		cli_error("%d of %zu thresholds breached",
		    threshold_block_failed(block), ts.n);
		status = STATUS_THRESHOLD;
	}
	if (failreg && compare_regressions(cmp) > 0) {
		cli_error("%d groups or labels got worse",
		    compare_regressions(cmp));
		status = STATUS_THRESHOLD;
	}
done:
	json_object_put(extra);
	json_object_put(block);
	json_object_put(cmp);
	json_object_put(base);
	json_object_put(cont);
	threshold_set_release(&ts);
	free(cause);
	return status;
usage:
	threshold_set_release(&ts);
	status = cli_usage_error("compare", "%s", cause);
	free(cause);
	return status;
}

/* Prints the help (transitional). */
void
cmd_compare_help(FILE *out)
{
	fputs(cmd_compare_help_text, out);
}
