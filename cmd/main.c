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
	{ "run", cmd_run,
	    "drive the tenant and mediation workflow (load test; --report)",
	    cmd_run_help },
	{ "analyze", cmd_analyze,
	    "aggregate trace events (files or Elasticsearch) by label, handler, "
	    "outcome", cmd_analyze_help },
	{ "report", cmd_report,
	    "write a report folder (text, Markdown, HTML, charts)",
	    cmd_report_help },
	{ "compare", cmd_compare,
	    "compare two analyses: differences, verdicts, thresholds",
	    cmd_compare_help },
	{ "nightly", cmd_nightly,
	    "analyze, compare with a baseline, keep a history (cron/CI)",
	    cmd_nightly_help },
	{ "collect", cmd_collect,
	    "receive trace events from ACA-Py agents (a Logstash stand-in)",
	    cmd_collect_help },
	{ "ingest", cmd_ingest,
	    "load trace files into Elasticsearch or OpenSearch", cmd_ingest_help },
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
		if (c == NULL) {
			cli_error("no such command: '%s'", argv[2]);
			return STATUS_USAGE;
		}
		fputs(c->help, stdout);
		return STATUS_OK;
	}
	if (argv[1][0] == '-') {
		cli_error("unknown option '%s'", argv[1]);
		main_help(stderr);
		return STATUS_USAGE;
	}
	c = main_find(argv[1]);
	if (c == NULL) {
		cli_error("no such command: '%s' (see 'medload --help')",
		    argv[1]);
		return STATUS_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
