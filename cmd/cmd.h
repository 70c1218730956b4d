/*
 * cmd.h: the subcommands. Each is three steps on one options struct:
 * parse (from one table of options with their help text, core/opt.h),
 * check (rules across options, naming both), execute (through the C
 * interfaces of analyzer/ and loader/, one cleanup path).
 */
#ifndef MEDLOAD_CMD_H
#define MEDLOAD_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "opt.h"
#include "status.h"

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *out);	/* prints the full help */
	const char *summary;
};

/* The subcommands, ended by a NULL name. */
extern const struct cmd cmd_table[];

/* The -h/--help entry every command's options end with. */
extern const struct opt cmd_help_opts[];

/* The opt_fn of cmd_help_opts: sets the int ctx points to. */
int cmd_help_take(void *ctx, int id, const char *value, char **cause);

/* An opt_group for --help, setting *(int *)flag. */
#define CMD_HELP_GROUP(flag) { cmd_help_opts, cmd_help_take, (flag) }

/*
 * Prints a command's help: usage (the synopsis and what the command does),
 * the options of the groups, then after (exit statuses; may be NULL).
 */
void cmd_help(FILE *out, const char *usage, const struct opt_group *groups,
    size_t ngroups, const char *after);

/* `medload run`: the load driver, optionally followed by its report. */
int cmd_run(int argc, char **argv);
void cmd_run_help(FILE *out);

/* `medload analyze`: trace events -> analysis. */
int cmd_analyze(int argc, char **argv);
void cmd_analyze_help(FILE *out);

/* `medload report`: analysis (+ run) -> report folder. */
int cmd_report(int argc, char **argv);
void cmd_report_help(FILE *out);

/* `medload compare`: baseline vs contender analyses. */
int cmd_compare(int argc, char **argv);
void cmd_compare_help(FILE *out);

/* `medload nightly`: analyze, compare, thresholds, history, report. */
int cmd_nightly(int argc, char **argv);
void cmd_nightly_help(FILE *out);

/* `medload collect`: the agents' trace target. */
int cmd_collect(int argc, char **argv);
void cmd_collect_help(FILE *out);

/* `medload ingest`: trace files -> Elasticsearch. */
int cmd_ingest(int argc, char **argv);
void cmd_ingest_help(FILE *out);

#endif
