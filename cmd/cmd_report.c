/* cmd_report.c: `medload report`: analysis (+ run) -> report folder. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "report.h"
#include "util.h"

static const char report_usage[] =
"usage: medload report [options] ANALYSIS.json --out DIR\n"
"\n"
"Writes a report folder from an analysis document (medload analyze\n"
"--format json) and, with --run, the results of a load run: report.txt,\n"
"report.md, index.html (tables and charts inline, no external assets),\n"
"and charts/ with every chart as PNG and SVG beside its gnuplot script and\n"
"data files. Charts need gnuplot at run time; without it the text,\n"
"Markdown and HTML are still written and say why the charts are missing.\n"
"\n"
"Charts: users and requests/s over time with the load steps (with --run);\n"
"trace latency p50/p95/p99 over time per label; p50/p95/p99 per handler and\n"
"outcome; the latency percentile spectrum per label; outcomes and errors\n"
"over time; client latency per request name (with --run). Charts per label\n"
"show the 8 busiest labels and the others as one line.\n";

static const char report_after[] =
"Exit status: 0 written (charts may be missing; the report and stderr\n"
"say why), 2 usage error, 3 an input or the folder could not be used.\n";

enum { R_OUT, R_RUN, R_TITLE, R_TEMPLATES, R_QUIET };

static const struct opt report_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Options:" },
	{ "out", 'o', "DIR", R_OUT, 0, "the report folder (created when "
	    "missing; required)" },
	{ "run", 0, "DIR", R_RUN, 0, "a run directory of medload run (its "
	    "results.json)" },
	{ "title", 0, "TEXT", R_TITLE, 0, "the report's title" },
	{ "templates", 0, "DIR", R_TEMPLATES, 0, "read report templates from "
	    "DIR first" },
	{ "quiet", 'q', NULL, R_QUIET, 0, "do not print the text report" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* What the command line says. */
struct report_cmd {
	const char *analysis, *out, *run_dir, *title, *templates;
	int quiet, help;
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
	case R_TITLE: c->title = value; break;
	case R_TEMPLATES: c->templates = value; break;
	case R_QUIET: c->quiet = 1; break;
	}
	return 0;
}

/* Fills groups for c; returns their number. */
static size_t
report_groups(struct report_cmd *c, struct opt_group *g)
{
	g[0] = (struct opt_group){ report_opts, report_take, c };
	g[1] = (struct opt_group)CMD_HELP_GROUP(&c->help);
	return 2;
}

void
cmd_report_help(FILE *out)
{
	struct report_cmd c;
	struct opt_group g[2];

	cmd_help(out, report_usage, g, report_groups(&c, g), report_after);
}

/* Parses and checks the command line; 0, or -1 with *cause. */
static int
report_parse(struct report_cmd *c, int argc, char **argv, char **cause)
{
	struct opt_group g[2];
	char **ops;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (opt_parse(g, report_groups(c, g), argc, argv, &ops, &n,
	    cause) == -1)
		return -1;
	if (n == 1)
		c->analysis = ops[0];
	free(ops);
	if (c->help)
		return 0;
	if (n != 1 || c->out == NULL)
		return util_fail(cause, "give one ANALYSIS.json and --out DIR");
	if (c->templates == NULL)
		c->templates = getenv("MEDLOAD_TEMPLATES");
	return 0;
}

/* Writes the report folder; returns an exit status. */
static int
report_execute(const struct report_cmd *c)
{
	struct report_input in;
	struct report_result res;
	char *cause = NULL, *path = NULL;
	int status = STATUS_IO;

	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	in.out_dir = c->out;
	in.title = c->title;
	in.templates = c->templates;
	in.echo = c->quiet ? NULL : stdout;
	in.analysis = jx_load(c->analysis, "medload.analysis/1", 0, &cause);
	if (in.analysis == NULL)
		goto out;
	if (c->run_dir != NULL) {
		path = util_printf("%s/results.json", c->run_dir);
		in.run = jx_load(path, "medload.run/1", 0, &cause);
		if (in.run == NULL)
			goto out;
	}
	if (report_write(&in, &res, &cause) == -1)
		goto out;
	report_print_done(c->out, &res);
	status = STATUS_OK;
out:
	if (status != STATUS_OK)
		cli_error_safe(cause);
	report_result_release(&res);
	free(path);
	free(cause);
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

	if (report_parse(&c, argc, argv, &cause) == -1) {
		status = cli_usage_error("report", "%s", cause);
		free(cause);
		return status;
	}
	if (c.help) {
		cmd_report_help(stdout);
		return STATUS_OK;
	}
	return report_execute(&c);
}
