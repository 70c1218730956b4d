/* cli.h: the subcommand table, exit statuses and shared CLI helpers. */
#ifndef MEDLOAD_CLI_H
#define MEDLOAD_CLI_H

#include <signal.h>
#include <stdio.h>

#include "status.h"


/* Set by SIGINT/SIGTERM once cli_catch_signals has run. */
extern volatile sig_atomic_t cli_interrupted;

/* Makes SIGINT and SIGTERM set cli_interrupted instead of killing us. */
void cli_catch_signals(void);

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *help;	/* full help text */
};

/* The subcommands, ended by a NULL name. */
extern const struct cli_cmd cli_cmds[];

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

/* Prints "medload: <msg>" on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/*
 * The cause of a getopt_long error: c is ':' for a missing value, anything
 * else for an unknown option. Returns -1.
 */
int cli_bad_option(int c, char *const argv[], char **cause);

/* Prints a usage error for cmd and returns STATUS_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * Opens an output: "-" or NULL is stdout; anything else is written to a
 * temporary file renamed into place by cli_output_close. NULL on error
 * with *cause set.
 */
FILE *cli_output_open(const char *path, char **tmp, char **cause);

/* Closes an output; renames the temporary when ok, else removes it. */
int cli_output_close(FILE *f, const char *path, char *tmp, int ok,
    char **cause);

#endif
