/*
 * cmd.h: the subcommands. Each one parses its options from a table
 * (core/opt.h), checks them, and executes through the C interfaces of
 * analyzer/ and loader/.
 */
#ifndef MEDLOAD_CMD_H
#define MEDLOAD_CMD_H

#include "cli.h"
#include "status.h"

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *help;	/* full help text */
};

/* The subcommands, ended by a NULL name. */
extern const struct cmd cmd_table[];

/* Help text of `medload analyze`. */
extern const char cmd_analyze_help[];
/* Runs `medload analyze`. */
int cmd_analyze(int argc, char **argv);

/* `medload ingest`. */
extern const char cmd_ingest_help[];
int cmd_ingest(int argc, char **argv);

/* Help text of `medload run`. */
extern const char cmd_run_help[];
/* Runs `medload run` (the load driver, loader/). */
int cmd_run(int argc, char **argv);

/* `medload collect`. */
extern const char cmd_collect_help[];
int cmd_collect(int argc, char **argv);

/* `medload compare`: baseline vs contender analyses. */
extern const char cmd_compare_help[];
int cmd_compare(int argc, char **argv);

/* `medload nightly`: analyze, compare, thresholds, history, report. */
extern const char cmd_nightly_help[];
int cmd_nightly(int argc, char **argv);

/* `medload report`. */
extern const char cmd_report_help[];
int cmd_report(int argc, char **argv);

#endif
