/* cmd_report.c: `medload report`: analysis (+ run) -> report folder. */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"
#include "util.h"

const char cmd_report_help[] =
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
"over time; client latency per request name (with --run).\n"
"\n"
"Options:\n"
"  -o, --out DIR       the report folder (created when missing; required)\n"
"  --run DIR           a run directory of medload run (its results.json)\n"
"  --title TEXT        the report's title\n"
"  --templates DIR     read report templates from DIR first\n"
"  -q, --quiet         do not print the text report\n"
"  -h, --help          show this help\n"
"\n"
"Exit status: 0 written (charts may be missing; the report says why),\n"
"2 usage error, 3 an input or the folder could not be used.\n";

int
cmd_report(int argc, char **argv)
{
	enum { OPT_RUN = 256, OPT_TITLE, OPT_TEMPLATES };
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_input in;
	struct report_result res;
	const char *run_dir = NULL;
	char *cause = NULL, *path;
	int c, quiet = 0, status;

	memset(&in, 0, sizeof(in));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			in.out_dir = optarg;
			break;
		case OPT_RUN:
			run_dir = optarg;
			break;
		case OPT_TITLE:
			in.title = optarg;
			break;
		case OPT_TEMPLATES:
			in.templates = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(cmd_report_help, stdout);
			return STATUS_OK;
		case ':':
		default:
			cli_bad_option(c, argv, &cause);
			goto usage;
		}
	}
	if (optind != argc - 1 || in.out_dir == NULL) {
		util_fail(&cause, "give one ANALYSIS.json and --out DIR");
		goto usage;
	}
	if (in.templates == NULL)
		in.templates = getenv("MEDLOAD_TEMPLATES");
	if (report_load(argv[optind], "medload.analysis/1", &in.analysis,
	    &cause) == -1)
		goto io;
	if (run_dir != NULL) {
		path = util_printf("%s/results.json", run_dir);
		if (report_load(path, "medload.run/1", &in.run, &cause) == -1) {
			free(path);
			json_object_put(in.analysis);
			goto io;
		}
		free(path);
	}
	if (report_write(&in, &res, &cause) == -1) {
		json_object_put(in.analysis);
		json_object_put(in.run);
		goto io;
	}
	json_object_put(in.analysis);
	json_object_put(in.run);
	if (!quiet) {
		char *txt = util_printf("%s/report.txt", in.out_dir);
		FILE *f = fopen(txt, "r");
		char buf[8192];
		size_t n;

		while (f != NULL && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, stdout);
		if (f != NULL)
			fclose(f);
		free(txt);
	}
	fprintf(stderr, "medload: report written to %s/ (%d chart%s", in.out_dir,
	    res.charts, res.charts == 1 ? "" : "s");
	if (res.failed > 0)
		fprintf(stderr, ", %d could not be drawn", res.failed);
	if (res.skipped != NULL)
		fprintf(stderr, "; charts skipped: %s", res.skipped);
	fprintf(stderr, ")\n");
	free(res.skipped);
	return STATUS_OK;
io:
	cli_error("%s", cause);
	free(cause);
	return STATUS_IO;
usage:
	status = cli_usage_error("report", "%s", cause);
	free(cause);
	return status;
}
