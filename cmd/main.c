/* main.c: medload's entry point and subcommand dispatch. */
#include "cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "version.h"

const struct cmd cmd_table[] = {
	{ "run", cmd_run, cmd_run_help,
	    "drive the tenant and mediation workflow (load test; --report)" },
	{ "analyze", cmd_analyze, cmd_analyze_help,
	    "aggregate trace events (files or Elasticsearch) by label, handler, "
	    "outcome" },
	{ "report", cmd_report, cmd_report_help,
	    "write a report folder (text, Markdown, HTML, charts)" },
	{ "compare", cmd_compare, cmd_compare_help,
	    "compare two analyses: differences, verdicts, thresholds" },
	{ "nightly", cmd_nightly, cmd_nightly_help,
	    "analyze, compare with a baseline, keep a history (cron/CI)" },
	{ "collect", cmd_collect, cmd_collect_help,
	    "receive trace events from ACA-Py agents (a Logstash stand-in)" },
	{ "ingest", cmd_ingest, cmd_ingest_help,
	    "load trace files into Elasticsearch or OpenSearch" },
	{ NULL, NULL, NULL, NULL },
};

/* Prints the top-level help. */
static void
main_help(FILE *out)
{
	const struct cmd *c;

	fprintf(out,
	    "usage: medload [--version] [--help] COMMAND [ARGS]\n"
	    "\n"
	    "Load-test DIDComm mediators and analyze ACA-Py trace events.\n"
	    "\n"
	    "Commands:\n");
	for (c = cmd_table; c->name != NULL; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out,
	    "  %-10s %s\n"
	    "\n"
	    "'medload help COMMAND' or 'medload COMMAND --help' shows a "
	    "command's options.\nSee medload(1) for exit statuses and "
	    "examples.\n", "help", "show help for a command");
}

/* Finds a command by name. */
static const struct cmd *
main_find(const char *name)
{
	const struct cmd *c;

	for (c = cmd_table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Says that name is no command or option of ours; a usage error. */
static int
main_unknown(const char *name)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	util_safe_append(&b, name);
	cli_error("%s '%.60s' (see 'medload --help')", name[0] == '-' ?
	    "unknown option" : "no such command:", b.data);
	strbuf_release(&b);
	return STATUS_USAGE;
}

int
main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		main_help(stderr);
		return STATUS_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		main_help(stdout);
		return STATUS_OK;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("medload %s\n", MEDLOAD_VERSION);
		return STATUS_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			main_help(stdout);
			return STATUS_OK;
		}
		c = main_find(argv[2]);
		if (c == NULL)
			return main_unknown(argv[2]);
		c->help(stdout);
		return STATUS_OK;
	}
	c = main_find(argv[1]);
	if (c == NULL)
		return main_unknown(argv[1]);
	return c->run(argc - 1, argv + 1);
}
